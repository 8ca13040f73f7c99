package ai.aicrypto.plaza.model.inference;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import ai.aicrypto.plaza.model.card.ConvArchitecture;
import ai.aicrypto.plaza.model.card.ModelCard;

/**
 * The forward pass of a card's convolutional network (spec 1.3) in plain Java, for predictions and the verification of
 * trained weights on the plaza's CPU: no native code runs on a file someone uploaded. Batch norm is folded into its
 * convolution when the weights are loaded (inference uses the running statistics, so conv -> batch norm is one
 * convolution with scaled weights and a shifted bias). Then the activation, the pooling and the dense head as
 * {@link DenseNetwork} runs it; no dropout, no augmentation. Images run in parallel; each is read as [channel, row,
 * column], as the dataset stores them.
 */
public final class ConvNetwork implements TrainedNetwork {

    /** PyTorch's BatchNorm2d epsilon, which the gpu-worker trains with. */
    static final double BN_EPSILON = 1e-5;

    private final ConvArchitecture architecture;
    private final List<ConvArchitecture.Shape> shapes;
    private final boolean gelu;
    /** Per block: weights [out][in x k x k] with batch norm folded in, and biases [out]. */
    private final float[][] convWeights, convBiases;
    /** Per dense layer: weights [out x in] row-major, biases [out]. */
    private final float[][] denseWeights, denseBiases;
    private final int[] denseSizes;

    private ConvNetwork(ModelCard card, LayerWeights tensors) throws IOException, F32Tensors.UnfitTensorsException {
        architecture = card.convArchitecture();
        shapes = architecture.shapes();
        gelu = "gelu".equals(card.activation().orElse("relu"));
        List<ConvArchitecture.Block> blocks = architecture.blocks();
        int expected = 0;
        convWeights = new float[blocks.size()][];
        convBiases = new float[blocks.size()][];
        for (int i = 0; i < blocks.size(); i++) {
            ConvArchitecture.Block b = blocks.get(i);
            long out = b.channels(), in = shapes.get(i).channels(), k = b.kernel();
            float[] w = tensors.read("conv." + i + ".weight", List.of(out, in, k, k));
            float[] bias = tensors.read("conv." + i + ".bias", List.of(out)).clone();
            expected += 2;
            if (b.batchNorm()) {
                float[] gamma = tensors.read("bn." + i + ".weight", List.of(out));
                float[] beta = tensors.read("bn." + i + ".bias", List.of(out));
                float[] mean = tensors.read("bn." + i + ".running_mean", List.of(out));
                float[] variance = tensors.read("bn." + i + ".running_var", List.of(out));
                expected += 4;
                w = w.clone();
                int perChannel = (int) (in * k * k);
                for (int o = 0; o < out; o++) {
                    if (!(variance[o] >= 0)) {
                        throw new F32Tensors.UnfitTensorsException("bn." + i + ".running_var has a negative or missing variance");
                    }
                    double scale = gamma[o] / Math.sqrt(variance[o] + BN_EPSILON);
                    for (int j = 0; j < perChannel; j++) {
                        w[o * perChannel + j] = (float) (w[o * perChannel + j] * scale);
                    }
                    bias[o] = (float) ((bias[o] - mean[o]) * scale + beta[o]);
                }
            }
            convWeights[i] = w;
            convBiases[i] = bias;
        }
        List<Integer> sizes = new ArrayList<>();
        sizes.add(Math.toIntExact(architecture.flattenedSize()));
        sizes.addAll(card.hiddenSizes());
        sizes.add(card.outputSize());
        denseSizes = sizes.stream().mapToInt(Integer::intValue).toArray();
        denseWeights = new float[denseSizes.length - 1][];
        denseBiases = new float[denseSizes.length - 1][];
        for (int l = 0; l < denseSizes.length - 1; l++) {
            long in = denseSizes[l], out = denseSizes[l + 1];
            denseWeights[l] = tensors.read("layers." + l + ".weight", List.of(out, in));
            denseBiases[l] = tensors.read("layers." + l + ".bias", List.of(out));
            expected += 2;
        }
        if (tensors.tensorCount() != expected) {
            throw new F32Tensors.UnfitTensorsException("the weights hold " + tensors.tensorCount() + " tensors, the card's network " + expected);
        }
    }

    /**
     * The card's network with these weights (read once; the network keeps its own copy).
     *
     * @throws F32Tensors.UnfitTensorsException when the weights do not hold the card's network
     */
    public static ConvNetwork of(ModelCard card, LayerWeights weights) throws IOException, F32Tensors.UnfitTensorsException {
        return new ConvNetwork(card, weights);
    }

