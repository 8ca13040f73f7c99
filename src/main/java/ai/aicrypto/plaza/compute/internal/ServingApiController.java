package ai.aicrypto.plaza.compute.internal;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import ai.aicrypto.plaza.serving.InferenceGateway;
import ai.aicrypto.plaza.serving.ServingFleet;
import ai.aicrypto.plaza.serving.ServingProperties;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * The worker API's serving routes: a worker of an offer that serves ({@code serving_price_per_gpu_second_aic} set)
 * long-polls for calls, sending the answers of its last batch with each poll, and loads a model it was sent a call of.
 * A worker of an offer that does not serve is answered 403, and polls again much later; so is a worker that was caught
 * giving a wrong answer, by whichever instance caught it.
 */
@RestController
@RequestMapping("/api/worker/v1/serving")
class ServingApiController {

    static final int MAX_BATCH_ROWS = 4096;
    static final long MAX_WAIT_MS = 1000;
    static final int MAX_LOADED = 1000;

    private final ServingFleet fleet;
    private final ServingProperties properties;
    private final JdbcClient jdbc;
    /** Each poll asks: the offer's price and provider (or why the worker may not serve), read again after a few seconds. */
    private final Cache<Long, Serving> offers = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofSeconds(10)).maximumSize(10_000).build();

    ServingApiController(ServingFleet fleet, ServingProperties properties, JdbcClient jdbc) {
        this.fleet = fleet;
        this.properties = properties;
        this.jdbc = jdbc;
    }

    record PollRequest(Integer maxBatch, Long maxWaitMs, Set<String> loaded, List<ServingFleet.Result> results) {
    }

    record PollAnswer(List<ServingFleet.Assignment> calls) {
    }

    @PostMapping("/poll")
    DeferredResult<ResponseEntity<?>> poll(@AuthenticationPrincipal WorkerIdentity.Worker worker, @RequestBody PollRequest request) {
        DeferredResult<ResponseEntity<?>> answer = new DeferredResult<>(properties.pollTimeout().plusSeconds(10).toMillis());
        Serving serving = offers.get(worker.id(), this::serving);
        if (serving.refusal() != null) {
            answer.setResult(ResponseEntity.status(HttpStatus.FORBIDDEN).body(Map.of("error", serving.refusal())));
            return answer;
        }
        int maxBatch = request.maxBatch() == null ? 1 : request.maxBatch();
        long maxWaitMs = request.maxWaitMs() == null ? 0 : request.maxWaitMs();
        Set<String> loaded = request.loaded() == null ? Set.of() : request.loaded();
        if (maxBatch < 1 || maxBatch > MAX_BATCH_ROWS || maxWaitMs < 0 || maxWaitMs > MAX_WAIT_MS || loaded.size() > MAX_LOADED) {
            answer.setResult(ResponseEntity.badRequest().body(Map.of("error", "maxBatch is 1 to " + MAX_BATCH_ROWS
                    + ", maxWaitMs 0 to " + MAX_WAIT_MS + ", loaded at most " + MAX_LOADED + " models")));
            return answer;
        }
        fleet.poll(serving.worker(), new ServingFleet.Poll(maxBatch, maxWaitMs, loaded,
                        request.results() == null ? List.of() : request.results()))
                .thenAccept(calls -> answer.setResult(calls.isEmpty() ? ResponseEntity.noContent().build()
                        : ResponseEntity.ok(new PollAnswer(calls))));
        return answer;
    }

    /**
     * A model the worker was sent a call of: its card, the width of its encoded rows and its weights, decrypted for
     * the worker (over the worker API's TLS), which holds them in memory only.
     */
    @GetMapping("/models/{key}")
    ResponseEntity<?> model(@AuthenticationPrincipal WorkerIdentity.Worker worker, @PathVariable String key) throws IOException {
        Optional<InferenceGateway.ModelToServe> model = fleet.modelFor(worker.id(), key);
        if (model.isEmpty()) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no call of this model was sent to this worker"));
        }
        byte[] weights;
        try (InputStream in = model.get().weights().open()) {
            weights = in.readAllBytes();
        }
        return ResponseEntity.ok(Map.of("card", model.get().cardJson(), "inputWidth", model.get().inputWidth(),
                "weights", Base64.getEncoder().encodeToString(weights)));
    }

    /** A worker that may serve, or why it may not. */
    private record Serving(ServingFleet.ServingWorker worker, String refusal) {
    }

    private Serving serving(long workerId) {
        return jdbc.sql("""
                        SELECT o.provider_id, o.serving_price_per_gpu_second_aic, w.serving_rejected_reason
                        FROM workers w JOIN gpu_offers o ON o.id = w.offer_id WHERE w.id = ?""")
                .param(workerId).query((rs, n) -> {
                    if (rs.getString(3) != null) {
                        return new Serving(null, "this worker no longer serves predictions: one of its answers was wrong ("
                                + rs.getString(3) + ")");
                    }
                    if (rs.getBigDecimal(2) == null) {
                        return new Serving(null, "this worker's offer does not serve predictions: set a price per GPU-second"
                                + " on the provider dashboard");
                    }
                    return new Serving(new ServingFleet.ServingWorker(workerId, rs.getLong(1), rs.getBigDecimal(2)), null);
                }).single();
    }
}
