package ai.aicrypto.plaza.worker.cli;

import ai.aicrypto.plaza.worker.Log;
import ai.aicrypto.plaza.worker.bench.StartupBenchmark;
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

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Command line of the GPU worker.
 * <pre>
 *   java -jar gpu-worker.jar --train CARD.json --data SHARD_DIR [--engine auto|cpu|gpu|reference]
 *        [--out weights.safetensors] [--eval HELD_OUT_SHARD_DIR] [--epochs N] [--seed N]
 *   java -jar gpu-worker.jar --devices
 *   java -jar gpu-worker.jar --benchmark
 * </pre>
 * The plaza worker loop ({@code --plaza URL --token TOKEN}) is not part of this build.
 */
public final class WorkerMain {

    private WorkerMain() {
    }

    public static void main(String[] args) {
        int rc;
        try {
            rc = run(args, System.out);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("error: " + e.getMessage());
            rc = 2;
        } catch (Exception e) {
            e.printStackTrace();
            rc = 1;
        }
        System.exit(rc);
    }

    static final String USAGE = """
            usage: gpu-worker --train CARD.json --data SHARD_DIR [--engine auto|cpu|gpu|reference]
                              [--out weights.safetensors] [--eval HELD_OUT_SHARD_DIR] [--epochs N] [--seed N]
                   gpu-worker --devices
                   gpu-worker --benchmark""";

    public static int run(String[] args, PrintStream out) throws Exception {
        String card = null, data = null, engineName = "auto", outFile = null, eval = null;
        Integer epochs = null;
        Long seed = null;
        boolean devices = false, benchmark = false;
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
                case "--plaza", "--token" -> throw new IllegalArgumentException(
                        "the plaza worker loop (--plaza/--token) is not available in this build; use --train for local training");
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
