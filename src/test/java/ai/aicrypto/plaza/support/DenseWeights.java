package ai.aicrypto.plaza.support;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Seeded random weights of a dense network ({@code layers.i.weight} [out, in], {@code layers.i.bias} [out]) as a
 * safetensors file, with a plain-Java forward pass to check what the plaza computes against.
 */
public final class DenseWeights {

    private final int[] sizes;
    private final float[][] weights;
    private final float[][] biases;

    /** @param sizes input width, hidden widths..., output width */
    public DenseWeights(long seed, int... sizes) {
        this.sizes = sizes.clone();
        Random random = new Random(seed);
        weights = new float[sizes.length - 1][];
        biases = new float[sizes.length - 1][];
        for (int l = 0; l < sizes.length - 1; l++) {
            weights[l] = new float[sizes[l + 1] * sizes[l]];
            biases[l] = new float[sizes[l + 1]];
            for (int i = 0; i < weights[l].length; i++) {
                weights[l][i] = random.nextFloat() * 2 - 1;
            }
            for (int i = 0; i < biases[l].length; i++) {
                biases[l][i] = random.nextFloat() * 2 - 1;
            }
        }
    }

    public byte[] safetensors() {
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (int l = 0; l < weights.length; l++) {
            long w = 4L * weights[l].length, b = 4L * biases[l].length;
            header.append(String.format("\"layers.%d.weight\":{\"dtype\":\"F32\",\"shape\":[%d,%d],\"data_offsets\":[%d,%d]},",
                    l, sizes[l + 1], sizes[l], offset, offset + w));
            header.append(String.format("\"layers.%d.bias\":{\"dtype\":\"F32\",\"shape\":[%d],\"data_offsets\":[%d,%d]}%s",
                    l, sizes[l + 1], offset + w, offset + w + b, l < weights.length - 1 ? "," : "}"));
            offset += w + b;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate((int) (8 + json.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json);
        for (int l = 0; l < weights.length; l++) {
            for (float v : weights[l]) {
                out.putFloat(v);
            }
            for (float v : biases[l]) {
                out.putFloat(v);
            }
        }
        return out.array();
    }

    /** The network's output for one input, ReLU between layers, computed in double. */
    public double[] forward(float[] input) {
        double[] x = new double[input.length];
        for (int i = 0; i < input.length; i++) {
            x[i] = input[i];
        }
        for (int l = 0; l < weights.length; l++) {
            int in = sizes[l], out = sizes[l + 1];
            double[] y = new double[out];
            for (int o = 0; o < out; o++) {
                double sum = biases[l][o];
                for (int i = 0; i < in; i++) {
                    sum += weights[l][o * in + i] * x[i];
                }
                y[o] = l < weights.length - 1 ? Math.max(0, sum) : sum;
            }
            x = y;
        }
        return x;
    }

    /** Softmax of the output: class probabilities. */
    public double[] probabilities(float[] input) {
        double[] logits = forward(input);
        double max = java.util.Arrays.stream(logits).max().orElse(0), sum = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
