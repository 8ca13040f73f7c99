package ai.aicrypto.plaza.worker;

import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.dense.CpuKernels;
import ai.aicrypto.plaza.worker.engine.dense.DenseBackend;
import ai.aicrypto.plaza.worker.engine.dense.ReferenceEngine;
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

    /** Each conv, pooling and batch norm kernel against its plain-Java reference (channels-last), on random inputs. */
    @Test
    void convKernelsMatchTheirCpuReferences() {
        requireGpu();
        Random r = new Random(9);
        int n = 3, c = 5, h = 11, w = 9, k = 3, stride = 2, pad = 1;
        int oh = CpuKernels.convOut(h, k, stride, pad), ow = CpuKernels.convOut(w, k, stride, pad), patch = c * k * k;
        float[] x = rnd(r, n * h * w * c), dcols = rnd(r, n * oh * ow * patch);
        try (CudaBackend gpu = new CudaBackend(device)) {
            DenseBackend.Buf gx = up(gpu, x);
            float[] cols = new float[n * oh * ow * patch], dx = new float[x.length], t = new float[x.length];
            CpuKernels.im2col(x, cols, n, h, w, c, k, stride, pad);
            CpuKernels.col2im(dcols, dx, n, h, w, c, k, stride, pad);
            CpuKernels.transpose(x, t, n, h * w, c);
            DenseBackend.Buf gcols = gpu.alloc(cols.length), gdx = gpu.alloc(dx.length), gt = gpu.alloc(t.length);
            gpu.im2col(gx, gcols, n, h, w, c, k, stride, pad);
            gpu.col2im(up(gpu, dcols), gdx, n, h, w, c, k, stride, pad);
            gpu.transpose(gx, gt, n, h * w, c);
            assertArrayEquals(cols, down(gpu, gcols, cols.length), "im2col");
            assertArrayEquals(dx, down(gpu, gdx, dx.length), 1e-5f, "col2im");
            assertArrayEquals(t, down(gpu, gt, t.length), "transpose");

            for (int p : new int[]{2, 3}) {
                int pooled = n * (h / p) * (w / p) * c;
                float[] dy = rnd(r, pooled), y = new float[pooled], arg = new float[pooled], d = new float[x.length];
                DenseBackend.Buf gy = gpu.alloc(pooled), garg = gpu.alloc(pooled), gd = gpu.alloc(x.length), gdy = up(gpu, dy);
                CpuKernels.maxPoolForward(x, y, arg, n, h, w, c, p);
                CpuKernels.maxPoolBackward(dy, arg, d, n, h, w, c, p);
                gpu.maxPoolForward(gx, gy, garg, n, h, w, c, p);
                gpu.maxPoolBackward(gdy, garg, gd, n, h, w, c, p);
                assertArrayEquals(y, down(gpu, gy, pooled), "max pool " + p);
                assertArrayEquals(arg, down(gpu, garg, pooled), "max pool argmax " + p);
                assertArrayEquals(d, down(gpu, gd, x.length), "max pool backward " + p);
                CpuKernels.avgPoolForward(x, y, n, h, w, c, p);
                CpuKernels.avgPoolBackward(dy, d, n, h, w, c, p);
                gpu.avgPoolForward(gx, gy, n, h, w, c, p);
                gpu.avgPoolBackward(gdy, gd, n, h, w, c, p);
                assertArrayEquals(y, down(gpu, gy, pooled), 1e-6f, "avg pool " + p);
                assertArrayEquals(d, down(gpu, gd, x.length), 1e-6f, "avg pool backward " + p);
            }

            int rows = n * h * w; // more rows than a block has threads: the strided sums and the tree both count
            float[] gamma = rnd(r, c), beta = rnd(r, c), rm = rnd(r, c), rv = new float[c], dy = rnd(r, x.length);
            for (int i = 0; i < c; i++) rv[i] = 0.5f + i;
            DenseBackend.Buf ggamma = up(gpu, gamma), gbeta = up(gpu, beta), grm = up(gpu, rm), grv = up(gpu, rv);
            DenseBackend.Buf gy = gpu.alloc(x.length), gmean = gpu.alloc(c), ginv = gpu.alloc(c);
            float[] y = new float[x.length], mean = new float[c], inv = new float[c];
            CpuKernels.batchNormForward(x, gamma, beta, rm, rv, y, mean, inv, rows, c, true, 0.1f, 1e-5f);
            gpu.batchNormForward(gx, ggamma, gbeta, grm, grv, gy, gmean, ginv, rows, c, true, 0.1f, 1e-5f);
            assertArrayEquals(y, down(gpu, gy, y.length), 1e-5f, "batch norm forward (training)");
            assertArrayEquals(mean, down(gpu, gmean, c), 1e-6f, "batch mean");
            assertArrayEquals(inv, down(gpu, ginv, c), 1e-5f, "batch 1 / std");
            assertArrayEquals(rm, down(gpu, grm, c), 1e-6f, "running mean");
            assertArrayEquals(rv, down(gpu, grv, c), 1e-5f, "running variance");
            float[] d = new float[x.length], dgamma = new float[c], dbeta = new float[c];
            DenseBackend.Buf gd = gpu.alloc(x.length), gdg = gpu.alloc(c), gdb = gpu.alloc(c);
            CpuKernels.batchNormBackward(x, dy, gamma, mean, inv, d, dgamma, dbeta, rows, c);
            gpu.batchNormBackward(gx, up(gpu, dy), ggamma, gmean, ginv, gd, gdg, gdb, rows, c);
            assertArrayEquals(d, down(gpu, gd, d.length), 1e-4f, "batch norm dx");
            assertArrayEquals(dgamma, down(gpu, gdg, c), 1e-3f, "batch norm dgamma");
            assertArrayEquals(dbeta, down(gpu, gdb, c), 1e-3f, "batch norm dbeta");
            CpuKernels.batchNormForward(x, gamma, beta, rm, rv, y, mean, inv, rows, c, false, 0.1f, 1e-5f);
            gpu.batchNormForward(gx, ggamma, gbeta, grm, grv, gy, gmean, ginv, rows, c, false, 0.1f, 1e-5f);
            assertArrayEquals(y, down(gpu, gy, y.length), 1e-5f, "batch norm forward (evaluation)");
        }
    }

    /** The JCuda cnn against the plain-Java reference cnn (the same algorithm): same epoch losses within tolerance. */
    @Test
    void gpuCnnMatchesTheReferenceCnn() throws Exception {
        requireGpu();
        ModelSpec spec = TestData.cnn(ConvEngineTest.SMALL);
        spec = spec.withHyperparameters(spec.hyperparameters().withEpochs(3).withBatchSize(32));
        TrainingData train = TestData.train(480);
        JCudaEngine gpu = new JCudaEngine(device);
        assertTrue(gpu.trains(spec));
        TrainedModel g = gpu.train(spec, train, TrainingListener.NONE);
        TrainedModel j = new ReferenceEngine().train(spec, train, TrainingListener.NONE);
        System.out.println("cnn gpu " + g.history() + ", reference " + j.history());
        assertEquals(j.weights().keySet(), g.weights().keySet());
        for (int e = 0; e < 3; e++) {
            double x = g.history().get(e).loss(), y = j.history().get(e).loss();
            assertEquals(y, x, LOSS_TOLERANCE * Math.abs(y), "epoch " + (e + 1) + " loss gpu " + x + " reference " + y);
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