    /**
     * @param x    [rows, channels x height x width]
     * @return logits (classification) or predicted values (regression), [rows, outputs]
     */
    @Override
    public float[] forward(float[] x, int rows) {
        int inputs = (int) shapes.get(0).size(), outputs = denseSizes[denseSizes.length - 1];
        float[] out = new float[rows * outputs];
        IntStream images = IntStream.range(0, rows);
        (rows > 1 ? images.parallel() : images).forEach(r -> {
            float[] image = new float[inputs];
            System.arraycopy(x, r * inputs, image, 0, inputs);
            System.arraycopy(forwardOne(image), 0, out, r * outputs, outputs);
        });
        return out;
    }

    @Override
    public long memoryBytes() {
        long floats = 0;
        for (float[][] group : List.of(convWeights, convBiases, denseWeights, denseBiases)) {
            for (float[] a : group) {
                floats += a.length;
            }
        }
        return 4 * floats;
    }

    private float[] forwardOne(float[] a) {
        List<ConvArchitecture.Block> blocks = architecture.blocks();
        for (int i = 0; i < blocks.size(); i++) {
            ConvArchitecture.Block b = blocks.get(i);
            ConvArchitecture.Shape in = shapes.get(i);
            int oh = (in.height() + 2 * b.padding() - b.kernel()) / b.stride() + 1;
            int ow = (in.width() + 2 * b.padding() - b.kernel()) / b.stride() + 1;
            float[] z = convolve(a, in, b, convWeights[i], convBiases[i], oh, ow);
            activate(z);
            a = b.pool() == ConvArchitecture.Pooling.NONE ? z : pool(z, b.channels(), oh, ow, b.pool(), b.poolSize());
        }
        for (int l = 0; l < denseWeights.length; l++) {
            int n = denseSizes[l], m = denseSizes[l + 1];
            float[] w = denseWeights[l];
            float[] z = new float[m];
            for (int j = 0; j < m; j++) {
                double sum = denseBiases[l][j];
                for (int k = 0, row = j * n; k < n; k++) {
                    sum += w[row + k] * a[k];
                }
                z[j] = (float) sum;
            }
            if (l < denseWeights.length - 1) {
                activate(z);
            }
            a = z;
        }
        return a;
    }

    /** Cross-correlation with zero padding, as PyTorch's conv2d: for each weight, a run over the output rows and columns it reaches. */
    private static float[] convolve(float[] a, ConvArchitecture.Shape in, ConvArchitecture.Block b, float[] w, float[] bias, int oh, int ow) {
        int k = b.kernel(), s = b.stride(), p = b.padding(), ih = in.height(), iw = in.width(), ic = in.channels();
        float[] z = new float[b.channels() * oh * ow];
        for (int o = 0; o < b.channels(); o++) {
            int outPlane = o * oh * ow;
            java.util.Arrays.fill(z, outPlane, outPlane + oh * ow, bias[o]);
            for (int c = 0; c < ic; c++) {
                int inPlane = c * ih * iw;
                for (int ky = 0; ky < k; ky++) {
                    int yFrom = Math.max(0, ceilDiv(p - ky, s)), yTo = Math.min(oh - 1, Math.floorDiv(ih - 1 + p - ky, s));
                    for (int kx = 0; kx < k; kx++) {
                        float weight = w[((o * ic + c) * k + ky) * k + kx];
                        int xFrom = Math.max(0, ceilDiv(p - kx, s)), xTo = Math.min(ow - 1, Math.floorDiv(iw - 1 + p - kx, s));
                        for (int y = yFrom; y <= yTo; y++) {
                            int src = inPlane + (y * s - p + ky) * iw - p + kx, dst = outPlane + y * ow;
                            for (int x = xFrom; x <= xTo; x++) {
                                z[dst + x] += weight * a[src + x * s];
                            }
                        }
                    }
                }
            }
        }
        return z;
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    private static float[] pool(float[] z, int channels, int h, int w, ConvArchitecture.Pooling kind, int size) {
        int ph = h / size, pw = w / size;
        float[] out = new float[channels * ph * pw];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < ph; y++) {
                for (int x = 0; x < pw; x++) {
                    float max = Float.NEGATIVE_INFINITY, sum = 0;
                    for (int dy = 0; dy < size; dy++) {
                        for (int dx = 0; dx < size; dx++) {
                            float v = z[(c * h + y * size + dy) * w + x * size + dx];
                            max = Math.max(max, v);
                            sum += v;
                        }
                    }
                    out[(c * ph + y) * pw + x] = kind == ConvArchitecture.Pooling.MAX ? max : sum / (size * size);
                }
            }
        }
        return out;
    }

    private void activate(float[] z) {
        for (int i = 0; i < z.length; i++) {
            z[i] = gelu ? (float) (0.5 * z[i] * (1 + erf(z[i] / Math.sqrt(2)))) : Math.max(0f, z[i]);
        }
    }

    /** Error function, |error| < 1.2e-7 (Numerical Recipes' erfc Chebyshev fit), as the gpu-worker's reference kernels. */
    static double erf(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1.0 - erfc : erfc - 1.0;
    }
}
