package ai.aicrypto.plaza.worker.cli;

import ai.aicrypto.plaza.worker.Log;
import ai.aicrypto.plaza.worker.bench.StartupBenchmark;
import ai.aicrypto.plaza.worker.cpu.ConvGradients;
import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.data.ShardDirectoryData;
import ai.aicrypto.plaza.worker.engine.EpochMetrics;
import ai.aicrypto.plaza.worker.engine.Evaluator;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingEngine;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.dense.ReferenceEngine;
import ai.aicrypto.plaza.worker.gpu.GpuDevices;
import ai.aicrypto.plaza.worker.gpu.JCudaEngine;
import ai.aicrypto.plaza.worker.model.ModelSpec;

import ai.aicrypto.plaza.worker.gpu.GpuDevice;
import ai.aicrypto.plaza.worker.plaza.WorkerLoop;
import ai.aicrypto.plaza.worker.plaza.PlazaClient;
import ai.aicrypto.plaza.worker.plaza.TrainableFamilies;
import ai.aicrypto.plaza.worker.serving.ForwardPasses;
import ai.aicrypto.plaza.worker.serving.ServingLoop;
import ai.aicrypto.plaza.worker.engine.dense.DenseBackend;
import ai.aicrypto.plaza.worker.engine.dense.JavaBackend;
import ai.aicrypto.plaza.worker.gpu.CudaBackend;
import java.util.function.Supplier;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Command line of the GPU worker.
 * <pre>
 *   java -jar gpu-worker.jar --train CARD.json --data SHARD_DIR [--engine auto|cpu|gpu|reference]
 *        [--out weights.safetensors] [--eval HELD_OUT_SHARD_DIR] [--epochs N] [--seed N]
 *   PLAZA_WORKER_TOKEN=... java -jar gpu-worker.jar --plaza URL [--token-file FILE] [--gpus 0,1] [--idle-command CMD]
 *        [--cache DIR] [--engine auto|cpu|gpu|reference] [--poll-seconds N] [--heartbeat-seconds N] [--no-benchmark]
 *        [--families cnn,gbdt,...]
 *   java -jar gpu-worker.jar --devices
 *   java -jar gpu-worker.jar --benchmark
 * </pre>
 * With {@code --plaza} the worker serves the plaza's jobs ({@link WorkerLoop}) until it is stopped, and, when its
 * offer serves predictions, the plaza's prediction calls beside them ({@link ServingLoop}: batches of at most
 * {@code --serve-batch} rows (64), gathered for at most {@code --serve-wait-ms} (2), models held in at most
 * {@code --serve-cache-mb} (512) of memory; {@code --no-serving} turns it off). It trains the model families it finds
 * it can on this host ({@link TrainableFamilies}), or those of them {@code --families} names. Its token
 * comes from {@code --token-file} or the environment ({@value #TOKEN_VARIABLE}), where other users cannot read
 * it; {@code --token} still works, but puts the token in the process list.
 */
public final class WorkerMain {

    private WorkerMain() {
    }

    public static void main(String[] args) {
        int rc;
        try {
            stopWithTheProcessThatStartedThisOne();
            rc = trains(args) && wrongConvGradients() && canRunAgain() ? runAgainWithSafeConvolutions() : run(args, System.out);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("error: " + e.getMessage());
            rc = 2;
        } catch (Exception e) {
            e.printStackTrace();
            rc = 1;
        }
        System.exit(rc);
    }

    static final String TOKEN_VARIABLE = "PLAZA_WORKER_TOKEN";

    private static boolean trains(String[] args) {
        return List.of(args).contains("--train") || List.of(args).contains("--plaza");
    }

    /** PyTorch computes wrong convolution gradients here, and oneDNN's instruction set was not capped yet (see {@link ConvGradients}). */
    private static boolean wrongConvGradients() {
        if (System.getenv(ConvGradients.ISA_VARIABLE) != null) return false;
        String fault = ConvGradients.fault();
        if (fault == null) return false;
        Log.info("PyTorch computes wrong convolution gradients on this CPU (" + fault + "); running again with "
                + ConvGradients.ISA_VARIABLE + "=" + ConvGradients.SAFE_ISA);
        return true;
    }

    /** Set in the child {@link #runAgainWithSafeConvolutions} starts: the process id of the one that started it. */
    static final String STARTED_BY_VARIABLE = "PLAZA_WORKER_STARTED_BY";

    /** Whether this JVM's command line is known, to be run again; where it is not, cnns are left out (TrainableFamilies). */
    private static boolean canRunAgain() {
        ProcessHandle.Info me = ProcessHandle.current().info();
        boolean known = me.command().isPresent() && me.arguments().isPresent();
        if (!known) Log.info("cannot start this worker again; start it with " + ConvGradients.ISA_VARIABLE + "=" + ConvGradients.SAFE_ISA + " to train cnns");
        return known;
    }

    /** This JVM's command line again, in a child with oneDNN capped, which this process waits for and ends with. */
    private static int runAgainWithSafeConvolutions() throws IOException, InterruptedException {
        ProcessHandle.Info me = ProcessHandle.current().info();
        List<String> command = new ArrayList<>();
        command.add(me.command().orElseThrow());
        command.addAll(List.of(me.arguments().orElseThrow()));
        ProcessBuilder again = new ProcessBuilder(command).inheritIO();
        again.environment().put(ConvGradients.ISA_VARIABLE, ConvGradients.SAFE_ISA);
        again.environment().put(STARTED_BY_VARIABLE, Long.toString(ProcessHandle.current().pid()));
        Process child = again.start();
        Runtime.getRuntime().addShutdownHook(new Thread(child::destroy)); // a stopped worker (TERM) stops its child too
        return child.waitFor();
    }

    /**
     * In the child of {@link #runAgainWithSafeConvolutions}: a parent stopped with TERM stops it through its shutdown
     * hook; one killed with -9 leaves it here, and it halts as its parent did, at once and saying nothing to the plaza.
     */
    private static void stopWithTheProcessThatStartedThisOne() {
        String parent = System.getenv(STARTED_BY_VARIABLE);
        if (parent == null || !parent.matches("\\d{1,19}")) return;
        ProcessHandle.of(Long.parseLong(parent)).ifPresentOrElse(
                p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(137)),
                () -> Runtime.getRuntime().halt(137));
    }

    static final String USAGE = """
            usage: gpu-worker --train CARD.json --data SHARD_DIR [--engine auto|cpu|gpu|reference]
                              [--out weights.safetensors] [--eval HELD_OUT_SHARD_DIR] [--epochs N] [--seed N]
                   gpu-worker --plaza URL [--token-file FILE] [--gpus 0,1] [--idle-command CMD] [--cache DIR]
                              [--engine auto|cpu|gpu|reference] [--poll-seconds N] [--heartbeat-seconds N] [--no-benchmark]
                              [--no-serving] [--serve-batch ROWS] [--serve-wait-ms MS] [--serve-cache-mb MB]
                              [--families softmax-regression,mlp,cnn,fasttext,gbdt]
                   gpu-worker --devices
                   gpu-worker --benchmark
            The worker token is read from the environment variable PLAZA_WORKER_TOKEN, or from the file given
            with --token-file. --token TOKEN works too, but anyone on the machine can read it in the process list.""";

    public static int run(String[] args, PrintStream out) throws Exception {
        String card = null, data = null, engineName = "auto", outFile = null, eval = null;
        Integer epochs = null;
        Long seed = null;
        boolean devices = false, benchmark = false, startupBenchmark = true;
        String plaza = null, token = null, tokenFile = null, gpus = null, idleCommand = null, cacheDir = null;
        int pollSeconds = 5, heartbeatSeconds = 30;
        boolean serving = true;
        java.util.Set<String> families = null;
        int serveBatch = 64, serveWaitMs = 2, serveCacheMb = 512;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--train" -> card = value(args, ++i, a);
                case "--data" -> data = value(args, ++i, a);
                case "--engine" -> engineName = value(args, ++i, a);
                case "--out" -> outFile = value(args, ++i, a);
                case "--eval" -> eval = value(args, ++i, a);
                case "--epochs" -> epochs = Integer.parseInt(value(args, ++i, a));
                case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                case "--devices" -> devices = true;
                case "--benchmark" -> benchmark = true;
                case "--plaza" -> plaza = value(args, ++i, a);
                case "--token" -> token = value(args, ++i, a);
                case "--token-file" -> tokenFile = value(args, ++i, a);
                case "--gpus" -> gpus = value(args, ++i, a);
                case "--idle-command" -> idleCommand = value(args, ++i, a);
                case "--cache" -> cacheDir = value(args, ++i, a);
                case "--poll-seconds" -> pollSeconds = Integer.parseInt(value(args, ++i, a));
                case "--heartbeat-seconds" -> heartbeatSeconds = Integer.parseInt(value(args, ++i, a));
                case "--no-benchmark" -> startupBenchmark = false;
                case "--no-serving" -> serving = false;
                case "--families" -> families = TrainableFamilies.parse(value(args, ++i, a));
                case "--serve-batch" -> serveBatch = Integer.parseInt(value(args, ++i, a));
                case "--serve-wait-ms" -> serveWaitMs = Integer.parseInt(value(args, ++i, a));
                case "--serve-cache-mb" -> serveCacheMb = Integer.parseInt(value(args, ++i, a));
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> throw new IllegalArgumentException("unknown argument " + a + "\n" + USAGE);
            }
        }
        if (devices) {
            var list = GpuDevices.discover();
            if (list.isEmpty()) out.println("no GPU: " + GpuDevices.unavailableReason());
            list.forEach(out::println);
            return 0;
        }
        if (benchmark) {
            for (StartupBenchmark.Report r : StartupBenchmark.run()) out.println(r);
            return 0;
        }
        if (plaza != null || token != null || tokenFile != null) {
            if (plaza == null) throw new IllegalArgumentException("a worker token needs --plaza URL\n" + USAGE);
            token = workerToken(token, tokenFile, System.getenv(TOKEN_VARIABLE));
            List<GpuDevice> gpuSlots = chooseDevices(engineName, gpus);
            List<TrainingEngine> engines = gpuSlots.isEmpty() ? List.of(engine(engineName.equals("auto") ? "cpu" : engineName))
                    : gpuSlots.stream().<TrainingEngine>map(JCudaEngine::new).toList();
            int memoryMb = gpuSlots.isEmpty() ? (int) (Runtime.getRuntime().maxMemory() >> 20)
                    : (int) (gpuSlots.stream().mapToLong(GpuDevice::totalMemoryBytes).min().orElseThrow() >> 20);
            Path cache = cacheDir != null ? Path.of(cacheDir) : Path.of(System.getProperty("user.home"), ".cache", "aiplaza-worker");
            if (serving) {
                if (serveBatch < 1 || serveBatch > 4096 || serveWaitMs < 0 || serveWaitMs > 1000 || serveCacheMb < 1) {
                    throw new IllegalArgumentException("--serve-batch is 1 to 4096, --serve-wait-ms 0 to 1000, --serve-cache-mb at least 1");
                }
                Supplier<DenseBackend> backends = gpuSlots.isEmpty() ? JavaBackend::new : () -> new CudaBackend(gpuSlots.get(0));
                new ServingLoop(new PlazaClient(plaza, token), new ForwardPasses(backends, serveBatch)::load,
                        new ServingLoop.Options(2, serveBatch, Duration.ofMillis(serveWaitMs), (long) serveCacheMb << 20)).start();
            }
            new WorkerLoop(new WorkerLoop.Options(plaza, token, engines, memoryMb, idleCommand, cache,
                    Duration.ofSeconds(pollSeconds), Duration.ofSeconds(heartbeatSeconds), startupBenchmark, families)).run();
            return 0;
        }
        if (card == null || data == null) throw new IllegalArgumentException(USAGE);
        TrainingEngine engine = engine(engineName);
        ModelSpec spec = ModelSpec.parse(Path.of(card));
        if (epochs != null) spec = spec.withHyperparameters(spec.hyperparameters().withEpochs(epochs));
        if (seed != null) spec = spec.withHyperparameters(spec.hyperparameters().withSeed(seed));
        ShardDirectoryData shards = ShardDirectoryData.open(Path.of(data));
        Log.info("Training '" + spec.name() + "' (" + spec.template() + ") on " + shards.rows() + " rows in " + shards.shardCount()
                + " shard(s) with " + engine.description());
        TrainedModel model = engine.train(spec, shards, new TrainingListener() {
            @Override
            public void onEpoch(EpochMetrics m) {
                out.println(m);
            }
        });
        if (outFile != null) {
            model.export(Path.of(outFile));
            out.println("weights written to " + outFile);
        }
        if (eval != null) {
            out.println("held-out: " + Evaluator.evaluate(spec, model.weights(), ShardDirectoryData.open(Path.of(eval))));
        }
        return 0;
    }

    /** The worker's token: from {@code --token} or {@code --token-file} (not both), else from the environment. */
    static String workerToken(String token, String tokenFile, String fromEnvironment) {
        if (token != null && tokenFile != null) throw new IllegalArgumentException("give --token or --token-file, not both");
        String value = token != null ? token : tokenFile != null ? readTokenFile(tokenFile) : fromEnvironment;
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("no worker token: set " + TOKEN_VARIABLE + " or give --token-file FILE\n" + USAGE);
        }
        return value.strip();
    }

    private static String readTokenFile(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the token file " + file + ": " + e);
        }
    }

    /**
     * The GPUs to train on, one job on each at a time: those of {@code --gpus}, or every one found. None for the CPU:
     * when asked for, or when there is no usable GPU (discovery logs why, once).
     */
    static List<GpuDevice> chooseDevices(String engineName, String gpus) {
        List<Integer> wanted = gpus == null || gpus.isBlank() ? null : parseGpuList(gpus);
        if (!engineName.equals("auto") && !engineName.equals("gpu")) return List.of();
        List<GpuDevice> found = GpuDevices.discover();
        if (found.isEmpty()) {
            if (engineName.equals("gpu")) throw new IllegalStateException("GPU engine unavailable: " + GpuDevices.unavailableReason());
            return List.of();
        }
        if (wanted == null) return found;
        return wanted.stream()
                .map(ordinal -> found.stream().filter(d -> d.ordinal() == ordinal).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no GPU " + ordinal + " (found " + found.size() + ")")))
                .toList();
    }

    /** {@code --gpus 0,1}: distinct device ordinals, in the order given. */
    static List<Integer> parseGpuList(String gpus) {
        List<Integer> ordinals = new java.util.ArrayList<>();
        for (String part : gpus.split(",")) {
            int ordinal;
            try {
                ordinal = Integer.parseInt(part.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--gpus takes device numbers separated by commas, e.g. 0,1 (got '" + gpus + "')");
            }
            if (ordinal < 0 || ordinals.contains(ordinal)) {
                throw new IllegalArgumentException("--gpus names each device once, numbered from 0 (got '" + gpus + "')");
            }
            ordinals.add(ordinal);
        }
        return ordinals;
    }

    static TrainingEngine engine(String name) {
        return switch (name) {
            case "cpu" -> new DjlCpuEngine();
            case "gpu" -> JCudaEngine.firstDevice();
            case "reference" -> new ReferenceEngine();
            case "auto" -> GpuDevices.discover().isEmpty() ? new DjlCpuEngine() : JCudaEngine.firstDevice();
            default -> throw new IllegalArgumentException("unknown engine '" + name + "' (auto, cpu, gpu, reference)");
        };
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value");
        return args[i];
    }
}
