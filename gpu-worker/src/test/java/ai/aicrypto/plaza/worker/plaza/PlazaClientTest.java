package ai.aicrypto.plaza.worker.plaza;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client against a stand-in plaza (the JDK's HTTP server): token, routes, 204, 409 and 404 handling. */
class PlazaClientTest {

    HttpServer server;
    PlazaClient client;
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<Long> times = new CopyOnWriteArrayList<>();
    final AtomicInteger busyAnswers = new AtomicInteger();

    @BeforeEach
    void plaza() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            times.add(System.nanoTime());
            requests.add(exchange.getRequestMethod() + " " + path + " " + exchange.getRequestHeaders().getFirst("Authorization") + " " + body);
            int status;
            byte[] answer = new byte[0];
            switch (path) {
                case "/api/worker/v1/lease" -> {
                    status = 200;
                    answer = """
                            {"id": 9, "datasetId": 3, "modelId": 4, "hyperparametersJson": "{\\"epochs\\": 2, \\"learningRate\\": 0.01}",
                             "attempt": 1, "leaseExpiresAt": "2030-01-01T00:00:00Z", "cardJson": "{}", "shardKey": "a2V5",
                             "shards": [{"seq": 0, "contentId": "ab", "bytes": 5, "rows": 2}], "somethingNew": true,
                             "audit": {"epoch": 2}}""".getBytes();
                }
                case "/api/worker/v1/jobs/9/renew" -> status = 409;
                case "/api/worker/v1/jobs/9/shards/0" -> {
                    status = 200;
                    answer = "bytes".getBytes();
                }
                case "/api/worker/v1/jobs/9/checkpoints" -> {
                    status = 200;
                    answer = "{\"upload\": [1, 2]}".getBytes();
                }
                case "/api/worker/v1/jobs/8/checkpoints" -> {
                    status = 200;
                    answer = "{\"upload\": [7]}".getBytes();
                }
                case "/api/worker/v1/jobs/9/checkpoints/start" -> {
                    status = 200;
                    answer = "start".getBytes();
                }
                case "/api/worker/v1/jobs/9/checkpoints/2" -> status = 204;
                case "/api/worker/v1/switches" -> status = 404;
                case "/api/worker/v1/heartbeat" -> status = 401;
                case "/api/worker/v1/jobs/7/progress" -> {
                    // Rate-limited twice (as Bucket4j answers), then taken.
                    status = busyAnswers.getAndIncrement() < 2 ? 429 : 204;
                    if (status == 429) exchange.getResponseHeaders().add("Retry-After", "1");
                }
                case "/api/worker/v1/jobs/6/shards/0" -> {
                    // Overloaded for good.
                    status = 503;
                    exchange.getResponseHeaders().add("Retry-After", "0");
                    answer = "busy".getBytes();
                }
                default -> status = 500;
            }
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        client = new PlazaClient("http://127.0.0.1:" + server.getAddress().getPort(), "plz_secret");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void speaksTheWorkerApi() throws Exception {
        Lease lease = client.lease().orElseThrow();
        assertEquals(9, lease.id());
        assertEquals(List.of(new Lease.ShardRef(0, "ab", 5, 2)), lease.shards());
        assertTrue(requests.get(0).startsWith("POST /api/worker/v1/lease Bearer plz_secret"), requests.get(0));

        Path target = Files.createTempFile("shard", ".bin");
        client.downloadShard(9, 0, target);
        assertEquals("bytes", Files.readString(target));

        assertEquals(new Lease.Audit(2), lease.audit());

        client.downloadStartCheckpoint(9, target);
        assertEquals("start", Files.readString(target));
        assertEquals(List.of(1, 2), client.commitCheckpoints(9, List.of("h0", "h1", "h2")));
        assertTrue(requests.get(requests.size() - 1).endsWith("{\"sha256\":[\"h0\",\"h1\",\"h2\"]}"), requests.get(requests.size() - 1));
        IOException unknownEpoch = assertThrows(IOException.class, () -> client.commitCheckpoints(8, List.of("h0", "h1")));
        assertTrue(unknownEpoch.getMessage().contains("checkpoint 7"), unknownEpoch.getMessage());
        Files.writeString(target, "checkpoint two");
        client.uploadCheckpoint(9, 2, target);
        assertTrue(requests.get(requests.size() - 1).startsWith("PUT /api/worker/v1/jobs/9/checkpoints/2 Bearer plz_secret checkpoint two"));

        assertThrows(LeaseLostException.class, () -> client.renew(9), "409: the job is no longer ours");
        assertFalse(client.switched("SUSPENDED", "miner"), "an older plaza without the switches route");
        String reported = requests.get(requests.size() - 1);
        assertTrue(reported.startsWith("POST /api/worker/v1/switches") && reported.contains("\"state\":\"SUSPENDED\"")
                && reported.contains("\"command\":\"miner\""), reported);
        PlazaClient.PlazaException refused = assertThrows(PlazaClient.PlazaException.class,
                () -> client.heartbeat(Map.of("engine", "cpu")));
        assertEquals(401, refused.status());
    }

    @Test
    void aRateLimitedRequestIsSentAgainAfterTheWaitThePlazaAsksFor() throws Exception {
        client.progress(7, Map.of("epoch", 1));
        assertEquals(3, requests.size(), "two refusals, then the request taken: " + requests);
        assertTrue(requests.stream().allMatch(r -> r.startsWith("POST /api/worker/v1/jobs/7/progress") && r.endsWith("{\"epoch\":1}")),
                "the same request each time: " + requests);
        for (int i = 1; i < times.size(); i++) {
            assertTrue(times.get(i) - times.get(i - 1) >= 900_000_000L, "Retry-After: 1 was waited out before request " + (i + 1));
        }
    }

    @Test
    void anOverloadThatLastsEndsInTheAnswerAfterTheRetries() throws Exception {
        Path target = Files.createTempFile("shard", ".bin");
        PlazaClient.PlazaException refused = assertThrows(PlazaClient.PlazaException.class, () -> client.downloadShard(6, 0, target));
        assertEquals(503, refused.status());
        assertTrue(refused.getMessage().contains("busy"), refused.getMessage());
        assertEquals(1 + PlazaClient.RETRIES, requests.size(), "sent once and retried " + PlazaClient.RETRIES + " times");
        Files.delete(target);
    }

    @Test
    void retryAfterIsReadAsSecondsOrADateAndKeptWithinBounds() {
        Instant now = Instant.parse("2026-12-06T10:00:00Z");
        assertEquals(Duration.ofSeconds(7), PlazaClient.retryAfter("7", now));
        assertEquals(Duration.ofSeconds(30), PlazaClient.retryAfter("Sun, 06 Dec 2026 10:00:30 GMT", now));
        assertEquals(Duration.ZERO, PlazaClient.retryAfter("Sun, 06 Dec 2026 09:00:00 GMT", now), "a date passed");
        assertEquals(PlazaClient.LONGEST_WAIT, PlazaClient.retryAfter("86400", now), "a day is capped");
        assertEquals(PlazaClient.DEFAULT_WAIT, PlazaClient.retryAfter(null, now), "no header");
        assertEquals(PlazaClient.DEFAULT_WAIT, PlazaClient.retryAfter("soon", now), "not a wait");
    }

    @Test
    void theRequestersHyperparametersOverrideTheCardDefaults() throws Exception {
        String card = Files.readString(ai.aicrypto.plaza.worker.TestData.CARDS.resolve("fashion-mnist-mlp.json"));
        Lease lease = new Lease(1, 1, 1, "{\"epochs\": 2, \"learningRate\": 0.01, \"optimizer\": \"sgd\"}", 1,
                "2030-01-01T00:00:00Z", card, "", List.of(), null, false);
        var h = WorkerLoop.spec(lease).hyperparameters();
        assertEquals(2, h.epochs());
        assertEquals(0.01, h.learningRate());
        assertEquals(ai.aicrypto.plaza.worker.model.OptimizerKind.SGD, h.optimizer());
        assertEquals(64, h.batchSize(), "the card's default where nothing was chosen");
    }
}
