package ai.aicrypto.plaza.worker.engine;

import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.data.Seeds;
import ai.aicrypto.plaza.worker.model.Activation;
import ai.aicrypto.plaza.worker.model.ConvSpec;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.aicrypto.plaza.worker.model.TextSpec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded initial weights, identical for every engine: He-uniform (bound sqrt(6 / fanIn)) for layers followed by
 * ReLU or GELU, Xavier-uniform (bound sqrt(6 / (fanIn + fanOut))) for tanh, sigmoid and the output layer;
 * biases are zero.
 */
public final class ParameterInit {

    private ParameterInit() {
    }

    public static Map<String, FloatTensor> initialize(ModelSpec spec, int inputSize) {
        int[] sizes = spec.layerSizes(inputSize);
        SplittableRandom rng = Seeds.rng(spec.hyperparameters().seed(), Seeds.STREAM_INIT, 0);
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        if (spec.isConvolutional()) initializeConv(spec.conv(), rng, out);
        if (spec.isText()) initializeEmbedding(spec.text(), rng, out);
        for (int l = 0; l < sizes.length - 1; l++) {
            int in = sizes[l], o = sizes[l + 1];
            boolean hidden = l < sizes.length - 2;
            boolean he = hidden && (spec.activation() == Activation.RELU || spec.activation() == Activation.GELU);
            double bound = he ? Math.sqrt(6.0 / in) : Math.sqrt(6.0 / (in + o));
            float[] w = new float[o * in];
            for (int i = 0; i < w.length; i++) w[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
            out.put(ModelSpec.weightName(l), FloatTensor.of(w, o, in));
            out.put(ModelSpec.biasName(l), FloatTensor.of(new float[o], o));
        }
        return out;
    }

    /** fastText's: uniform in (-1/dim, 1/dim), so a bag's mean starts small whatever the number of ids. */
    private static void initializeEmbedding(TextSpec text, SplittableRandom rng, Map<String, FloatTensor> out) {
        float[] w = new float[Math.multiplyExact(text.buckets(), text.embeddingDim())];
        double bound = 1.0 / text.embeddingDim();
        for (int j = 0; j < w.length; j++) w[j] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        out.put(TextSpec.EMBEDDING, FloatTensor.of(w, text.buckets(), text.embeddingDim()));
    }

    private static void initializeConv(ConvSpec conv, SplittableRandom rng, Map<String, FloatTensor> out) {
        int[][] shapes = conv.shapes();
        for (int i = 0; i < conv.blocks().size(); i++) {
            ConvSpec.Block b = conv.blocks().get(i);
            int in = shapes[i][0], k = b.kernel();
            double bound = Math.sqrt(6.0 / (in * k * k));
            float[] w = new float[b.channels() * in * k * k];
            for (int j = 0; j < w.length; j++) w[j] = (float) ((rng.nextDouble() * 2 - 1) * bound);
            out.put(ConvSpec.convWeight(i), FloatTensor.of(w, b.channels(), in, k, k));
            out.put(ConvSpec.convBias(i), FloatTensor.of(new float[b.channels()], b.channels()));
            if (b.batchNorm()) {
                float[] ones = new float[b.channels()];
                java.util.Arrays.fill(ones, 1f);
                out.put(ConvSpec.batchNorm(i, "weight"), FloatTensor.of(ones.clone(), b.channels()));
                out.put(ConvSpec.batchNorm(i, "bias"), FloatTensor.of(new float[b.channels()], b.channels()));
                out.put(ConvSpec.batchNorm(i, "running_mean"), FloatTensor.of(new float[b.channels()], b.channels()));
                out.put(ConvSpec.batchNorm(i, "running_var"), FloatTensor.of(ones, b.channels()));
            }
        }
    }
}
