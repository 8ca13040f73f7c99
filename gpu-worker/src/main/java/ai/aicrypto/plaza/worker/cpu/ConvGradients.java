package ai.aicrypto.plaza.worker.cpu;

import ai.aicrypto.plaza.worker.engine.dense.CpuKernels;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;

import java.util.Random;

/**
 * Whether PyTorch computes a convolution's input gradient right on this CPU. oneDNN, PyTorch's CPU convolution
 * library, does not on every CPU: on this project's 2-core AMD EPYC machines with AVX-512 (2026-12-07), PyTorch 2.7.1's
 * backward convolution returned wrong input gradients, different from one run to the next, with oneDNN's AVX2 and
 * AVX-512 kernels, and right ones with its instruction set capped at AVX ({@code DNNL_MAX_CPU_ISA=AVX}); its forward
 * passes were right. A cnn trained there learns nothing (NaN losses). So the worker checks at start, on two small
 * convolutions against the plain-Java kernels, and where the check fails runs itself again under that cap.
 */
public final class ConvGradients {

    /** oneDNN's cap on the instruction set its kernels use, read when PyTorch loads. */
    public static final String ISA_VARIABLE = "DNNL_MAX_CPU_ISA";
    public static final String SAFE_ISA = "AVX";
    private static final double TOLERANCE = 1e-4;

    private ConvGradients() {
    }

    /**
     * Null when PyTorch's input gradients of a 3×3 stride-1 and a 5×5 stride-2 convolution match the plain-Java
     * kernels', else the first difference. Null too when PyTorch does not load: the families probe says why. Checked
     * once per JVM: oneDNN reads its cap when PyTorch loads, so the answer cannot change after.
     */
    public static String fault() {
        return Checked.FAULT;
    }

    /** For scripts (ops/bench/training): prints what is wrong and exits 1, or exits 0 when the gradients are right. */
    public static void main(String[] args) {
        String fault = fault();
        if (fault != null) {
            System.out.println(fault);
        }
        System.exit(fault == null ? 0 : 1);
    }

    private static final class Checked {
        static final String FAULT = check();
    }

    private static String check() {
        Engine engine;
        try {
            engine = DjlCpuEngine.pytorch();
        } catch (Throwable e) {
            return null;
        }
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), engine.getEngineName())) {
            for (int[] conv : new int[][] {{3, 1, 1}, {5, 2, 2}}) {
                String fault = fault(engine, manager, conv[0], conv[1], conv[2]);
                if (fault != null) return fault;
            }
            return null;
        }
    }

    private static String fault(Engine engine, NDManager manager, int k, int stride, int pad) {
        int n = 2, c = 3, o = 4, h = 9, w = 7;
        int oh = CpuKernels.convOut(h, k, stride, pad), ow = CpuKernels.convOut(w, k, stride, pad);
        int rows = n * oh * ow, patch = c * k * k;
        Random random = new Random(31L * k + stride + pad);
        float[] x = gaussian(random, n * c * h * w), weight = gaussian(random, o * patch), dy = gaussian(random, n * o * oh * ow);

        NDArray input = manager.create(x, new Shape(n, c, h, w));
        input.setRequiresGradient(true);
        try (GradientCollector gradients = engine.newGradientCollector()) {
            NDArray y = Conv2d.conv2d(input, manager.create(weight, new Shape(o, c, k, k)), manager.zeros(new Shape(o)),
                    new Shape(stride, stride), new Shape(pad, pad), new Shape(1, 1), 1).singletonOrThrow();
            gradients.backward(y.mul(manager.create(dy, y.getShape())).sum());
        }
        float[] pytorch = input.getGradient().toFloatArray();

        // The same gradient on the plain-Java kernels, channels-last: dcols = dy · W, then col2im.
        float[] dz = new float[dy.length], dcols = new float[rows * patch], dxRows = new float[x.length], dx = new float[x.length];
        CpuKernels.transpose(dy, dz, n, o, oh * ow);
        CpuKernels.matmulInputGrad(weight, dz, dcols, rows, patch, o);
        CpuKernels.col2im(dcols, dxRows, n, h, w, c, k, stride, pad);
        CpuKernels.transpose(dxRows, dx, n, h * w, c);
        for (int i = 0; i < dx.length; i++) {
            if (!(Math.abs(pytorch[i] - dx[i]) <= TOLERANCE * (1 + Math.abs(dx[i])))) {
                return k + "×" + k + " stride " + stride + " convolution: input gradient " + i + " is " + pytorch[i]
                        + ", not " + dx[i];
            }
        }
        return null;
    }

    private static float[] gaussian(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) random.nextGaussian();
        return a;
    }
}
