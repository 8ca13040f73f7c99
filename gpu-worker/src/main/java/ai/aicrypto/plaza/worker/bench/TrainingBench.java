package ai.aicrypto.plaza.worker.bench;

import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.data.IdxLoader;
import ai.aicrypto.plaza.worker.data.InMemoryData;
import ai.aicrypto.plaza.worker.data.Shard;
import ai.aicrypto.plaza.worker.data.ShardDirectoryData;
import ai.aicrypto.plaza.worker.data.ShardWriter;
import ai.aicrypto.plaza.worker.engine.Evaluator;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.dense.CpuKernels;
import ai.aicrypto.plaza.worker.engine.dense.DenseBackend;
import ai.aicrypto.plaza.worker.gpu.CudaBackend;
import ai.aicrypto.plaza.worker.gpu.GpuDevice;
import ai.aicrypto.plaza.worker.gpu.GpuDevices;
import ai.aicrypto.plaza.worker.gpu.JCudaEngine;
import ai.aicrypto.plaza.worker.model.ConvSpec;
import ai.aicrypto.plaza.worker.model.ModelSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Training benchmark (ops/bench/training): the worker's CPU engine, whole job (open shards, train, export
 * weights), against {@link PlainDjlBaseline} on the same card and shards in the same JVM, interleaved runs, best
 * of each. Prints {@code name value} lines first, then details.
 * <pre>
 *   TrainingBench CARD.json FASHION_MNIST_DIR WORK_DIR [epochs=2] [rows=60000] [runs=2]
 * </pre>
 */
public final class TrainingBench {

    private TrainingBench() {
    }

