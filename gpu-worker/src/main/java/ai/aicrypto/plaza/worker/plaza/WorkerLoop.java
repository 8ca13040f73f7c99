package ai.aicrypto.plaza.worker.plaza;

import ai.aicrypto.plaza.worker.Log;
import ai.aicrypto.plaza.worker.bench.StartupBenchmark;
import ai.aicrypto.plaza.worker.data.Sha256;
import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.engine.Checkpoint;
import ai.aicrypto.plaza.worker.engine.EpochMetrics;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingCancelledException;
import ai.aicrypto.plaza.worker.engine.TrainingEngine;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.trees.XgboostTrainer;
import ai.aicrypto.plaza.worker.model.BoostedTreesSpec;
import ai.aicrypto.plaza.worker.model.Hyperparameters;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.aicrypto.plaza.worker.model.OptimizerKind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The worker's life on the plaza: report itself (engine, memory, cached datasets, start-up benchmark, the model
 * families it can train: {@link TrainableFamilies}) by heartbeat,
 * lease a job, suspend the idle command, fetch the job's shards through the cache, train with progress after every
 * epoch while a background thread renews the lease, deliver the result (below) or fail with the reason; then resume
 * the idle command and lease again. A job the plaza takes back (409 on any job route: cancelled, expired) is abandoned
 * at the next mini-batch.
 * <p>
 * The plaza checks a job's training by auditing one epoch of it ("lazy worker" verification), so an ordinary job keeps
 * every {@link Checkpoint} (0, the initial state, to E) in a temporary directory while it trains, then:
 * {@code PUT jobs/{id}/weights}; {@code POST jobs/{id}/checkpoints} with {@code {"sha256": [h0, ..., hE]}}, answered
 * with {@code {"upload": [epochs]}}; {@code PUT jobs/{id}/checkpoints/{e}} with each checkpoint file asked for; and
 * {@code POST jobs/{id}/complete} with the metrics it claims (the plaza verifies them). An audit lease
 * ({@code "audit": {"epoch": k}}) is another worker's job to check: {@code GET jobs/{id}/checkpoints/start} (its
 * checkpoint k-1), train epoch k from it, {@code PUT jobs/{id}/weights} with the resulting checkpoint k file, and
 * {@code POST jobs/{id}/complete} with epoch k's loss and accuracy, {@code "epochs": 1} and {@code "auditEpoch": k}.
 * <p>
 * Each engine is a slot (one per GPU) that leases and trains on its own, so a worker with two GPUs runs two jobs at
 * once. The idle command runs only while every slot is idle.
 */
public final class WorkerLoop {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param engines     one per slot (GPU), each training one job at a time
     * @param memoryMb    the memory of the smallest slot: any slot may lease any job
     * @param idleCommand shell command to run while there is no job, or null
     * @param benchmark   whether to run the start-up benchmark (its score goes to the plaza with the heartbeat)
     * @param families    the model families the provider lets it train ({@code --families}), of those the host can
     *                    ({@link TrainableFamilies}); null for every one the host can
     */
    public record Options(String plazaUrl, String token, List<TrainingEngine> engines, int memoryMb, String idleCommand,
                          Path cacheDir, Duration pollInterval, Duration heartbeatInterval, boolean benchmark,
                          Set<String> families) {

        public Options {
            if (engines.isEmpty()) throw new IllegalArgumentException("a worker needs at least one engine");
            engines = List.copyOf(engines);
        }
    }

