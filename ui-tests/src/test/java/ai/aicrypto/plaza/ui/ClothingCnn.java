package ai.aicrypto.plaza.ui;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The example cnn card's network (fashion-mnist-cnn.json: two blocks of a 3x3 convolution, padding 1, batch norm on
 * its running statistics, ReLU and 2x2 max pooling, 32 then 64 channels; a dense head 3136 -> 128 -> 10) with seeded
 * weights, in the tensor names and order the plaza's checkpoints use, and its forward pass in plain Java: what the
 * serving worker must answer for a picture, computed without the plaza or DJL.
 */
final class ClothingCnn {

    private static final int[] CHANNELS = {1, 32, 64};
    private static final int SIDE = 28, HIDDEN = 128, CLASSES = 10;
    private static final double BATCH_NORM_EPSILON = 1e-5;

    final Map<String, float[]> tensors = new LinkedHashMap<>();
    final Map<String, int[]> shapes = new LinkedHashMap<>();

    /** Seeded uniform weights, batch norm far from the identity (so that its statistics matter). */
    static ClothingCnn random(long seed) {
        ClothingCnn net = new ClothingCnn();
        Random random = new Random(seed);
        for (int b = 0; b < 2; b++) {
            int in = CHANNELS[b], out = CHANNELS[b + 1];
            double bound = Math.sqrt(6.0 / (in * 9));
            net.put("conv." + b + ".weight", random, -bound, bound, out, in, 3, 3);
            net.put("conv." + b + ".bias", random, -0.1, 0.1, out);
            net.put("bn." + b + ".weight", random, 0.5, 1.5, out);
            net.put("bn." + b + ".bias", random, -0.2, 0.2, out);
            net.put("bn." + b + ".running_mean", random, -0.3, 0.3, out);
            net.put("bn." + b + ".running_var", random, 0.5, 2, out);
        }
        int[] widths = {CHANNELS[2] * (SIDE / 4) * (SIDE / 4), HIDDEN, CLASSES};
        for (int l = 0; l < 2; l++) {
            double bound = Math.sqrt(6.0 / widths[l]);
            net.put("layers." + l + ".weight", random, -bound, bound, widths[l + 1], widths[l]);
            net.put("layers." + l + ".bias", random, -0.1, 0.1, widths[l + 1]);
        }
        return net;
    }

    /** The class probabilities (softmax) for a 28x28 grey picture's levels scaled to [0, 1], row by row. */
    double[] probabilities(float[] pixels) {
        double[] a = new double[pixels.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = pixels[i];
        }
        for (int b = 0, side = SIDE; b < 2; b++, side /= 2) {
            a = block(a, b, CHANNELS[b], CHANNELS[b + 1], side);
        }
        double[] logits = dense(dense(a, 0, true), 1, false);
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double z : logits) {
            max = Math.max(max, z);
        }
        double[] p = new double[logits.length];
        for (int k = 0; k < p.length; k++) {
            p[k] = Math.exp(logits[k] - max);
            sum += p[k];
        }
        for (int k = 0; k < p.length; k++) {
            p[k] /= sum;
        }
        return p;
    }

    private double[] block(double[] x, int b, int in, int out, int side) {
        float[] w = tensors.get("conv." + b + ".weight"), bias = tensors.get("conv." + b + ".bias");
        float[] gamma = tensors.get("bn." + b + ".weight"), beta = tensors.get("bn." + b + ".bias");
        float[] mean = tensors.get("bn." + b + ".running_mean"), variance = tensors.get("bn." + b + ".running_var");
        int half = side / 2;
        double[] y = new double[out * half * half];
        double[] plane = new double[side * side];
        for (int o = 0; o < out; o++) {
            double scale = gamma[o] / Math.sqrt(variance[o] + BATCH_NORM_EPSILON);
            for (int i = 0; i < side; i++) {
                for (int j = 0; j < side; j++) {
                    double s = bias[o];
                    for (int c = 0; c < in; c++) {
                        for (int di = 0; di < 3; di++) {
                            for (int dj = 0; dj < 3; dj++) {
                                int ii = i + di - 1, jj = j + dj - 1;
                                if (ii >= 0 && ii < side && jj >= 0 && jj < side) {
                                    s += w[((o * in + c) * 3 + di) * 3 + dj] * x[(c * side + ii) * side + jj];
                                }
                            }
                        }
                    }
                    plane[i * side + j] = Math.max(0, (s - mean[o]) * scale + beta[o]);
                }
            }
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < half; j++) {
                    int at = 2 * i * side + 2 * j;
                    y[(o * half + i) * half + j] = Math.max(Math.max(plane[at], plane[at + 1]),
                            Math.max(plane[at + side], plane[at + side + 1]));
                }
            }
        }
        return y;
    }

    private double[] dense(double[] x, int layer, boolean relu) {
        float[] w = tensors.get("layers." + layer + ".weight"), bias = tensors.get("layers." + layer + ".bias");
        double[] y = new double[bias.length];
        for (int k = 0; k < y.length; k++) {
            double s = bias[k];
            for (int i = 0; i < x.length; i++) {
                s += w[k * x.length + i] * x[i];
            }
            y[k] = relu ? Math.max(0, s) : s;
        }
        return y;
    }

    private void put(String name, Random random, double low, double high, int... shape) {
        int size = 1;
        for (int d : shape) {
            size *= d;
        }
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) (low + (high - low) * random.nextDouble());
        }
        tensors.put(name, values);
        shapes.put(name, shape);
    }
}