    public static void main(String[] args) throws Exception {
        Path card = Path.of(args[0]);
        Path fashion = Path.of(args[1]);
        Path work = Path.of(args[2]);
        int epochs = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int rows = args.length > 4 ? Integer.parseInt(args[4]) : 60000;
        int runs = args.length > 5 ? Integer.parseInt(args[5]) : 2;
        List<String> classes = List.of("t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot");

        Path shards = work.resolve("shards-" + rows);
        if (!Files.exists(shards.resolve("shard-00000.safetensors"))) {
            Shard train = IdxLoader.load(fashion.resolve("train-images-idx3-ubyte.gz"), fashion.resolve("train-labels-idx1-ubyte.gz"), 0, rows);
            ShardWriter.write(shards, train, 10000, classes, "idx");
        }
        Shard test = IdxLoader.load(fashion.resolve("t10k-images-idx3-ubyte.gz"), fashion.resolve("t10k-labels-idx1-ubyte.gz"), 0, 10000);
        ModelSpec spec = ModelSpec.parse(card);
        spec = spec.withHyperparameters(spec.hyperparameters().withEpochs(epochs));
        DjlCpuEngine engine = new DjlCpuEngine();

        // Warm-up (natives, JIT) of both on one shard, one epoch.
        Path warm = work.resolve("warmup");
        if (!Files.exists(warm.resolve("shard-00000.safetensors"))) {
            Files.createDirectories(warm);
            Files.copy(shards.resolve("shard-00000.safetensors"), warm.resolve("shard-00000.safetensors"));
        }
        ModelSpec warmSpec = spec.withHyperparameters(spec.hyperparameters().withEpochs(1));
        engine.train(warmSpec, ShardDirectoryData.open(warm), TrainingListener.NONE);
        PlainDjlBaseline.run(warmSpec, warm, work.resolve("plain-out"));

        List<String> details = new ArrayList<>();
        double bestEngine = 0, bestPlain = 0;
        TrainedModel last = null;
        for (int r = 1; r <= runs; r++) {
            long t0 = System.nanoTime();
            ShardDirectoryData data = ShardDirectoryData.open(shards);
            TrainedModel m = engine.train(spec, data, TrainingListener.NONE);
            m.export(work.resolve("weights.safetensors"));
            double s = (System.nanoTime() - t0) / 1e9;
            double sps = data.rows() * (double) epochs / s;
            bestEngine = Math.max(bestEngine, sps);
            last = m;
            details.add(String.format(Locale.ROOT, "run %d cpu_engine: %.2f s, %.0f samples/s, epoch losses %s", r, s, sps,
                    m.history().stream().map(e -> String.format(Locale.ROOT, "%.4f", e.loss())).toList()));
            PlainDjlBaseline.Result p = PlainDjlBaseline.run(spec, shards, work.resolve("plain-out"));
            bestPlain = Math.max(bestPlain, p.samplesPerSecond());
            details.add(String.format(Locale.ROOT, "run %d plain_djl: %.2f s, %.0f samples/s", r, p.seconds(), p.samplesPerSecond()));
        }
        // a cnn card's figures are named apart from the MLP's, which ops/bench/training measures in the same run
        String prefix = spec.isConvolutional() ? "cnn_" : "cpu_engine_";
        System.out.printf(Locale.ROOT, "%ssamples_per_s %.0f%n", prefix, bestEngine);
        System.out.printf(Locale.ROOT, "%splain_djl_samples_per_s %.0f%n", spec.isConvolutional() ? prefix : "", bestPlain);
        System.out.printf(Locale.ROOT, "%s %.3f%n", spec.isConvolutional() ? "cnn_samples_per_s_vs_plain_djl" : "cpu_engine_vs_plain_djl",
                bestEngine / bestPlain);
        System.out.println("# model: " + spec.template() + (spec.isConvolutional() ? " " + spec.conv().blocks() : "") + " "
                + spec.hiddenSizes() + " " + spec.activation() + " dropout " + spec.dropout() + ", " + spec.hyperparameters());
        System.out.println("# data: " + rows + " Fashion-MNIST training images in " + ShardDirectoryData.open(shards).shardCount()
                + " shards, " + epochs + " epochs, best of " + runs + " interleaved runs; " + engine.description()
                + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        details.forEach(d -> System.out.println("# " + d));
        Evaluator.Result eval = Evaluator.evaluate(spec, last.weights(), InMemoryData.of(test, classes));
        System.out.println("# cpu_engine held-out (t10k): " + eval);
        if (spec.isConvolutional()) {
            if (rows == 60000) {
                // the whole training split through the card's epochs: the target is >= 0.90 within 10 epochs
                System.out.printf(Locale.ROOT, "fashion_mnist_cnn_heldout_accuracy %.4f%n", eval.accuracy());
                System.out.printf(Locale.ROOT, "fashion_mnist_cnn_training_seconds %.0f%n", rows * (double) epochs / bestEngine);
            }
        }

        List<GpuDevice> gpus = GpuDevices.discover();
        if (gpus.isEmpty()) {
            System.out.println("gpu none: " + GpuDevices.unavailableReason() + (spec.isConvolutional()
                    ? " (no JCuda cnn vs CPU engine losses, no conv GEMM vs cuBLAS SGEMM figures)"
                    : " (no JCuda dense-layer vs cuBLAS SGEMM figures)"));
            return;
        }
        GpuDevice d = gpus.get(0);
        StartupBenchmark.Report peak = StartupBenchmark.gpuSgemm(d, 4096, 10);
        JCudaEngine gpu = new JCudaEngine(d);
        gpu.train(warmSpec, ShardDirectoryData.open(warm), TrainingListener.NONE);
        long t0 = System.nanoTime();
        ShardDirectoryData data = ShardDirectoryData.open(shards);
        TrainedModel m = gpu.train(spec, data, TrainingListener.NONE);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%sengine_samples_per_s %.0f%n", spec.isConvolutional() ? "gpu_cnn_" : "gpu_", data.rows() * (double) epochs / s);
        System.out.printf(Locale.ROOT, "gpu_sgemm_peak_gflops %.1f%n", peak.gemmGflops());
        if (spec.isConvolutional()) {
            double worst = 0;
            for (int e = 0; e < epochs; e++) {
                double g = m.history().get(e).loss(), c = last.history().get(e).loss();
                worst = Math.max(worst, Math.abs(g - c) / c);
                System.out.printf(Locale.ROOT, "gpu_cnn_epoch_%d_loss %.5f%n", e + 1, g);
                System.out.printf(Locale.ROOT, "cpu_engine_cnn_epoch_%d_loss %.5f%n", e + 1, c);
            }
            System.out.printf(Locale.ROOT, "gpu_cnn_vs_cpu_engine_max_relative_loss_difference %.2e%n", worst);
            double convFlops = 6.0 * convMacsPerImage(spec.conv()) * data.rows() * epochs; // forward 2, backward 4 FLOP per MAC
            System.out.printf(Locale.ROOT, "gpu_cnn_conv_gflops_in_training %.1f%n", convFlops / s / 1e9);
            double gemm = convGemmGflops(d, spec.conv(), (int) Math.min(spec.hyperparameters().batchSize(), data.rows()), 20);
            System.out.printf(Locale.ROOT, "gpu_cnn_conv_gemm_gflops %.1f%n", gemm);
            System.out.printf(Locale.ROOT, "gpu_cnn_conv_gemm_vs_sgemm_peak %.3f%n", gemm / peak.gemmGflops());
        } else {
            long params = 0;
            for (var t : m.weights().values()) params += t.size();
            double gflops = 6.0 * params * data.rows() * epochs / s / 1e9; // forward 2, backward 4 FLOP per weight and sample
            System.out.printf(Locale.ROOT, "gpu_dense_gflops %.1f%n", gflops);
            System.out.printf(Locale.ROOT, "gpu_dense_vs_sgemm_peak %.3f%n", gflops / peak.gemmGflops());
        }
        System.out.println("# " + d);
    }

    /** Multiply-adds of a cnn's conv layers per image, forward (the backward pass does twice as many). */
    static long convMacsPerImage(ConvSpec conv) {
        int[][] shapes = conv.shapes();
        long macs = 0;
        for (int i = 0; i < conv.blocks().size(); i++) {
            ConvSpec.Block b = conv.blocks().get(i);
            long pixels = (long) CpuKernels.convOut(shapes[i][1], b.kernel(), b.stride(), b.padding())
                    * CpuKernels.convOut(shapes[i][2], b.kernel(), b.stride(), b.padding());
            macs += pixels * b.channels() * shapes[i][0] * b.kernel() * b.kernel();
        }
        return macs;
    }

    /**
     * The conv layers' GEMMs alone, as the JCuda cnn runs them on a batch (forward, weight and input gradients, with the
     * bias kernels; block 0 has no input gradient), timed over {@code reps} batches after one warm-up.
     */
    static double convGemmGflops(GpuDevice device, ConvSpec conv, int batch, int reps) {
        int[][] shapes = conv.shapes();
        int blocks = conv.blocks().size();
        try (CudaBackend be = new CudaBackend(device)) {
            DenseBackend.Buf[][] bufs = new DenseBackend.Buf[blocks][];
            int[][] dims = new int[blocks][];
            double flops = 0;
            for (int i = 0; i < blocks; i++) {
                ConvSpec.Block b = conv.blocks().get(i);
                int rows = batch * CpuKernels.convOut(shapes[i][1], b.kernel(), b.stride(), b.padding())
                        * CpuKernels.convOut(shapes[i][2], b.kernel(), b.stride(), b.padding());
                int patch = shapes[i][0] * b.kernel() * b.kernel(), out = b.channels();
                dims[i] = new int[]{rows, patch, out};
                bufs[i] = new DenseBackend.Buf[]{be.alloc(rows * patch), be.alloc(out * patch), be.alloc(out), be.alloc(rows * out),
                        i > 0 ? be.alloc(rows * patch) : null, be.alloc(out * patch), be.alloc(out)};
                flops += 2.0 * rows * patch * out * (i > 0 ? 3 : 2);
            }
            Runnable step = () -> {
                for (int i = 0; i < blocks; i++) {
                    DenseBackend.Buf[] x = bufs[i];
                    be.linearForward(x[0], x[1], x[2], x[3], dims[i][0], dims[i][1], dims[i][2]);
                    be.linearBackward(x[0], x[1], x[3], x[4], x[5], x[6], dims[i][0], dims[i][1], dims[i][2]);
                }
            };
            step.run();
            be.synchronize();
            long t0 = System.nanoTime();
            for (int r = 0; r < reps; r++) step.run();
            be.synchronize();
            return flops * reps / ((System.nanoTime() - t0) / 1e9) / 1e9;
        }
    }
}
