package ai.aicrypto.plaza.serving.internal;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import ai.aicrypto.plaza.serving.InferenceGateway;
import ai.aicrypto.plaza.serving.LittleEndianFloats;
import ai.aicrypto.plaza.serving.ServingInstancesProperties;
import ai.aicrypto.plaza.serving.ServingProperties;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The other app instances of the plaza and the serving workers that poll them, for calls this instance cannot serve
 * itself (no worker of its own polls it, or all of its workers are full or failed): the registry in PostgreSQL
 * ({@code serving_routes}, rewritten by each instance's heartbeat) and the signed HTTP call that forwards such a call
 * to another instance, which runs it through its own queues and answers what the workers answered.
 * <p>
 * Metering stays where the caller is: the instance that took the call authenticated the caller, checked the credit
 * and records and charges the call with the answer, as for a call its own worker served; the instance that ran it
 * records nothing. So a call is charged once, and a forward that failed (answered on another instance, or in-process)
 * is charged as the call that answered it.
 */
@Component
class ServingPeers {

    private static final Logger log = LoggerFactory.getLogger(ServingPeers.class);
    static final String RUN_PATH = "/internal/serving/v1/run";
    /** The most instances one call is forwarded to (each runs it with its own retry on another worker). */
    private static final int MAX_FORWARDS = 2;

    /** A serving worker that polls an instance, as its heartbeat lists it. */
    record Route(long workerId, long providerId, BigDecimal pricePerGpuSecondAic, Set<String> models, int queuedRows) {
    }

    /** Another instance and the serving workers that polled it lately. */
    record Peer(String instanceId, String url, List<Route> workers) {

        boolean holds(String key) {
            return workers.stream().anyMatch(w -> w.models().contains(key));
        }

        private int queuedRows() {
            return workers.stream().mapToInt(Route::queuedRows).sum();
        }
    }

    /** A forward's outcome: {@code served}, or the peer's queues were full ({@code saturated}), or it failed. */
    record Forwarded(Optional<InferenceGateway.Served> served, boolean saturated) {
    }

    private final ServingInstancesProperties properties;
    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Duration forwardTimeout;
    private final InstanceSignatures signatures;
    private final String instanceId = UUID.randomUUID().toString();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private volatile String url;
    private volatile List<Peer> peers = List.of();

    ServingPeers(ServingInstancesProperties properties, ServingProperties serving, JdbcClient jdbc, JsonMapper json, Clock clock) {
        this.properties = properties;
        this.jdbc = jdbc;
        this.json = json;
        this.url = properties.url();
        // The peer makes up to two attempts on its workers, each within the call timeout.
        this.forwardTimeout = serving.callTimeout().multipliedBy(2).plusSeconds(5);
        this.signatures = properties.enabled() ? new InstanceSignatures(properties.secret(), clock) : null;
    }

    /** Without a configured URL, the others reach this instance at this host's address and the port it listens on. */
    @EventListener
    void listening(WebServerInitializedEvent event) {
        if (url == null && event.getApplicationContext().getParent() == null) {
            try {
                url = "http://" + InetAddress.getLocalHost().getHostAddress() + ":" + event.getWebServer().getPort();
            } catch (UnknownHostException e) {
                url = "http://127.0.0.1:" + event.getWebServer().getPort();
            }
        }
    }

    String instanceId() {
        return instanceId;
    }

    InstanceSignatures signatures() {
        return signatures;
    }

    /**
     * Records the workers polling this instance (replacing what it recorded before; a worker gone is deleted), deletes
     * the rows of instances not seen for three heartbeats, and reads the others' routes: one statement.
     */
    void heartbeat(List<Route> local) {
        if (!properties.enabled() || url == null) {
            return;
        }
        double ttlSeconds = properties.heartbeat().multipliedBy(3).toMillis() / 1000.0;
        List<PeerRow> rows = jdbc.sql("""
                        WITH gone AS (
                            DELETE FROM serving_routes
                            WHERE (instance_id <> ? AND seen_at < now() - make_interval(secs => ?))
                               OR (instance_id = ? AND worker_id <> ALL(?::bigint[]))
                        ), seen AS (
                            INSERT INTO serving_routes (instance_id, instance_url, worker_id, provider_id,
                                                        price_per_gpu_second_aic, models, queued_rows)
                            SELECT ?, ?, w.worker_id, w.provider_id, w.price, string_to_array(w.models, ' '), w.queued
                            FROM unnest(?::bigint[], ?::bigint[], ?::numeric[], ?::text[], ?::int[])
                                 AS w (worker_id, provider_id, price, models, queued)
                            ON CONFLICT (instance_id, worker_id) DO UPDATE SET instance_url = EXCLUDED.instance_url,
                                provider_id = EXCLUDED.provider_id, price_per_gpu_second_aic = EXCLUDED.price_per_gpu_second_aic,
                                models = EXCLUDED.models, queued_rows = EXCLUDED.queued_rows, seen_at = now()
                        )
                        SELECT instance_id, instance_url, worker_id, provider_id, price_per_gpu_second_aic, models, queued_rows
                        FROM serving_routes WHERE instance_id <> ? AND seen_at >= now() - make_interval(secs => ?)
                        ORDER BY instance_id, worker_id""")
                .params(instanceId, ttlSeconds, instanceId, local.stream().map(Route::workerId).toArray(Long[]::new),
                        instanceId, url, local.stream().map(Route::workerId).toArray(Long[]::new),
                        local.stream().map(Route::providerId).toArray(Long[]::new),
                        local.stream().map(Route::pricePerGpuSecondAic).toArray(BigDecimal[]::new),
                        local.stream().map(r -> String.join(" ", r.models())).toArray(String[]::new),
                        local.stream().map(Route::queuedRows).toArray(Integer[]::new), instanceId, ttlSeconds)
                .query((rs, n) -> new PeerRow(rs.getString(1), rs.getString(2), new Route(rs.getLong(3), rs.getLong(4),
                        rs.getBigDecimal(5), Set.of((String[]) rs.getArray(6).getArray()), rs.getInt(7))))
                .list();
        Map<String, Peer> byInstance = new LinkedHashMap<>();
        for (PeerRow row : rows) {
            byInstance.computeIfAbsent(row.instanceId(), id -> new Peer(id, row.url(), new ArrayList<>())).workers().add(row.route());
        }
        peers = List.copyOf(byInstance.values());
    }

    private record PeerRow(String instanceId, String url, Route route) {
    }

    /** This instance's rows go with it, so no other instance forwards to it once it is shut down. */
    @PreDestroy
    void leave() {
        if (properties.enabled()) {
            try {
                jdbc.sql("DELETE FROM serving_routes WHERE instance_id = ?").param(instanceId).update();
            } catch (RuntimeException e) {
                log.info("This instance's serving routes stay until they expire: {}", e.toString());
            }
        }
    }

    /** The highest price of a worker polling another instance (zero when none). */
    BigDecimal highestPrice() {
        return peers.stream().flatMap(p -> p.workers().stream()).map(Route::pricePerGpuSecondAic)
                .max(Comparator.naturalOrder()).orElse(BigDecimal.ZERO);
    }

    /** Forwards a call to the {@link #candidates} for it, until one answers. */
    Forwarded forward(InferenceGateway.ModelToServe model, float[] rows, int rowCount, BigDecimal maxPrice, Long notProviderId) {
        return forward(candidates(model.key(), maxPrice, notProviderId), model, rows, rowCount, maxPrice, notProviderId);
    }

    /**
     * The instances whose workers may take a call, each with those workers only: those holding the model first, then
     * the least loaded; at most {@value #MAX_FORWARDS} (one for a shadow check, {@code notProviderId} set).
     */
    List<Peer> candidates(String key, BigDecimal maxPrice, Long notProviderId) {
        Predicate<Route> eligible = w -> w.pricePerGpuSecondAic().compareTo(maxPrice) <= 0
                && (notProviderId == null || w.providerId() != notProviderId);
        return peers.stream()
                .map(p -> new Peer(p.instanceId(), p.url(), p.workers().stream().filter(eligible).toList()))
                .filter(p -> !p.workers().isEmpty())
                .sorted(Comparator.comparing((Peer p) -> !p.holds(key)).thenComparingInt(Peer::queuedRows))
                .limit(notProviderId == null ? MAX_FORWARDS : 1).toList();
    }

    /** Forwards a call to these instances in turn, until one answers. */
    Forwarded forward(List<Peer> candidates, InferenceGateway.ModelToServe model, float[] rows, int rowCount,
                      BigDecimal maxPrice, Long notProviderId) {
        boolean saturated = false;
        for (Peer peer : candidates) {
            try {
                long started = System.nanoTime();
                HttpResponse<byte[]> answer = send(peer, model, rows, rowCount, maxPrice, notProviderId);
                switch (answer.statusCode()) {
                    case 200 -> {
                        Optional<InferenceGateway.Served> served = fit(json.readValue(answer.body(), InferenceGateway.Served.class),
                                rowCount, model.outputWidth(), maxPrice, (System.nanoTime() - started) / 1e9);
                        if (served.isPresent()) {
                            return new Forwarded(served, false);
                        }
                        log.warn("Instance {} answered a call of model {} with values that do not fit its {} rows, or above"
                                + " the price {}", peer.url(), model.modelId(), rowCount, maxPrice);
                    }
                    case 429 -> saturated = true;
                    default -> log.warn("Instance {} did not serve call of model {}: {} {}", peer.url(), model.modelId(),
                            answer.statusCode(), new String(answer.body(), StandardCharsets.UTF_8));
                }
            } catch (IOException | RuntimeException e) {
                log.warn("Instance {} could not be reached for a call of model {}: {}", peer.url(), model.modelId(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new Forwarded(Optional.empty(), saturated);
    }

    /**
     * A peer's answer as the caller will be charged for it: the values its rows need, of the model's width, at a price the caller's credit
     * was checked against, its GPU-seconds never more than this instance saw pass (as for its own workers).
     */
    private static Optional<InferenceGateway.Served> fit(InferenceGateway.Served s, int rowCount, int width, BigDecimal maxPrice,
                                                         double measuredSeconds) {
        if (s.outputs() == null || s.width() != width || s.outputs().length != (long) width * rowCount
                || s.pricePerGpuSecondAic() == null || s.pricePerGpuSecondAic().signum() < 0
                || s.pricePerGpuSecondAic().compareTo(maxPrice) > 0) {
            return Optional.empty();
        }
        double seconds = Double.isFinite(s.gpuSeconds()) ? Math.max(0, Math.min(s.gpuSeconds(), measuredSeconds)) : measuredSeconds;
        return Optional.of(new InferenceGateway.Served(s.outputs(), s.width(), s.workerId(), s.providerId(), s.coldStart(),
                seconds, s.pricePerGpuSecondAic()));
    }

    private HttpResponse<byte[]> send(Peer peer, InferenceGateway.ModelToServe model, float[] rows, int rowCount,
                                      BigDecimal maxPrice, Long notProviderId) throws IOException, InterruptedException {
        String pathAndQuery = RUN_PATH + "?instance=" + URLEncoder.encode(peer.instanceId(), StandardCharsets.UTF_8)
                + "&model=" + model.modelId() + "&key=" + URLEncoder.encode(model.key(), StandardCharsets.UTF_8)
                + "&rows=" + rowCount + "&width=" + model.inputWidth() + "&maxPrice=" + maxPrice.toPlainString()
                + (notProviderId == null ? "" : "&notProvider=" + notProviderId);
        byte[] body = LittleEndianFloats.bytes(rows);
        String[] signed = signatures.sign("POST", pathAndQuery, body);
        return http.send(HttpRequest.newBuilder(URI.create(peer.url() + pathAndQuery)).timeout(forwardTimeout)
                .header("Content-Type", "application/octet-stream")
                .header(InstanceSignatures.TIME, signed[0]).header(InstanceSignatures.NONCE, signed[1])
                .header(InstanceSignatures.SIGNATURE, signed[2])
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
