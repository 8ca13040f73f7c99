package ai.aicrypto.plaza.worker;

import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.dense.CpuKernels;
import ai.aicrypto.plaza.worker.engine.dense.DenseBackend;
import ai.aicrypto.plaza.worker.gpu.CudaBackend;
import ai.aicrypto.plaza.worker.gpu.GpuDevice;
import ai.aicrypto.plaza.worker.gpu.GpuDevices;
import ai.aicrypto.plaza.worker.gpu.JCudaEngine;
import ai.aicrypto.plaza.worker.model.Activation;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** GPU-only checks; each is skipped, with the reason printed, when no CUDA device is available. */
class GpuEngineTest {

    /** GPU vs CPU engine: relative difference allowed per epoch mean loss. */
    static final double LOSS_TOLERANCE = 2e-3;

    private static GpuDevice device;

    @BeforeAll
    static void discover() {
        List<GpuDevice> devices = GpuDevices.discover();
        device = devices.isEmpty() ? null : devices.get(0);
        if (device == null) System.out.println("GpuEngineTest: skipping GPU tests: " + GpuDevices.unavailableReason());
    }

    private static void requireGpu() {
        assumeTrue(device != null, () -> "no GPU: " + GpuDevices.unavailableReason());
    }

    @Test
    void discoveryWithoutADriverIsEmptyAndSaysWhy() {
        if (device == null) {
            assertTrue(GpuDevices.discover().isEmpty());
            assertNotNull(GpuDevices.unavailableReason());
            assertThrows(IllegalStateException.class, JCudaEngine::firstDevice);
        } else {
            assertFalse(device.name().isBlank());
            assertTrue(device.totalMemoryBytes() > 0);
            assertTrue(device.computeMajor() >= 3);
        }
    }

    @Test
    void kernelsMatchTheirCpuReferences() {
        requireGpu();
        Random r = new Random(5);
        int b = 33, in = 70, out = 10;
        float[] x = rnd(r, b * in), w = rnd(r, out * in), bias = rnd(r, out), dy = rnd(r, b * out);
        try (CudaBackend gpu = new CudaBackend(device)) {
            DenseBackend.Buf gx = up(gpu, x), gw = up(gpu, w), gb = up(gpu, bias), gdy = up(gpu, dy);
            DenseBackend.Buf gy = gpu.alloc(b * out), gdx = gpu.alloc(b * in), gdw = gpu.alloc(out * in), gdb = gpu.alloc(out);
            gpu.linearForward(gx, gw, gb, gy, b, in, out);
            gpu.linearBackward(gx, gw, gdy, gdx, gdw, gdb, b, in, out);
            float[] y = new float[b * out], dx = new float[b * in], dw = new float[out * in], db = new float[out];
            CpuKernels.matmulForward(x, w, y, b, in, out);
            CpuKernels.biasAdd(y, bias, b, out);
            CpuKernels.matmulInputGrad(w, dy, dx, b, in, out);
            CpuKernels.matmulWeightGrad(x, dy, dw, b, in, out);
            CpuKernels.biasGrad(dy, db, b, out);
            assertArrayEquals(y, down(gpu, gy, y.length), 1e-4f, "linear forward");
            assertArrayEquals(dx, down(gpu, gdx, dx.length), 1e-4f, "dx");
            assertArrayEquals(dw, down(gpu, gdw, dw.length), 1e-4f, "dw");
            assertArrayEquals(db, down(gpu, gdb, db.length), 1e-4f, "db");
            for (Activation a : Activation.values()) {
                float[] h = new float[b * out], dz = new float[b * out];
                CpuKernels.activationForward(a, y, h, h.length);
                CpuKernels.activationBackward(a, y, dy, dz, dz.length);
                DenseBackend.Buf gh = gpu.alloc(b * out), gdz = gpu.alloc(b * out), gyy = up(gpu, y);
                gpu.activationForward(a, gyy, gh, h.length);
                gpu.activationBackward(a, gyy, gdy, gdz, dz.length);
                assertArrayEquals(h, down(gpu, gh, h.length), 1e-5f, a + " forward");
                assertArrayEquals(dz, down(gpu, gdz, dz.length), 1e-5f, a + " backward");
            }
            float[] labels = new float[b];
            for (int i = 0; i < b; i++) labels[i] = i % out;
            float[] d = new float[b * out], loss = new float[b], corr = new float[b];
            CpuKernels.softmaxCrossEntropy(y, labels, d, loss, corr, b, out);
            DenseBackend.Buf gd = gpu.alloc(b * out), gl = gpu.alloc(b), gc = gpu.alloc(b);
            gpu.softmaxCrossEntropy(up(gpu, y), up(gpu, labels), gd, gl, gc, b, out);
            assertArrayEquals(d, down(gpu, gd, d.length), 1e-6f, "softmax dlogits");
            assertArrayEquals(loss, down(gpu, gl, b), 1e-5f, "softmax loss");
            assertArrayEquals(corr, down(gpu, gc, b), "argmax");
            float[] m = new float[out * in], v = new float[out * in], ww = w.clone();
            DenseBackend.Buf gm = gpu.alloc(out * in), gv = gpu.alloc(out * in);
            CpuKernels.adamUpdate(ww, dw, m, v, ww.length, 0.01f, 0.001f, 0.9f, 0.999f, 1e-8f, 0.1f, 0.001f);
            gpu.adamUpdate(gw, gdw, gm, gv, ww.length, 0.01f, 0.001f, 0.9f, 0.999f, 1e-8f, 0.1f, 0.001f);
            assertArrayEquals(ww, down(gpu, gw, ww.length), 1e-5f, "adam");
            float[] vel = new float[out], bb = bias.clone();
            DenseBackend.Buf gvel = gpu.alloc(out);
            CpuKernels.sgdUpdate(bb, db, vel, out, 0.1f, 0f, 0.9f);
            gpu.sgdUpdate(gb, gdb, gvel, out, 0.1f, 0f, 0.9f);
            assertArrayEquals(bb, down(gpu, gb, out), 1e-5f, "sgd");
        }
    }

    @Test
    void gpuEngineMatchesCpuEngine() throws Exception {
        requireGpu();
        ModelSpec spec = TestData.mlpCard();
        spec = spec.withHyperparameters(spec.hyperparameters().withEpochs(2));
        TrainingData train = TestData.train(2000);
        TrainedModel g = new JCudaEngine(device).train(spec, train, TrainingListener.NONE);
        TrainedModel c = new DjlCpuEngine().train(spec, train, TrainingListener.NONE);
        for (int e = 0; e < 2; e++) {
            double x = g.history().get(e).loss(), y = c.history().get(e).loss();
            assertEquals(y, x, LOSS_TOLERANCE * Math.abs(y), "epoch " + (e + 1) + " loss gpu " + x + " cpu " + y);
        }
    }

    private static float[] rnd(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    private static DenseBackend.Buf up(DenseBackend be, float[] a) {
        DenseBackend.Buf b = be.alloc(a.length);
        be.upload(b, a, a.length);
        return b;
    }

    private static float[] down(DenseBackend be, DenseBackend.Buf b, int n) {
        float[] a = new float[n];
        be.download(b, a, n);
        return a;
    }
}
