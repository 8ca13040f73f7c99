package ai.aicrypto.plaza.worker.plaza;

import ai.aicrypto.plaza.worker.TestData;
import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.engine.Checkpoint;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingEngine;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.dense.ReferenceEngine;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker with two slots (as with {@code --gpus 0,1}) against a stand-in plaza that has two jobs: both are leased
 * and trained at the same time, both complete, and the idle command is suspended once and resumed once, after both.
 */
class WorkerLoopTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    HttpServer server;
    final List<String> completed = new CopyOnWriteArrayList<>();
    final List<String> failed = new CopyOnWriteArrayList<>();
    final List<String> switches = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    @Test
    void twoSlotsTrainTwoJobsAtOnceAndTheIdleCommandWaitsForBoth() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        byte[] shard = TestShards.encrypt(TestShards.plain(TestData.t10kHead().slice(0, 200), dir), key);
        String card = Files.readString(TestData.CARDS.resolve("fashion-mnist-mlp.json"));
        startPlaza(shard, key, card);

        // Each slot's engine waits for the other's before it trains: both jobs must be in training at once.
        CyclicBarrier together = new CyclicBarrier(2);
        TrainingEngine slot = new TrainingEngine() {
            final ReferenceEngine reference = new ReferenceEngine();

            @Override
            public String id() {
                return reference.id();
            }

            @Override
            public String description() {
                return "reference engine, one slot";
            }

            @Override
            public TrainedModel train(ModelSpec spec, TrainingData data, Checkpoint start, int lastEpoch, TrainingListener listener)
                    throws IOException {
                try {
                    together.await(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IOException("the other slot did not train at the same time", e);
                }
                return reference.train(spec, data, start, lastEpoch, listener);
            }
        };
        var options = new WorkerLoop.Options("http://127.0.0.1:" + server.getAddress().getPort(), "plz_test", List.of(slot, slot),
                1024, "sleep 600", dir.resolve("cache"), Duration.ofMillis(100), Duration.ofHours(1), false);
        Thread worker = new Thread(() -> {
            try {
                new WorkerLoop(options).run();
            } catch (Exception e) {
                // interrupted at the end of the test
            }
        });
        worker.start();
        try {
            for (int i = 0; i < 600 && (completed.size() + failed.size() < 2 || switches.size() < 2); i++) Thread.sleep(100);
        } finally {
            worker.interrupt();
            worker.join(10_000);
        }
        assertEquals(List.of(), failed);
        assertEquals(List.of("1", "2"), completed.stream().sorted().toList());
        assertEquals(List.of("SUSPENDED", "RESUMED"), switches);
        assertTrue(!worker.isAlive(), "the loop ends when interrupted");
    }

    private void startPlaza(byte[] shard, byte[] key, String card) throws Exception {
        String sha = TestShards.sha256(shard);
        AtomicInteger leased = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/api/worker/v1/", exchange -> {
            String path = exchange.getRequestURI().getPath().substring("/api/worker/v1/".length());
            byte[] body = exchange.getRequestBody().readAllBytes();
            String[] parts = path.split("/");
            Object answer = Map.of();
            int status = 200;
            if (path.equals("lease")) {
                int job = leased.incrementAndGet();
                if (job > 2) {
                    status = 204;
                } else {
                    answer = Map.of("id", job, "datasetId", 5, "modelId", 6, "hyperparametersJson", "{\"epochs\": 1}",
                            "attempt", 1, "leaseExpiresAt", "2030-01-01T00:00:00Z", "cardJson", card,
                            "shardKey", Base64.getEncoder().encodeToString(key),
                            "shards", List.of(Map.of("seq", 0, "sha256", sha, "bytes", shard.length, "rows", 200)));
                }
            } else if (path.equals("switches")) {
                switches.add(JSON.readTree(body).get("state").asText());
            } else if (parts.length == 4 && parts[2].equals("shards")) {
                exchange.sendResponseHeaders(200, shard.length);
                exchange.getResponseBody().write(shard);
                exchange.close();
                return;
            } else if (parts.length == 3 && parts[2].equals("complete")) {
                completed.add(parts[1]);
            } else if (parts.length == 3 && parts[2].equals("fail")) {
                failed.add(parts[1] + ": " + new String(body, StandardCharsets.UTF_8));
            } else if (parts.length == 3 && parts[2].equals("renew")) {
                answer = Map.of("leaseExpiresAt", "2030-01-01T00:00:00Z");
            }
            byte[] json = status == 204 ? new byte[0] : JSON.writeValueAsBytes(answer);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, status == 204 ? -1 : json.length);
            if (json.length > 0) exchange.getResponseBody().write(json);
            exchange.close();
        });
        server.start();
    }
}
