package ai.aicrypto.plaza.worker.bench;

import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.data.InMemoryData;
import ai.aicrypto.plaza.worker.data.Shard;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.gpu.CudaBackend;
import ai.aicrypto.plaza.worker.gpu.GpuDevice;
import ai.aicrypto.plaza.worker.gpu.GpuDevices;
import ai.aicrypto.plaza.worker.model.Activation;
import ai.aicrypto.plaza.worker.model.Hyperparameters;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.aicrypto.plaza.worker.model.OptimizerKind;
import ai.aicrypto.plaza.worker.data.Task;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasOperation;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What a worker reports about itself at start-up: cuBLAS SGEMM GFLOP/s per GPU when there is one, and on the CPU
 * a DJL matmul GFLOP/s plus the CPU engine's training throughput (samples/s) on a Fashion-MNIST-sized MLP.
 */
public final class StartupBenchmark {

    public record Report(String device, double gemmGflops, double trainSamplesPerSecond, String details) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%s: %.1f GFLOP/s sgemm, %s", device, gemmGflops,
                    Double.isNaN(trainSamplesPerSecond) ? "training not measured" : String.format(java.util.Locale.ROOT, "%.0f training samples/s", trainSamplesPerSecond))
                    + (details.isEmpty() ? "" : " (" + details + ")");
        }
    }

    private StartupBenchmark() {
    }

    /** All reports: one per GPU, then the CPU. */
    public static List<Report> run() {
        List<Report> out = new ArrayList<>();
        for (GpuDevice d : GpuDevices.discover()) out.add(gpuSgemm(d, 4096, 10));
        out.add(cpu());
        return out;
    }

    /** cuBLAS SGEMM n x n x n, {@code reps} timed repetitions after one warm-up. */
    public static Report gpuSgemm(GpuDevice device, int n, int reps) {
        try (CudaBackend be = new CudaBackend(device)) {
            CudaBackend.CBuf a = (CudaBackend.CBuf) be.alloc(n * n), b = (CudaBackend.CBuf) be.alloc(n * n), c = (CudaBackend.CBuf) be.alloc(n * n);
            Pointer one = Pointer.to(new float[]{1f}), zero = Pointer.to(new float[]{0f});
            jcuda.jcublas.cublasHandle h = new jcuda.jcublas.cublasHandle();
            JCublas2.cublasCreate(h);
            try {
                Runnable gemm = () -> JCublas2.cublasSgemm(h, cublasOperation.CUBLAS_OP_N, cublasOperation.CUBLAS_OP_N, n, n, n,
                        one, a.ptr(), n, b.ptr(), n, zero, c.ptr(), n);
                gemm.run();
                JCudaDriver.cuCtxSynchronize();
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) gemm.run();
                JCudaDriver.cuCtxSynchronize();
                double s = (System.nanoTime() - t0) / 1e9;
                return new Report(device.toString(), 2.0 * n * n * n * reps / s / 1e9, Double.NaN, "cuBLAS SGEMM " + n + "^3");
            } finally {
                JCublas2.cublasDestroy(h);
            }
        }
    }

    public static Report cpu() {
        double gflops = djlMatmulGflops(512, 20);
        double sps = cpuTrainingSamplesPerSecond(4096, 2);
        return new Report("CPU (" + Runtime.getRuntime().availableProcessors() + " cores)", gflops, sps,
                "DJL/PyTorch matmul 512^3; MLP 784-256-128-10, adam, batch 64");
    }

    public static double djlMatmulGflops(int n, int reps) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), DjlCpuEngine.pytorch().getEngineName())) {
            NDArray a = m.randomUniform(-1, 1, new Shape(n, n)), b = m.randomUniform(-1, 1, new Shape(n, n));
            a.matMul(b).close();
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                NDArray c = a.matMul(b);
                c.getFloat(0, 0); // forces completion
                c.close();
            }
            return 2.0 * n * n * n * reps / ((System.nanoTime() - t0) / 1e9) / 1e9;
        }
    }

    /** Training throughput of the CPU engine on synthetic 28x28 data (second epoch, after warm-up). */
    public static double cpuTrainingSamplesPerSecond(int rows, int epochs) {
        SplittableRandom r = new SplittableRandom(1);
        float[] f = new float[rows * 784];
        for (int i = 0; i < f.length; i++) f[i] = (float) r.nextDouble();
        int[] l = new int[rows];
        for (int i = 0; i < rows; i++) l[i] = r.nextInt(10);
        List<String> classes = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        ModelSpec spec = new ModelSpec("startup benchmark", Task.CLASSIFICATION, "mlp", List.of(256, 128), Activation.RELU, 0.2, 10,
                classes, 784, new Hyperparameters(OptimizerKind.ADAM, 0.001, 64, epochs, 1e-4, 0, 1));
        try {
            TrainedModel m = new DjlCpuEngine().train(spec, InMemoryData.of(new Shard(rows, 784, f, l, null), classes), TrainingListener.NONE);
            return m.finalMetrics().samplesPerSecond();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
