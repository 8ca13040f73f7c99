package ai.aicrypto.plaza.compute.internal;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import ai.aicrypto.plaza.serving.InferenceGateway;
import ai.aicrypto.plaza.serving.LittleEndianFloats;
import ai.aicrypto.plaza.serving.ServingFleet;
import ai.aicrypto.plaza.serving.ServingProperties;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.json.JsonMapper;

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
    private final JsonMapper json;
    /** Each poll asks: the offer's price and provider (or why the worker may not serve), read again after a few seconds. */
    private final Cache<Long, Serving> offers = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofSeconds(10)).maximumSize(10_000).build();

    ServingApiController(ServingFleet fleet, ServingProperties properties, JdbcClient jdbc, JsonMapper json) {
        this.fleet = fleet;
        this.properties = properties;
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * How a poll carries rows and answers: {@value #F32LE_BASE64} (each row block base64 of little-endian float32, as
     * the worker declares with {@code "encoding"}), else JSON numbers (workers from before it).
     */
    static final String F32LE_BASE64 = "f32le-base64";
    /** The largest poll body read: a batch of {@value #MAX_BATCH_ROWS} rows of 1,000 classes as JSON numbers fits. */
    static final int MAX_POLL_BYTES = 64 << 20;

    record PollRequest(Integer maxBatch, Long maxWaitMs, Set<String> loaded, String encoding, List<PolledResult> results) {
    }

    /** An answer as the worker sent it: {@code outputs} in the poll's encoding. */
    record PolledResult(long call, PolledFloats outputs, int width, double seconds, String error) {
    }

    /** Values as JSON numbers ({@code numbers}) or as base64 of little-endian float32 ({@code f32le}). */
    @JsonDeserialize(using = PolledFloats.Reader.class)
    record PolledFloats(float[] numbers, byte[] f32le) {

        static final class Reader extends ValueDeserializer<PolledFloats> {
            @Override
            public PolledFloats deserialize(JsonParser p, DeserializationContext ctxt) {
                return p.currentToken() == JsonToken.VALUE_STRING ? new PolledFloats(null, p.getBinaryValue())
                        : new PolledFloats(ctxt.readValue(p, float[].class), null);
            }
        }
    }

    record PollAnswer(List<?> calls) {
    }

    /** A call as a worker speaking {@value #F32LE_BASE64} gets it: Jackson writes the bytes as base64. */
    record F32Assignment(long call, String model, int width, int rows, byte[] inputs) {
    }

    /**
     * The worker's answers and its next calls. A body that cannot be read, or answers that are not in the encoding the
     * worker declared or do not fit their calls (a broken or hostile worker), is refused with 400 as a whole: nothing
     * of it is taken, nothing is charged, and the calls the worker holds go to another worker at once.
     */
    @PostMapping("/poll")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(schema = @Schema(implementation = PollRequest.class)))
    DeferredResult<ResponseEntity<?>> poll(@AuthenticationPrincipal WorkerIdentity.Worker worker, HttpServletRequest http)
            throws IOException {
        DeferredResult<ResponseEntity<?>> answer = new DeferredResult<>(properties.pollTimeout().plusSeconds(10).toMillis());
        Serving serving = offers.get(worker.id(), this::serving);
        if (serving.refusal() != null) {
            answer.setResult(ResponseEntity.status(HttpStatus.FORBIDDEN).body(Map.of("error", serving.refusal())));
            return answer;
        }
        PollRequest request;
        List<ServingFleet.Result> results;
        try {
            request = read(http);
            results = results(request);
        } catch (JacksonException | IllegalArgumentException e) {
            String reason = e instanceof JacksonException j ? "the poll could not be read: " + j.getOriginalMessage() : e.getMessage();
            fleet.refuse(worker.id(), reason);
            answer.setResult(ResponseEntity.badRequest().body(Map.of("error", reason)));
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
        boolean f32 = F32LE_BASE64.equals(request.encoding());
        try {
            fleet.poll(serving.worker(), new ServingFleet.Poll(maxBatch, maxWaitMs, loaded, results))
                    .thenAccept(calls -> answer.setResult(calls.isEmpty() ? ResponseEntity.noContent().build()
                            : ResponseEntity.ok(new PollAnswer(f32 ? calls.stream().map(c -> new F32Assignment(c.call(),
                            c.model(), c.width(), c.rows(), LittleEndianFloats.bytes(c.inputs()))).toList() : calls))));
        } catch (ServingFleet.RefusedResults e) {
            answer.setResult(ResponseEntity.badRequest().body(Map.of("error", e.getMessage())));
        }
        return answer;
    }

    /** The body, of at most {@value #MAX_POLL_BYTES} bytes (declared or not). */
    private PollRequest read(HttpServletRequest http) throws IOException {
        if (http.getContentLengthLong() > MAX_POLL_BYTES) {
            throw new IllegalArgumentException("a poll of at most " + MAX_POLL_BYTES + " bytes");
        }
        byte[] body = http.getInputStream().readNBytes(MAX_POLL_BYTES + 1);
        if (body.length > MAX_POLL_BYTES) {
            throw new IllegalArgumentException("a poll of at most " + MAX_POLL_BYTES + " bytes");
        }
        PollRequest request = json.readValue(body, PollRequest.class);
        if (request == null) {
            throw new IllegalArgumentException("the poll is not a JSON object");
        }
        return request;
    }

    /** The answers in the declared encoding, as values. */
    private static List<ServingFleet.Result> results(PollRequest request) {
        if (request.encoding() != null && !request.encoding().equals(F32LE_BASE64) && !request.encoding().equals("json")) {
            throw new IllegalArgumentException("encoding is json or " + F32LE_BASE64);
        }
        boolean f32 = F32LE_BASE64.equals(request.encoding());
        List<ServingFleet.Result> results = new ArrayList<>(request.results() == null ? 0 : request.results().size());
        for (PolledResult r : request.results() == null ? List.<PolledResult>of() : request.results()) {
            if (r == null) {
                throw new IllegalArgumentException("a result is null");
            }
            PolledFloats outputs = r.outputs();
            if (outputs != null && (f32 ? outputs.f32le() == null : outputs.numbers() == null)) {
                throw new IllegalArgumentException("the outputs of call " + r.call() + " are not "
                        + (f32 ? "base64 of little-endian float32, as the poll declared" : "JSON numbers"));
            }
            results.add(new ServingFleet.Result(r.call(), outputs == null ? null
                    : f32 ? LittleEndianFloats.floats(outputs.f32le()) : outputs.numbers(), r.width(), r.seconds(), r.error()));
        }
        return results;
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
