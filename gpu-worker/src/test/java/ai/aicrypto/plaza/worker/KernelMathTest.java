package ai.aicrypto.plaza.worker;

import ai.aicrypto.plaza.worker.data.BatchStream;
import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.data.InMemoryData;
import ai.aicrypto.plaza.worker.data.Shard;
import ai.aicrypto.plaza.worker.engine.ParameterInit;
import ai.aicrypto.plaza.worker.engine.dense.CpuKernels;
import ai.aicrypto.plaza.worker.engine.dense.DenseNetwork;
import ai.aicrypto.plaza.worker.engine.dense.JavaBackend;
import ai.aicrypto.plaza.worker.model.Activation;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CPU references of the GPU kernels against straightforward double-precision definitions, and finite-difference
 * gradient checks of softmax cross-entropy and of the whole MLP backward pass.
 */
class KernelMathTest {

    private static float[] random(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale);
        return a;
    }

    private static void assertClose(double expected, double actual, double tol, String what) {
        assertTrue(Math.abs(expected - actual) <= tol * (1 + Math.abs(expected)),
                what + ": expected " + expected + ", got " + actual);
    }

    @Test
    void denseLayerProductsAndBiasMatchTheDefinition() {
        Random r = new Random(1);
        int b = 5, in = 7, out = 3;
        float[] x = random(r, b * in, 1), w = random(r, out * in, 1), bias = random(r, out, 1), dy = random(r, b * out, 1);
        float[] y = new float[b * out], dw = new float[out * in], dx = new float[b * in], db = new float[out];
        CpuKernels.matmulForward(x, w, y, b, in, out);
        CpuKernels.biasAdd(y, bias, b, out);
        CpuKernels.matmulWeightGrad(x, dy, dw, b, in, out);
        CpuKernels.matmulInputGrad(w, dy, dx, b, in, out);
        CpuKernels.biasGrad(dy, db, b, out);
        for (int i = 0; i < b; i++) {
            for (int o = 0; o < out; o++) {
                double s = bias[o];
                for (int k = 0; k < in; k++) s += (double) x[i * in + k] * w[o * in + k];
                assertClose(s, y[i * out + o], 1e-5, "y");
            }
            for (int k = 0; k < in; k++) {
                double s = 0;
                for (int o = 0; o < out; o++) s += (double) dy[i * out + o] * w[o * in + k];
                assertClose(s, dx[i * in + k], 1e-5, "dx");
            }
        }
        for (int o = 0; o < out; o++) {
            double sb = 0;
            for (int i = 0; i < b; i++) sb += dy[i * out + o];
            assertClose(sb, db[o], 1e-5, "db");
            for (int k = 0; k < in; k++) {
                double s = 0;
                for (int i = 0; i < b; i++) s += (double) dy[i * out + o] * x[i * in + k];
                assertClose(s, dw[o * in + k], 1e-5, "dw");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationsAndTheirDerivatives(Activation a) {
        double[] xs = {-3.1, -1.0, -0.3, 0.2, 0.7, 2.5};
        for (double x : xs) {
            double expected = switch (a) {
                case RELU -> Math.max(0, x);
                case TANH -> Math.tanh(x);
                case SIGMOID -> 1 / (1 + Math.exp(-x));
                case GELU -> x * normalCdf(x);
            };
            assertClose(expected, CpuKernels.activate(a, (float) x), 1e-6, a + "(" + x + ")");
            double h = 1e-4;
            double fd = (f(a, x + h) - f(a, x - h)) / (2 * h);
            assertClose(fd, CpuKernels.activationDerivative(a, (float) x), 1e-4, a + "'(" + x + ")");
        }
        float[] z = {-1f, 0.5f, 2f}, dh = {0.3f, -2f, 1f}, dz = new float[3];
        CpuKernels.activationBackward(a, z, dh, dz, 3);
        for (int i = 0; i < 3; i++) assertEquals(dh[i] * CpuKernels.activationDerivative(a, z[i]), dz[i], 1e-7);
    }

    private static double f(Activation a, double x) {
        return switch (a) {
            case RELU -> Math.max(0, x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case GELU -> x * normalCdf(x);
        };
    }

    /** Phi(x) by numerical integration of the density (independent of the erf approximation). */
    private static double normalCdf(double x) {
        int n = 20000;
        double lo = -12, h = (x - lo) / n, s = 0;
        for (int i = 0; i <= n; i++) {
            double t = lo + i * h;
            double w = (i == 0 || i == n) ? 1 : (i % 2 == 1 ? 4 : 2);
            s += w * Math.exp(-t * t / 2);
        }
        return s * h / 3 / Math.sqrt(2 * Math.PI);
    }

    @Test
    void erfIsAccurate() {
        assertEquals(0.0, CpuKernels.erf(0), 1e-7);
        assertEquals(0.8427007929497149, CpuKernels.erf(1), 2e-7);
        assertEquals(-0.9953222650189527, CpuKernels.erf(-2), 2e-7);
        assertEquals(0.5204998778130465, CpuKernels.erf(0.5), 2e-7);
    }

    @Test
    void softmaxCrossEntropyValuesAndFiniteDifferenceGradient() {
        Random r = new Random(2);
        int b = 4, c = 5;
        float[] z = random(r, b * c, 2);
        float[] labels = {0, 3, 4, 1};
        float[] d = new float[b * c], loss = new float[b], correct = new float[b];
        CpuKernels.softmaxCrossEntropy(z, labels, d, loss, correct, b, c);
        for (int i = 0; i < b; i++) {
            double se = 0;
            int arg = 0;
            for (int j = 0; j < c; j++) {
                se += Math.exp(z[i * c + j]);
                if (z[i * c + j] > z[i * c + arg]) arg = j;
            }
            assertClose(Math.log(se) - z[i * c + (int) labels[i]], loss[i], 1e-5, "loss row " + i);
            assertEquals(arg == (int) labels[i] ? 1f : 0f, correct[i]);
        }
        // d(mean loss)/dz by central differences in double precision
        for (int k = 0; k < b * c; k++) {
            double h = 1e-3;
            float[] zp = z.clone(), zm = z.clone();
            zp[k] += (float) h;
            zm[k] -= (float) h;
            double fd = (meanXent(zp, labels, b, c) - meanXent(zm, labels, b, c)) / (zp[k] - zm[k]);
            assertEquals(fd, d[k], 2e-4, "dlogits[" + k + "]");
        }
    }

    private static double meanXent(float[] z, float[] labels, int b, int c) {
        double s = 0;
        for (int i = 0; i < b; i++) {
            double se = 0;
            for (int j = 0; j < c; j++) se += Math.exp(z[i * c + j]);
            s += Math.log(se) - z[i * c + (int) labels[i]];
        }
        return s / b;
    }

    @Test
    void meanSquaredError() {
        float[] p = {1f, -2f, 0.5f}, t = {0f, -1f, 0.5f}, d = new float[3], l = new float[3];
        CpuKernels.meanSquaredError(p, t, d, l, 3);
        assertArrayEquals(new float[]{1f, 1f, 0f}, l);
        assertArrayEquals(new float[]{2f / 3, -2f / 3, 0f}, d, 1e-7f);
    }

    @Test
    void sgdAndAdamUpdatesMatchTheirDefinitions() {
        float[] w = {1f, -2f}, g = {0.5f, 0.25f}, v = {0.1f, 0f};
        CpuKernels.sgdUpdate(w, g, v, 2, 0.1f, 0.01f, 0.9f);
        // v = 0.9 v + (g + 0.01 w); w -= 0.1 v
        assertEquals(0.09f + 0.51f, v[0], 1e-6);
        assertEquals(1f - 0.1f * 0.6f, w[0], 1e-6);
        assertEquals(0.25f - 0.02f, v[1], 1e-6);
        float[] w2 = {1f}, g2 = {0.5f};
        CpuKernels.sgdUpdate(w2, g2, null, 1, 0.1f, 0f, 0f);
        assertEquals(0.95f, w2[0], 1e-7);

        // Adam against torch.optim.Adam's formulas in double precision, three steps.
        double lr = 0.01, wd = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        double ew = 0.5, em = 0, ev = 0;
        float[] aw = {0.5f}, am = {0f}, av = {0f};
        double[] grads = {0.3, -0.2, 0.05};
        for (int t = 1; t <= 3; t++) {
            double gg = grads[t - 1] + wd * ew;
            em = b1 * em + (1 - b1) * gg;
            ev = b2 * ev + (1 - b2) * gg * gg;
            double mhat = em / (1 - Math.pow(b1, t)), vhat = ev / (1 - Math.pow(b2, t));
            ew -= lr * mhat / (Math.sqrt(vhat) + eps);
            CpuKernels.adamUpdate(aw, new float[]{(float) grads[t - 1]}, am, av, 1, (float) lr, (float) wd, (float) b1, (float) b2,
                    (float) eps, (float) (1 - Math.pow(b1, t)), (float) (1 - Math.pow(b2, t)));
            assertEquals(ew, aw[0], 1e-6, "adam step " + t);
        }
    }

    @Test
    void dropoutMaskMultiply() {
        float[] x = {1f, 2f, 3f}, m = {0f, 1.25f, 1.25f};
        CpuKernels.multiply(x, m, 3);
        assertArrayEquals(new float[]{0f, 2.5f, 3.75f}, x);
    }

    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"TANH", "GELU", "SIGMOID"})
    void mlpBackwardMatchesFiniteDifferences(Activation act) throws Exception {
        ModelSpec spec = TestData.mlp(List.of(6, 5), act.jsonName(), 0);
        spec = new ModelSpec(spec.name(), spec.task(), "mlp", spec.hiddenSizes(), act, 0, 3, List.of("a", "b", "c"), 4,
                spec.hyperparameters().withWeightDecay(0));
        Random r = new Random(3);
        int n = 8;
        Shard shard = new Shard(n, 4, random(r, n * 4, 1), new int[]{0, 1, 2, 0, 1, 2, 2, 1}, null);
        Map<String, FloatTensor> w = ParameterInit.initialize(spec, 4);
        // non-zero biases so that their gradients are exercised
        for (var e : w.entrySet()) if (e.getKey().endsWith("bias")) for (int i = 0; i < e.getValue().size(); i++) e.getValue().data()[i] = 0.1f * (i - 1);
        DenseNetwork net = new DenseNetwork(new JavaBackend(), spec, w, 4, n, true);
        BatchStream.Batch batch = batchOf(shard, spec);
        net.computeGradients(batch);
        Map<String, FloatTensor> grads = net.gradients();
        int checked = 0;
        for (String name : w.keySet()) {
            float[] p = w.get(name).data();
            for (int k = 0; k < p.length; k += 3) {
                float orig = p[k];
                double h = 1e-2;
                p[k] = orig + (float) h;
                double lp = lossOf(spec, w, batch);
                p[k] = orig - (float) h;
                double lm = lossOf(spec, w, batch);
                p[k] = orig;
                double fd = (lp - lm) / (2 * h);
                double an = grads.get(name).data()[k];
                assertEquals(fd, an, 2e-3 + 2e-2 * Math.abs(fd), act + " " + name + "[" + k + "]");
                checked++;
            }
        }
        assertTrue(checked > 20);
    }

    private static BatchStream.Batch batchOf(Shard s, ModelSpec spec) throws Exception {
        BatchStream stream = new BatchStream(InMemoryData.of(s, spec.outputNames()), s.rows(), false, 0, 0);
        BatchStream.Batch b = stream.newBatch();
        assertTrue(stream.next(b));
        return b;
    }

    private static double lossOf(ModelSpec spec, Map<String, FloatTensor> w, BatchStream.Batch batch) {
        DenseNetwork net = new DenseNetwork(new JavaBackend(), spec, w, 4, batch.size, false);
        DenseNetwork.BatchResult r = net.evaluate(batch);
        return r.lossSum() / r.size();
    }
}