    private final Options options;
    private final PlazaClient plaza;
    private final ShardCache cache;
    private final ScheduledExecutorService background = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "plaza-background");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean switchesUnsupported = new AtomicBoolean();
    /** Trains what a slot's engine cannot (a fasttext classifier on a GPU slot: the JCuda engine has no embedding bag). */
    private final TrainingEngine cpuEngine = new DjlCpuEngine();
    private Double measuredScore;
    private Double trainingSamplesPerSecond;
    private String benchmarkReport;
    private IdleCommand idle;
    /** Found at start-up, before the first heartbeat: the plaza leases only jobs of these families. */
    private volatile TrainableFamilies trainable;
    private int busySlots; // guarded by this

    public WorkerLoop(Options options) throws IOException {
        this.options = options;
        this.plaza = new PlazaClient(options.plazaUrl(), options.token());
        this.cache = new ShardCache(options.cacheDir());
    }

    /**
     * Serves jobs until the process ends, until a slot fails for good (a refused token: its exception), or until the
     * calling thread is interrupted; the idle command ends with it.
     */
    public void run() throws Exception {
        if (options.benchmark()) {
            List<StartupBenchmark.Report> reports = StartupBenchmark.run();
            measuredScore = reports.get(0).gemmGflops();
            trainingSamplesPerSecond = finite(reports.get(0).trainSamplesPerSecond());
            benchmarkReport = reports.stream().map(Object::toString).collect(Collectors.joining("\n"));
            Log.info("start-up benchmark: " + benchmarkReport.replace("\n", "; "));
        }
        options.engines().forEach(engine -> Log.info("serving " + options.plazaUrl() + " with " + engine.description()));
        trainable = TrainableFamilies.probe(options.engines().get(0), options.families());
        Log.info(trainable.describe());
        heartbeat(); // before the first lease: the plaza matches jobs by what the heartbeat says (memory, families)
        long every = options.heartbeatInterval().toMillis();
        background.scheduleWithFixedDelay(this::heartbeatQuietly, every, every, TimeUnit.MILLISECONDS);
        if (options.idleCommand() != null) {
            idle = new IdleCommand(options.idleCommand(), this::reportSwitch);
            idle.start();
            Runtime.getRuntime().addShutdownHook(new Thread(idle::close));
        }
        AtomicInteger slotNumber = new AtomicInteger();
        ExecutorService slots = Executors.newFixedThreadPool(options.engines().size(),
                r -> new Thread(r, "slot-" + slotNumber.incrementAndGet()));
        ExecutorCompletionService<Void> ended = new ExecutorCompletionService<>(slots);
        for (TrainingEngine engine : options.engines()) {
            ended.submit(() -> serveForever(engine));
        }
        try {
            ended.take().get(); // a slot ends only by failing
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            slots.shutdownNow();
            if (idle != null) idle.close();
        }
    }

    private Void serveForever(TrainingEngine engine) throws IOException, InterruptedException {
        while (true) {
            java.util.Optional<Lease> lease;
            try {
                lease = plaza.lease();
            } catch (PlazaClient.PlazaException e) {
                if (e.status() == 401) throw new IllegalStateException("the plaza refused the worker token");
                Log.info("lease failed, retrying: " + e.getMessage());
                lease = java.util.Optional.empty();
            } catch (IOException e) {
                Log.info("plaza unreachable, retrying: " + e.getMessage());
                lease = java.util.Optional.empty();
            }
            if (lease.isEmpty()) {
                Thread.sleep(options.pollInterval().toMillis());
                continue;
            }
            slotBusy();
            try {
                serve(lease.get(), engine);
            } finally {
                slotIdle();
            }
            heartbeatQuietly(); // the cache may hold a new dataset now
        }
    }

    private synchronized void slotBusy() throws IOException {
        if (busySlots++ == 0 && idle != null) idle.suspend();
    }

    private synchronized void slotIdle() throws IOException {
        if (--busySlots == 0 && idle != null) idle.resume();
    }

    private void serve(Lease lease, TrainingEngine engine) {
        long job = lease.id();
        Log.info("job " + job + " leased (attempt " + lease.attempt() + ", dataset " + lease.datasetId() + ", "
                + lease.shards().size() + " shard(s)" + (lease.audit() == null ? "" : ", audit of epoch " + lease.audit().epoch())
                + ") for " + engine.description());
        AtomicBoolean lost = new AtomicBoolean();
        long renewMillis = Math.max(1000, Duration.between(Instant.now(), lease.expiresAt()).toMillis() / 3);
        var renewal = background.scheduleWithFixedDelay(() -> {
            try {
                plaza.renew(job);
            } catch (LeaseLostException e) {
                lost.set(true);
            } catch (IOException e) {
                Log.info("job " + job + ": lease renewal failed, will retry: " + e.getMessage());
            }
        }, renewMillis, renewMillis, TimeUnit.MILLISECONDS);
        Path work = null;
        try {
            List<Path> files = cache.fetch(lease, (seq, target) -> plaza.downloadShard(job, seq, target));
            EncryptedShardData data = EncryptedShardData.open(files, lease.shards(), lease.shardKey());
            work = Files.createTempDirectory("aiplaza-job-" + job + "-");
            JobListener listener = new JobListener(job, work, lost);
            JsonNode card = JSON.readTree(lease.cardJson());
            String family = card.path("architecture").path("template").asText();
            if (!trainable.trains(family)) { // the plaza matches on the heartbeat's families: only an older plaza sends one
                throw new IllegalStateException("this worker does not train " + family + " models ("
                        + trainable.missing().getOrDefault(family, "unknown family") + ")");
            }
            JsonNode verdict;
            if (BoostedTreesSpec.describes(card)) {
                if (lease.audit() != null) throw new IllegalArgumentException("tree models are not audited by epoch");
                verdict = trainTrees(job, engine, BoostedTreesSpec.fromCard(card, chosen(lease)), data, listener);
            } else {
                ModelSpec spec = spec(lease);
                TrainingEngine trainer = engine.trains(spec) ? engine : cpuEngine;
                if (trainer != engine) Log.info("job " + job + ": " + engine.id() + " cannot train a " + spec.template() + "; training it with " + cpuEngine.description());
                verdict = lease.audit() == null ? train(job, trainer, spec, data, parent(lease, spec, data, listener), listener)
                        : audit(job, lease.audit().epoch(), trainer, spec, data, listener);
            }
            Log.info("job " + job + " completed: the plaza says " + verdict);
        } catch (LeaseLostException | TrainingCancelledException e) {
            Log.info("job " + job + " abandoned: it is no longer leased to this worker");
        } catch (Exception e) {
            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
            Log.info("job " + job + " failed: " + reason);
            try {
                plaza.fail(job, reason);
            } catch (LeaseLostException ignored) {
                // the plaza took the job back already
            } catch (IOException io) {
                Log.info("job " + job + ": the failure could not be reported (the lease will expire): " + io.getMessage());
            }
        } finally {
            renewal.cancel(false);
            if (work != null) deleteTree(work);
        }
    }

    /** An ordinary job: train every epoch, upload the weights, commit to the checkpoints, upload those asked for. */
    private JsonNode train(long job, TrainingEngine engine, ModelSpec spec, TrainingData data, Checkpoint start,
                           JobListener listener) throws IOException {
        if (start != null) listener.onCheckpoint(start); // a fine-tuning's checkpoint 0 is committed like a seeded one
        TrainedModel model = engine.train(spec, data, start, spec.hyperparameters().epochs(), listener);
        Path weights = listener.work.resolve("weights.safetensors");
        model.export(weights);
        plaza.uploadWeights(job, weights);
        int epochs = spec.hyperparameters().epochs();
        List<String> hashes = new ArrayList<>();
        for (int e = 0; e <= epochs; e++) hashes.add(listener.hash(e));
        for (int e : plaza.commitCheckpoints(job, hashes)) plaza.uploadCheckpoint(job, e, listener.file(e));
        Map<String, Object> claimed = metrics(model.finalMetrics());
        claimed.put("epochs", model.history().size());
        claimed.put("engine", model.engine());
        return plaza.complete(job, claimed);
    }

    /**
     * A tree model: train every round with XGBoost, on the slot's GPU where XGBoost can (else on the CPU), upload the
     * model and complete with the last round's metrics. The plaza verifies it on its held-out split only (no
     * checkpoints: rounds are not audited).
     */
    private JsonNode trainTrees(long job, TrainingEngine slot, BoostedTreesSpec spec, TrainingData data, JobListener listener)
            throws IOException {
        XgboostTrainer trainer = new XgboostTrainer(TrainableFamilies.treeDevice(slot));
        Log.info("job " + job + ": " + spec.rounds() + " rounds of gradient-boosted trees with " + trainer.description());
        RoundReports rounds = new RoundReports(listener);
        XgboostTrainer.TrainedBooster model = trainer.train(spec, data, rounds);
        rounds.reportLast(model.finalMetrics());
        Path weights = listener.work.resolve("model.json");
        model.export(weights);
        plaza.uploadWeights(job, weights);
        Map<String, Object> claimed = metrics(model.finalMetrics());
        claimed.put("epochs", model.history().size());
        claimed.put("engine", "xgboost");
        return plaza.complete(job, claimed);
    }

    /** A fine-tuning job's checkpoint 0, from its parent's weights; null for a job that starts from a seeded network. */
    private Checkpoint parent(Lease lease, ModelSpec spec, TrainingData data, JobListener listener) throws IOException {
        if (!lease.parentWeights()) return null;
        Path encrypted = listener.work.resolve("parent.safetensors.enc");
        plaza.downloadParentWeights(lease.id(), encrypted);
        try {
            return Checkpoint.fineTuned(spec, data.featureCount(), EncryptedShardData.parentWeights(encrypted, lease.shardKey()));
        } finally {
            Files.deleteIfExists(encrypted);
        }
    }

    /** An audit: train epoch k of another worker's job from its checkpoint k-1; the weights are checkpoint k. */
    private JsonNode audit(long job, int k, TrainingEngine engine, ModelSpec spec, TrainingData data, JobListener listener)
            throws IOException {
        if (k < 1 || k > spec.hyperparameters().epochs()) {
            throw new IllegalArgumentException("cannot audit epoch " + k + " of " + spec.hyperparameters().epochs());
        }
        Path startFile = listener.work.resolve("start.safetensors");
        plaza.downloadStartCheckpoint(job, startFile);
        Checkpoint start = Checkpoint.read(startFile);
        if (start.epoch() != k - 1) {
            throw new IOException("the start checkpoint is of epoch " + start.epoch() + ", the audit of epoch " + k + " needs " + (k - 1));
        }
        TrainedModel model = engine.train(spec, data, start, k, listener);
        plaza.uploadWeights(job, listener.file(k));
        Map<String, Object> claimed = new LinkedHashMap<>();
        claimed.put("loss", finite(model.finalMetrics().loss()));
        claimed.put("accuracy", finite(model.finalMetrics().accuracy()));
        claimed.put("epochs", 1);
        claimed.put("engine", model.engine());
        claimed.put("auditEpoch", k);
        return plaza.complete(job, claimed);
    }

    /**
     * A tree job's rounds, reported at most once every {@link #ROUND_REPORT_INTERVAL} and the last one always: a round of
     * a small table takes a millisecond, its report (a log line, an HTTP call, a row and a live update) ten times that, so
     * reporting all 300 rounds of the builder's trees for a 1,800-row table made the job 7 times as long as its training.
     * Ten reports a second keep that cost under a sixth and still draw the job page's curves.
     */
    private static final class RoundReports implements TrainingListener {
        static final long ROUND_REPORT_INTERVAL = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100);
        private final TrainingListener job;
        private long lastReport;
        private EpochMetrics unreported;

        RoundReports(TrainingListener job) {
            this.job = job;
            this.lastReport = System.nanoTime() - ROUND_REPORT_INTERVAL;
        }

        @Override
        public void onEpoch(EpochMetrics round) {
            long now = System.nanoTime();
            if (now - lastReport >= ROUND_REPORT_INTERVAL) {
                job.onEpoch(round);
                lastReport = now;
                unreported = null;
            } else {
                unreported = round;
            }
        }

        /** The last round, unless it was reported already. */
        void reportLast(EpochMetrics last) {
            if (unreported != null) job.onEpoch(last);
        }

        @Override
        public boolean isCancelled() {
            return job.isCancelled();
        }
    }

    /** Reports each epoch, keeps each checkpoint in the job's directory with its SHA-256, stops when the lease is lost. */
    private final class JobListener implements TrainingListener {
        final long job;
        final Path work;
        final AtomicBoolean lost;
        final Map<Integer, String> hashes = new HashMap<>();

        JobListener(long job, Path work, AtomicBoolean lost) {
            this.job = job;
            this.work = work;
            this.lost = lost;
        }

        @Override
        public void onEpoch(EpochMetrics m) {
            Log.info("job " + job + ": " + m);
            try {
                plaza.progress(job, metrics(m));
            } catch (LeaseLostException e) {
                lost.set(true);
            } catch (IOException e) {
                Log.info("job " + job + ": progress not reported: " + e.getMessage());
            }
        }

        @Override
        public void onCheckpoint(Checkpoint c) throws IOException {
            Path file = path(c.epoch());
            c.write(file);
            hashes.put(c.epoch(), Sha256.of(file));
        }

        @Override
        public boolean isCancelled() {
            return lost.get();
        }

        private Path path(int epoch) {
            return work.resolve("checkpoint-" + epoch + ".safetensors");
        }

        /** The file of a checkpoint the engine gave. */
        Path file(int epoch) {
            hash(epoch); // refuses an epoch the engine gave no checkpoint of
            return path(epoch);
        }

        String hash(int epoch) {
            String h = hashes.get(epoch);
            if (h == null) throw new IllegalStateException("the engine gave no checkpoint of epoch " + epoch);
            return h;
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            Log.info("could not delete " + dir + ": " + e.getMessage());
        }
    }

    /** The hyperparameters the requester chose (names as in the card). */
    private static JsonNode chosen(Lease lease) throws IOException {
        return JSON.readTree(lease.hyperparametersJson() == null ? "{}" : lease.hyperparametersJson());
    }

    /** The card's network and defaults, with the hyperparameters the requester chose. */
    static ModelSpec spec(Lease lease) throws IOException {
        ModelSpec card = ModelSpec.parse(lease.cardJson());
        JsonNode chosen = chosen(lease);
        Hyperparameters h = card.hyperparameters();
        h = new Hyperparameters(
                chosen.has("optimizer") ? OptimizerKind.parse(chosen.get("optimizer").asText()) : h.optimizer(),
                chosen.path("learningRate").asDouble(h.learningRate()),
                chosen.path("batchSize").asInt(h.batchSize()),
                chosen.path("epochs").asInt(h.epochs()),
                chosen.path("weightDecay").asDouble(h.weightDecay()),
                chosen.path("momentum").asDouble(h.momentum()),
                chosen.path("seed").asLong(h.seed()));
        return card.withHyperparameters(h);
    }

    private static Map<String, Object> metrics(EpochMetrics m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("epoch", m.epoch());
        out.put("loss", finite(m.loss()));
        out.put("accuracy", finite(m.accuracy()));
        out.put("samplesPerSecond", finite(m.samplesPerSecond()));
        return out;
    }

    /** JSON has no NaN: regression has no accuracy. */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private void heartbeat() throws IOException {
        Map<String, Object> beat = new LinkedHashMap<>();
        beat.put("engine", options.engines().get(0).id());
        beat.put("gpuMemoryMb", options.memoryMb());
        beat.put("cachedDatasets", cache.cachedDatasets());
        beat.put("measuredScore", measuredScore);
        beat.put("benchmark", benchmarkReport);
        beat.put("benchmarkScore", trainingSamplesPerSecond);
        beat.put("families", trainable.families());
        plaza.heartbeat(beat);
    }

    private void heartbeatQuietly() {
        try {
            heartbeat();
        } catch (IOException | RuntimeException e) {
            Log.info("heartbeat failed: " + e.getMessage());
        }
    }

    private void reportSwitch(IdleCommand.State state, String command) {
        Log.info("idle command " + state.name().toLowerCase(java.util.Locale.ROOT));
        if (switchesUnsupported.get()) return;
        try {
            if (!plaza.switched(state.name(), command)) {
                switchesUnsupported.set(true);
                Log.info("this plaza does not record idle-command switches (404); not reporting them");
            }
        } catch (IOException e) {
            Log.info("switch not reported: " + e.getMessage());
        }
    }
}
