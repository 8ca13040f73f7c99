package ai.aicrypto.plaza.model.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import ai.aicrypto.plaza.model.card.RecommendedModels;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The plaza's fasttext forward pass against DJL/PyTorch's (torch.embedding, the masked mean, linear layers: the
 * operations the gpu-worker's TextNet trains with), on raw texts encoded by the dataset's own preprocessing.
 */
class TextNetworkTest {

    /** A review table: stars, then a text column of 60 id slots into 500 buckets (small, so the test's tables are). */
    static Preprocessing reviews() {
        return new Preprocessing(Preprocessing.CURRENT_VERSION, Preprocessing.TABULAR, List.of(
                new Preprocessing.Column("stars", Preprocessing.STANDARDIZE, 3.0, 1.5, false, null, null),
                new Preprocessing.Column("review", Preprocessing.TEXT, null, null, false, null, 500,
                        new Preprocessing.Text(60, 2, 3, 5))),
                null, new Preprocessing.Label("label", List.of("bad", "good", "mixed")));
    }

    static final List<String> TEXTS = List.of("Great little kettle, boils water fast and looks good",
            "The handle broke after two days of careful use", "", "주전자가 빨리 끓고 조용합니다",
            "Works as described, quiet and quick to heat but the lid leaks a little whenever it is completely full of water");

    private static ModelCard card(List<Integer> hidden, String activation) {
        ObjectNode card = (ObjectNode) RecommendedModels.forDataset("Reviews", reviews(), 5_000).get(0).card().json().deepCopy();
        ObjectNode architecture = card.withObject("architecture").put("buckets", 500).put("embeddingDim", 8);
        if (!hidden.isEmpty()) {
            hidden.forEach(architecture.putArray("hiddenSizes")::add);
            architecture.put("activation", activation);
        }
        card.set("preprocessing", JsonMapper.builder().build().valueToTree(reviews()));
        return new ModelCardValidator().parse(card.toString());
    }

    private static float[] encoded() {
        Preprocessing p = reviews();
        float[] x = new float[TEXTS.size() * p.featureCount()];
        for (int i = 0; i < TEXTS.size(); i++) {
            Map<String, String> record = Map.of("stars", String.valueOf(i % 5 + 1), "review", TEXTS.get(i));
            System.arraycopy(p.encode(record), 0, x, i * p.featureCount(), p.featureCount());
        }
        return x;
    }

    private static Map<String, float[]> randomWeights(ModelCard card, long seed) {
        Random random = new Random(seed);
        Map<String, float[]> values = new LinkedHashMap<>();
        ModelCard.TextArchitecture text = card.textArchitecture();
        values.put(TextNetwork.EMBEDDING, uniform(random, text.buckets() * text.embeddingDim(), 0.5));
        long in = card.denseInputSize();
        List<Integer> widths = new java.util.ArrayList<>(card.hiddenSizes());
        widths.add(card.outputSize());
        for (int l = 0; l < widths.size(); l++) {
            values.put("layers." + l + ".weight", uniform(random, (int) (widths.get(l) * in), Math.sqrt(6.0 / in)));
            values.put("layers." + l + ".bias", uniform(random, widths.get(l), 0.1));
            in = widths.get(l);
        }
        return values;
    }

    private static float[] uniform(Random random, int n, double bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return v;
    }

    private static LayerWeights weights(ModelCard card, Map<String, float[]> values) {
        Map<String, List<Long>> shapes = new HashMap<>();
        ModelCard.TextArchitecture text = card.textArchitecture();
        shapes.put(TextNetwork.EMBEDDING, List.of((long) text.buckets(), (long) text.embeddingDim()));
        long in = card.denseInputSize();
        List<Integer> widths = new java.util.ArrayList<>(card.hiddenSizes());
        widths.add(card.outputSize());
        for (int l = 0; l < widths.size(); l++) {
            shapes.put("layers." + l + ".weight", List.of((long) widths.get(l), in));
            shapes.put("layers." + l + ".bias", List.of((long) widths.get(l)));
            in = widths.get(l);
        }
        return LayerWeights.of(values, shapes);
    }

    /** DJL/PyTorch: embedding rows of the ids, masked mean over the slots in use, the stars after it, then the layers. */
    private static float[] djlForward(ModelCard card, Map<String, float[]> values, float[] x, int rows) {
        ModelCard.TextArchitecture text = card.textArchitecture();
        int features = (int) card.inputFeatureCount(), numbers = features - text.textSlots();
        try (NDManager m = DenseNetwork.cpuManager()) {
            NDArray input = m.create(x, new Shape(rows, features));
            NDArray slots = input.get(new NDIndex(":, {}:", numbers));
            NDArray used = slots.gt(0f).toType(DataType.FLOAT32, false);
            NDArray ids = slots.sub(1f).maximum(0f).toType(DataType.INT64, false);
            NDArray table = m.create(values.get(TextNetwork.EMBEDDING), new Shape(text.buckets(), text.embeddingDim()));
            NDArray bag = Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
            NDArray a = bag.mul(used.expandDims(2)).sum(new int[] {1}).div(used.sum(new int[] {1}, true).maximum(1f));
            a = a.concat(input.get(new NDIndex(":, :{}", numbers)), 1);
            int layers = card.hiddenSizes().size() + 1;
            long in = card.denseInputSize();
            for (int l = 0; l < layers; l++) {
                long out = l < layers - 1 ? card.hiddenSizes().get(l) : card.outputSize();
                a = Linear.linear(a, m.create(values.get("layers." + l + ".weight"), new Shape(out, in)),
                        m.create(values.get("layers." + l + ".bias"), new Shape(out))).singletonOrThrow();
                if (l < layers - 1) {
                    a = "gelu".equals(card.activation().orElse("relu")) ? Activation.gelu(a) : Activation.tanh(a);
                }
                in = out;
            }
            return a.toFloatArray();
        }
    }

    @Test
    void theMeanEmbeddingAndItsHeadAnswerRawTextsAsDjlDoes() throws Exception {
        for (ModelCard card : List.of(card(List.of(), null), card(List.of(16), "tanh"), card(List.of(12), "gelu"))) {
            Map<String, float[]> values = randomWeights(card, 11);
            TextNetwork network = TextNetwork.of(card, weights(card, values));
            float[] x = encoded();
            float[] plaza = network.forward(x, TEXTS.size());
            float[] djl = djlForward(card, values, x, TEXTS.size());
            assertThat(plaza).hasSize(TEXTS.size() * 3);
            for (int i = 0; i < plaza.length; i++) {
                assertThat((double) plaza[i]).as(card.hiddenSizes() + " output " + i).isCloseTo(djl[i], within(1e-4 * (1 + Math.abs(djl[i]))));
            }
            assertThat(network.memoryBytes()).isGreaterThan(4L * 500 * 8);
        }
        assertThat(TrainedNetwork.of(card(List.of(), null), weights(card(List.of(), null), randomWeights(card(List.of(), null), 1))))
                .containsInstanceOf(TextNetwork.class);
    }

    @Test
    void weightsOfAnotherNetworkAndIdsBeyondTheBucketsAreRefused() throws Exception {
        ModelCard linear = card(List.of(), null), hidden = card(List.of(16), "tanh");
        Map<String, float[]> values = randomWeights(hidden, 3);
        assertThatThrownBy(() -> TextNetwork.of(linear, weights(hidden, values)))
                .isInstanceOf(F32Tensors.UnfitTensorsException.class);
        TextNetwork network = TextNetwork.of(linear, weights(linear, randomWeights(linear, 3)));
        float[] x = new float[61];
        x[1] = 501; // id 500 of 500 buckets
        assertThatThrownBy(() -> network.forward(x, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("500 buckets");
    }
}
