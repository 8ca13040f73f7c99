package ai.aicrypto.plaza.worker;

import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.engine.dense.CpuKernels;
import ai.aicrypto.plaza.worker.model.ConvSpec;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The plain-Java reference kernels of a cnn (im2col + the dense GEMMs + col2im, pooling, batch norm) against PyTorch's own
 * ops through DJL, forward and backward (PyTorch's gradients by autograd), on random inputs. The references work
 * channels-last ([pixels, channels]); PyTorch's tensors are NCHW, transposed with the reference {@code transpose}.
 */
class ConvKernelTest {

    /** Largest difference allowed, relative to 1 + |PyTorch's value| (float sums in another order). */
    static final double TOLERANCE = 1e-5;

    private static NDManager manager;
    private static Engine engine;
    private static double worst;

    @BeforeAll
    static void start() {
        engine = DjlCpuEngine.pytorch();
        manager = NDManager.newBaseManager(Device.cpu(), engine.getEngineName());
    }

    @AfterAll
    static void stop() {
        manager.close();
        System.out.println("ConvKernelTest: largest difference from PyTorch, relative to 1 + |value|: " + worst);
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    /** NCHW [n, c, hw] to channels-last [n, hw, c]. */
    private static float[] toRows(float[] nchw, int n, int c, int hw) {
        float[] out = new float[nchw.length];
        CpuKernels.transpose(nchw, out, n, c, hw);
        return out;
    }

    private static float[] toNchw(float[] rows, int n, int hw, int c) {
        float[] out = new float[rows.length];
        CpuKernels.transpose(rows, out, n, hw, c);
        return out;
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]) / (1 + Math.abs(expected[i]));
            worst = Math.max(worst, d);
            assertTrue(d <= TOLERANCE, what + "[" + i + "]: PyTorch " + expected[i] + ", reference " + actual[i]);
        }
    }

    /** PyTorch's gradients of sum(f(inputs) * dy) with respect to each input (its output first). */
    private static float[][] autograd(Function<NDArray[], NDArray> f, float[] dy, NDArray... inputs) {
        for (NDArray a : inputs) a.setRequiresGradient(true);
        float[][] out = new float[inputs.length + 1][];
        try (GradientCollector gc = engine.newGradientCollector()) {
            NDArray y = f.apply(inputs);
            out[0] = y.toFloatArray();
            gc.backward(y.mul(manager.create(dy, y.getShape())).sum());
        }
        for (int i = 0; i < inputs.length; i++) out[i + 1] = inputs[i].getGradient().toFloatArray();
        return out;
    }

    @ParameterizedTest(name = "kernel {0} stride {1} padding {2}")
    @CsvSource({"3, 1, 1", "3, 2, 0", "5, 2, 2", "2, 2, 1", "1, 1, 0", "3, 3, 1"})
    void convolutionIsIm2colThenTheDenseGemmsAndCol2imIsItsAdjoint(int k, int stride, int pad) {
        Random r = new Random(31L * k + stride + pad);
        int n = 2, c = 3, o = 4, h = 9, w = 7;
        int oh = CpuKernels.convOut(h, k, stride, pad), ow = CpuKernels.convOut(w, k, stride, pad);
        int rows = n * oh * ow, patch = c * k * k;
        float[] x = random(r, n * c * h * w), weight = random(r, o * patch), bias = random(r, o), dy = random(r, n * o * oh * ow);
        float[][] torch = autograd(in -> Conv2d.conv2d(in[0], in[1], in[2], new Shape(stride, stride), new Shape(pad, pad),
                        new Shape(1, 1), 1).singletonOrThrow(), dy,
                manager.create(x, new Shape(n, c, h, w)), manager.create(weight, new Shape(o, c, k, k)), manager.create(bias, new Shape(o)));

        float[] cols = new float[rows * patch], z = new float[rows * o];
        CpuKernels.im2col(toRows(x, n, c, h * w), cols, n, h, w, c, k, stride, pad);
        CpuKernels.matmulForward(cols, weight, z, rows, patch, o);
        CpuKernels.biasAdd(z, bias, rows, o);
        assertClose(torch[0], toNchw(z, n, oh * ow, o), "conv forward");

        float[] dz = toRows(dy, n, o, oh * ow), dw = new float[o * patch], db = new float[o], dcols = new float[rows * patch];
        float[] dx = new float[n * h * w * c];
        CpuKernels.matmulWeightGrad(cols, dz, dw, rows, patch, o);
        CpuKernels.biasGrad(dz, db, rows, o);
        CpuKernels.matmulInputGrad(weight, dz, dcols, rows, patch, o);
        CpuKernels.col2im(dcols, dx, n, h, w, c, k, stride, pad);
        assertClose(torch[1], toNchw(dx, n, h * w, c), "conv dx");
        assertClose(torch[2], dw, "conv dweight");
        assertClose(torch[3], db, "conv dbias");
    }

    @ParameterizedTest(name = "{0} pooling, window {1}")
    @CsvSource({"MAX, 2", "MAX, 3", "AVG, 2", "AVG, 3"})
    void poolingMatchesPyTorchWithTheFloorOfPartialWindows(ConvSpec.Pooling kind, int window) {
        Random r = new Random(window * 7L + kind.ordinal());
        int n = 2, c = 3, h = 7, w = 8, oh = h / window, ow = w / window;
        float[] x = random(r, n * c * h * w), dy = random(r, n * c * oh * ow);
        Shape win = new Shape(window, window);
        float[][] torch = autograd(in -> kind == ConvSpec.Pooling.MAX ? Pool.maxPool2d(in[0], win, win, new Shape(0, 0), false)
                : Pool.avgPool2d(in[0], win, win, new Shape(0, 0), false, true), dy, manager.create(x, new Shape(n, c, h, w)));

        float[] y = new float[n * oh * ow * c], argmax = new float[y.length], dx = new float[x.length];
        float[] xr = toRows(x, n, c, h * w), dyr = toRows(dy, n, c, oh * ow);
        if (kind == ConvSpec.Pooling.MAX) {
            CpuKernels.maxPoolForward(xr, y, argmax, n, h, w, c, window);
            CpuKernels.maxPoolBackward(dyr, argmax, dx, n, h, w, c, window);
        } else {
            CpuKernels.avgPoolForward(xr, y, n, h, w, c, window);
            CpuKernels.avgPoolBackward(dyr, dx, n, h, w, c, window);
        }
        assertClose(torch[0], toNchw(y, n, oh * ow, c), kind + " pool forward");
        assertClose(torch[1], toNchw(dx, n, h * w, c), kind + " pool dx");
    }

    @Test
    void batchNormTrainsOnTheBatchMovesTheRunningStatisticsAndEvaluatesWithThem() {
        Random r = new Random(11);
        int n = 3, c = 5, h = 4, w = 6, rows = n * h * w;
        float[] x = random(r, n * c * h * w), gamma = random(r, c), beta = random(r, c), dy = random(r, x.length);
        for (int i = 0; i < x.length; i++) x[i] = x[i] * 2 + 0.5f * (i / (h * w) % c); // channels of other means
        float[] runMean = random(r, c), runVar = new float[c];
        for (int i = 0; i < c; i++) runVar[i] = 0.5f + i;
        PtNDArray tMean = (PtNDArray) manager.create(runMean.clone()), tVar = (PtNDArray) manager.create(runVar.clone());
        float[][] torch = autograd(in -> JniUtils.batchNorm((PtNDArray) in[0], tMean, tVar, (PtNDArray) in[1], (PtNDArray) in[2], true,
                ConvSpec.BN_MOMENTUM, ConvSpec.BN_EPSILON), dy, manager.create(x, new Shape(n, c, h, w)), manager.create(gamma),
                manager.create(beta));

        float[] xr = toRows(x, n, c, h * w), y = new float[x.length], mean = new float[c], invStd = new float[c];
        CpuKernels.batchNormForward(xr, gamma, beta, runMean, runVar, y, mean, invStd, rows, c, true, ConvSpec.BN_MOMENTUM, ConvSpec.BN_EPSILON);
        assertClose(torch[0], toNchw(y, n, h * w, c), "batch norm forward (training)");
        assertClose(tMean.toFloatArray(), runMean, "running mean");
        assertClose(tVar.toFloatArray(), runVar, "running variance (unbiased)");

        float[] dx = new float[x.length], dgamma = new float[c], dbeta = new float[c];
        CpuKernels.batchNormBackward(xr, toRows(dy, n, c, h * w), gamma, mean, invStd, dx, dgamma, dbeta, rows, c);
        assertClose(torch[1], toNchw(dx, n, h * w, c), "batch norm dx");
        assertClose(torch[2], dgamma, "batch norm dgamma");
        assertClose(torch[3], dbeta, "batch norm dbeta");

        NDArray eval = JniUtils.batchNorm((PtNDArray) manager.create(x, new Shape(n, c, h, w)), tMean, tVar, (PtNDArray) manager.create(gamma),
                (PtNDArray) manager.create(beta), false, ConvSpec.BN_MOMENTUM, ConvSpec.BN_EPSILON);
        float[] before = runMean.clone();
        CpuKernels.batchNormForward(xr, gamma, beta, runMean, runVar, y, mean, invStd, rows, c, false, ConvSpec.BN_MOMENTUM, ConvSpec.BN_EPSILON);
        assertClose(eval.toFloatArray(), toNchw(y, n, h * w, c), "batch norm forward (evaluation)");
        assertArrayEquals(before, runMean, "evaluation leaves the running statistics");
    }
}
