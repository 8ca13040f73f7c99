package ai.aicrypto.plaza.worker.plaza;

import ai.aicrypto.plaza.worker.TestData;
import ai.aicrypto.plaza.worker.data.Safetensors;
import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.engine.Checkpoint;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingEngine;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.dense.ReferenceEngine;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker against a stand-in plaza: two slots training two jobs at once; an ordinary job's result with its
 * checkpoint commitment; an audit lease that trains one epoch from the audited job's checkpoint.
 */
class WorkerLoopTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 200;

    @TempDir
    Path dir;

    HttpServer server;
    byte[] key;
    byte[] shard;
    String card;
    /** What the stand-in plaza leases, in order; it answers 204 once they are gone. */
    final Queue<Map<String, Object>> leases = new ConcurrentLinkedQueue<>();
    /** Job routes called, as "METHOD jobs/ID/..." (renewals and progress left out). */
    final List<String> calls = new CopyOnWriteArrayList<>();
    final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
    final List<String> completed = new CopyOnWriteArrayList<>();
    final List<String> failed = new CopyOnWriteArrayList<>();
    final List<String> switches = new CopyOnWriteArrayList<>();
    /** The plaza's answer to a checkpoint commitment, and an audit's start checkpoint. */
    volatile List<Integer> wantedCheckpoints = List.of();
    volatile byte[] startCheckpoint;

    @BeforeEach
    void plaza() throws Exception {
        key = new byte[32];
        new SecureRandom().nextBytes(key);
        shard = TestShards.encrypt(TestShards.plain(TestData.t10kHead().slice(0, ROWS), dir), key);
        card = Files.readString(TestData.CARDS.resolve("fashion-mnist-mlp.json"));
        startPlaza();
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    @Test
    void twoSlotsTrainTwoJobsAtOnceAndTheIdleCommandWaitsForBoth() throws Exception {
        leases.add(lease(1, "{\"epochs\": 1}", null));
        leases.add(lease(2, "{\"epochs\": 1}", null));
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
        Thread worker = runWorker(List.of(slot, slot), "sleep 600", () -> completed.size() + failed.size() >= 2 && switches.size() >= 2);
        assertEquals(List.of(), failed);
        assertEquals(List.of("1", "2"), completed.stream().sorted().toList());
        assertEquals(List.of("SUSPENDED", "RESUMED"), switches);
        assertTrue(!worker.isAlive(), "the loop ends when interrupted");
    }

    @Test
    void anOrdinaryJobCommitsToItsCheckpointsAndUploadsThoseThePlazaAsksFor() throws Exception {
        leases.add(lease(7001, "{\"epochs\": 3}", null));
        wantedCheckpoints = List.of(1, 2);
        runWorker(List.of(new ReferenceEngine()), null, () -> completed.size() + failed.size() >= 1 && jobDirectories(7001).isEmpty());
        assertEquals(List.of(), failed);
        assertEquals(List.of("PUT jobs/7001/weights", "POST jobs/7001/checkpoints", "PUT jobs/7001/checkpoints/1",
                "PUT jobs/7001/checkpoints/2", "POST jobs/7001/complete"), calls.stream().filter(c -> !c.contains("/shards/")).toList());

        JsonNode hashes = JSON.readTree(bodies.get("POST jobs/7001/checkpoints")).get("sha256");
        assertEquals(4, hashes.size(), "checkpoints 0 to 3");
        for (int e : List.of(1, 2)) {
            byte[] file = bodies.get("PUT jobs/7001/checkpoints/" + e);
            assertEquals(hashes.get(e).asText(), TestShards.sha256(file), "checkpoint " + e + " is the one committed to");
            assertEquals(e, read(file).epoch());
        }
        ModelSpec spec = spec("{\"epochs\": 3}");
        List<Path> run = referenceRun(spec);
        for (int e = 0; e <= 3; e++) assertEquals(TestShards.sha256(Files.readAllBytes(run.get(e))), hashes.get(e).asText());
        assertEquals(Checkpoint.read(run.get(3)).weights(), Safetensors.readAllF32(write(bodies.get("PUT jobs/7001/weights"))));

        JsonNode claimed = JSON.readTree(bodies.get("POST jobs/7001/complete"));
        assertEquals(3, claimed.get("epochs").asInt());
        assertEquals("reference", claimed.get("engine").asText());
        assertTrue(claimed.get("auditEpoch") == null);
        assertEquals(List.of(), jobDirectories(7001), "the job's checkpoints are deleted");
    }

    @Test
    void anAuditTrainsOneEpochFromTheAuditedJobsCheckpoint() throws Exception {
        String hyperparameters = "{\"epochs\": 3}";
        ModelSpec spec = spec(hyperparameters);
        List<Path> original = referenceRun(spec);
        startCheckpoint = Files.readAllBytes(original.get(1));
        leases.add(lease(7002, hyperparameters, Map.of("epoch", 2)));
        runWorker(List.of(new ReferenceEngine()), null, () -> completed.size() + failed.size() >= 1 && jobDirectories(7002).isEmpty());
        assertEquals(List.of(), failed);
        assertEquals(List.of("GET jobs/7002/checkpoints/start", "PUT jobs/7002/weights", "POST jobs/7002/complete"),
                calls.stream().filter(c -> !c.contains("/shards/")).toList(), "no commitment of its own");
        byte[] weights = bodies.get("PUT jobs/7002/weights");
        assertEquals(2, read(weights).epoch());
        assertArrayEquals(Files.readAllBytes(original.get(2)), weights, "the same engine retraces the epoch exactly");

        JsonNode claimed = JSON.readTree(bodies.get("POST jobs/7002/complete"));
        assertEquals(2, claimed.get("auditEpoch").asInt());
        assertEquals(1, claimed.get("epochs").asInt());
        assertEquals("reference", claimed.get("engine").asText());
        assertTrue(claimed.get("loss").asDouble() > 0 && claimed.get("accuracy").asDouble() > 0, claimed.toString());
        assertEquals(List.of(), jobDirectories(7002));
    }

    @Test
    void anAuditRefusesAStartCheckpointOfTheWrongEpoch() throws Exception {
        String hyperparameters = "{\"epochs\": 3}";
        startCheckpoint = Files.readAllBytes(referenceRun(spec(hyperparameters)).get(2));
        leases.add(lease(7003, hyperparameters, Map.of("epoch", 2)));
        runWorker(List.of(new ReferenceEngine()), null, () -> completed.size() + failed.size() >= 1);
        assertEquals(List.of(), completed);
        assertTrue(failed.get(0).contains("epoch 2 needs 1"), failed.get(0));
    }

    /** The checkpoint files of an uninterrupted run of the reference engine on the leased rows. */
    private List<Path> referenceRun(ModelSpec spec) throws IOException {
        List<Path> files = new ArrayList<>();
        new ReferenceEngine().train(spec, TestData.train(ROWS), new TrainingListener() {
            @Override
            public void onCheckpoint(Checkpoint c) throws IOException {
                Path f = dir.resolve("original-" + c.epoch() + ".safetensors");
                c.write(f);
                files.add(f);
            }
        });
        return files;
    }

    /** The network and hyperparameters the worker trains for a lease of the card with these hyperparameters. */
    private ModelSpec spec(String hyperparameters) throws IOException {
        return WorkerLoop.spec(new Lease(1, 5, 6, hyperparameters, 1, "2030-01-01T00:00:00Z", card, "", List.of(), null, false));
    }

    private Checkpoint read(byte[] file) throws IOException {
        return Checkpoint.read(write(file));
    }

    private Path write(byte[] bytes) throws IOException {
        return Files.write(Files.createTempFile(dir, "upload", ".safetensors"), bytes);
    }

    private static List<Path> jobDirectories(long job) {
        try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return tmp.filter(p -> p.getFileName().toString().startsWith("aiplaza-job-" + job + "-")).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Map<String, Object> lease(long id, String hyperparameters, Map<String, Object> audit) throws Exception {
        Map<String, Object> lease = new LinkedHashMap<>(Map.of("id", id, "datasetId", 5, "modelId", 6, "hyperparametersJson", hyperparameters,
                "attempt", 1, "leaseExpiresAt", "2030-01-01T00:00:00Z", "cardJson", card,
                "shardKey", Base64.getEncoder().encodeToString(key),
                "shards", List.of(Map.of("seq", 0, "contentId", TestShards.sha256(shard), "bytes", shard.length, "rows", ROWS))));
        lease.put("audit", audit);
        return lease;
    }

    /** Runs a worker until {@code done} (or a minute), then stops it. */
    private Thread runWorker(List<TrainingEngine> engines, String idleCommand, BooleanSupplier done) throws Exception {
        var options = new WorkerLoop.Options("http://127.0.0.1:" + server.getAddress().getPort(), "plz_test", engines,
                1024, idleCommand, dir.resolve("cache"), Duration.ofMillis(100), Duration.ofHours(1), false, null);
        Thread worker = new Thread(() -> {
            try {
                new WorkerLoop(options).run();
            } catch (Exception e) {
                // interrupted at the end of the test
            }
        });
        worker.start();
        try {
            for (int i = 0; i < 600 && !done.getAsBoolean(); i++) Thread.sleep(100);
        } finally {
            worker.interrupt();
            worker.join(10_000);
        }
        return worker;
    }

    private void startPlaza() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/api/worker/v1/", exchange -> {
            String path = exchange.getRequestURI().getPath().substring("/api/worker/v1/".length());
            byte[] body = exchange.getRequestBody().readAllBytes();
            String[] parts = path.split("/");
            String call = exchange.getRequestMethod() + " " + path;
            if (path.startsWith("jobs/") && !path.endsWith("/renew") && !path.endsWith("/progress")) calls.add(call);
            bodies.put(call, body);
            byte[] bytes = null;
            Object answer = Map.of();
            int status = 200;
            if (path.equals("lease")) {
                Map<String, Object> next = leases.poll();
                if (next == null) status = 204;
                else answer = next;
            } else if (path.equals("switches")) {
                switches.add(JSON.readTree(body).get("state").asText());
            } else if (parts.length == 4 && parts[2].equals("shards")) {
                bytes = shard;
            } else if (call.endsWith("/checkpoints/start")) {
                bytes = startCheckpoint;
            } else if (call.startsWith("POST") && path.endsWith("/checkpoints")) {
                answer = Map.of("upload", wantedCheckpoints);
            } else if (call.startsWith("PUT")) {
                status = 204;
            } else if (parts.length == 3 && parts[2].equals("renew")) {
                answer = Map.of("leaseExpiresAt", "2030-01-01T00:00:00Z");
            }
            if (bytes != null) {
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
            } else {
                byte[] json = status == 204 ? new byte[0] : JSON.writeValueAsBytes(answer);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, status == 204 ? -1 : json.length);
                if (json.length > 0) exchange.getResponseBody().write(json);
            }
            exchange.close();
            // recorded once answered: the test stops the worker when a job has ended
            if (parts.length == 3 && parts[2].equals("complete")) completed.add(parts[1]);
            if (parts.length == 3 && parts[2].equals("fail")) failed.add(parts[1] + ": " + new String(body, StandardCharsets.UTF_8));
        });
        server.start();
    }
}
