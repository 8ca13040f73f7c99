package ai.aicrypto.plaza.model.inference;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.model.card.ModelCard;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The forward pass of a card's fasttext classifier (spec 1.4) on the plaza's CPU, for predictions and the verification
 * of trained weights: the mean of the embedding rows of a record's text ids, in plain Java (a record's slots hold
 * {@code id + 1}, 0 for none; no id at all gives zeros), the record's numeric features after it, then the card's dense
 * layers as {@link DenseNetwork} runs every dense network. The same arithmetic as the gpu-worker's {@code TextNet}.
 */
public final class TextNetwork implements TrainedNetwork {

    /** The embedding's name in the weights, as the gpu-worker writes it. */
    public static final String EMBEDDING = "embedding.0.weight";

    private final ModelCard card;
    private final ModelCard.TextArchitecture text;
    private final int inputs;
    private final float[] embedding;
    private final LayerWeights head;
    private final long headFloats;

    private TextNetwork(ModelCard card, LayerWeights weights) throws IOException, F32Tensors.UnfitTensorsException {
        this.card = card;
        this.text = card.textArchitecture();
        this.inputs = (int) card.inputFeatureCount();
        this.embedding = weights.read(EMBEDDING, List.of((long) text.buckets(), (long) text.embeddingDim()));
        Map<String, float[]> values = new HashMap<>();
        Map<String, List<Long>> shapes = new HashMap<>();
        long floats = 0;
        long in = card.denseInputSize();
        List<Integer> widths = new java.util.ArrayList<>(card.hiddenSizes());
        widths.add(card.outputSize());
        for (int l = 0; l < widths.size(); l++) {
            long out = widths.get(l);
            for (String member : List.of("weight", "bias")) {
                String name = "layers." + l + "." + member;
                List<Long> shape = member.equals("weight") ? List.of(out, in) : List.of(out);
                values.put(name, weights.read(name, shape));
                shapes.put(name, shape);
                floats += values.get(name).length;
            }
            in = out;
        }
        if (weights.tensorCount() != values.size() + 1) {
            throw new F32Tensors.UnfitTensorsException("the weights hold " + weights.tensorCount() + " tensors, the card's network "
                    + (values.size() + 1));
        }
        this.head = LayerWeights.of(values, shapes);
        this.headFloats = floats;
    }

    /**
     * The card's network with these weights (read once; the network keeps its own copy).
     *
     * @throws F32Tensors.UnfitTensorsException when the weights do not hold the card's network
     */
    public static TextNetwork of(ModelCard card, LayerWeights weights) throws IOException, F32Tensors.UnfitTensorsException {
        return new TextNetwork(card, weights);
    }

    /**
     * @param x [rows, inputs]: the numeric features, then the text ids
     * @return logits (classification) or predicted values (regression), [rows, outputs]
     * @throws IllegalArgumentException for an id that is not a whole number within the card's buckets
     */
    @Override
    public float[] forward(float[] x, int rows) {
        int dim = text.embeddingDim(), numbers = inputs - text.textSlots(), width = dim + numbers;
        float[] dense = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            int row = r * inputs, out = r * width, used = 0;
            double[] sum = new double[dim];
            for (int s = numbers; s < inputs; s++) {
                float slot = x[row + s];
                if (slot == 0f) {
                    continue;
                }
                if (!(slot >= 1f && slot <= text.buckets() && slot == Math.rint(slot))) {
                    throw new IllegalArgumentException("text id " + slot + " is not one of the card's " + text.buckets() + " buckets");
                }
                int at = ((int) slot - 1) * dim;
                for (int d = 0; d < dim; d++) {
                    sum[d] += embedding[at + d];
                }
                used++;
            }
            for (int d = 0; d < dim; d++) {
                dense[out + d] = (float) (sum[d] / Math.max(1, used));
            }
            System.arraycopy(x, row, dense, out + dim, numbers);
        }
        try (NDManager manager = DenseNetwork.cpuManager()) {
            return DenseNetwork.forward(manager, card, width, head, manager.create(dense, new Shape(rows, width))).toFloatArray();
        } catch (IOException | F32Tensors.UnfitTensorsException e) {
            throw new IllegalStateException("the head's weights were checked when the network was loaded", e);
        }
    }

    @Override
    public long memoryBytes() {
        return 4L * (embedding.length + headFloats);
    }
}
