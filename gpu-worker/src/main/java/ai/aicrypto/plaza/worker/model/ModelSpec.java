package ai.aicrypto.plaza.worker.model;

import ai.aicrypto.plaza.worker.data.Task;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The trainable part of a model card (model-card-v1, spec 1.0 to 1.4): architecture template and hyperparameters.
 * The network is a stack of dense layers {@code inputSize -> hiddenSizes... -> outputSize}; softmax regression is
 * the case without hidden layers. A cnn (spec 1.3) puts its conv blocks ({@link ConvSpec}) before that stack, which
 * then reads the last block's output; a fasttext classifier (spec 1.4) an embedding bag of its text ids
 * ({@link TextSpec}). Weight tensors use PyTorch's layout: {@code layers.i.weight} [out, in],
 * {@code layers.i.bias} [out].
 *
 * @param expectedFeatures input width the card implies (product of the image shape, or the number of columns),
 *                         or -1 if unknown
 * @param conv             the conv blocks of a cnn, else null
 * @param text             the embedding bag of a fasttext classifier, else null
 */
public record ModelSpec(String name, Task task, String template, List<Integer> hiddenSizes, Activation activation,
                        double dropout, int outputSize, List<String> outputNames, int expectedFeatures,
                        Hyperparameters hyperparameters, ConvSpec conv, TextSpec text) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelSpec {
        hiddenSizes = List.copyOf(hiddenSizes);
        outputNames = List.copyOf(outputNames);
        if (dropout < 0 || dropout >= 1) throw new IllegalArgumentException("dropout must be in [0, 1)");
        if (outputSize < 1) throw new IllegalArgumentException("outputSize must be >= 1");
        if (task == Task.CLASSIFICATION && outputSize < 2) throw new IllegalArgumentException("classification needs >= 2 classes");
        if ((conv != null) != ConvSpec.TEMPLATE.equals(template)) throw new IllegalArgumentException("conv blocks belong to the cnn template");
        if ((text != null) != TextSpec.TEMPLATE.equals(template)) throw new IllegalArgumentException("an embedding bag belongs to the fasttext template");
        if (text != null && expectedFeatures >= 0 && text.textSlots() > expectedFeatures) {
            throw new IllegalArgumentException("the card has " + text.textSlots() + " text slots but " + expectedFeatures + " input features");
        }
    }

    public ModelSpec(String name, Task task, String template, List<Integer> hiddenSizes, Activation activation, double dropout,
                     int outputSize, List<String> outputNames, int expectedFeatures, Hyperparameters hyperparameters, ConvSpec conv) {
        this(name, task, template, hiddenSizes, activation, dropout, outputSize, outputNames, expectedFeatures, hyperparameters, conv, null);
    }

    /** A dense network (softmax regression or mlp). */
    public ModelSpec(String name, Task task, String template, List<Integer> hiddenSizes, Activation activation, double dropout,
                     int outputSize, List<String> outputNames, int expectedFeatures, Hyperparameters hyperparameters) {
        this(name, task, template, hiddenSizes, activation, dropout, outputSize, outputNames, expectedFeatures, hyperparameters, null);
    }

    public boolean isConvolutional() {
        return conv != null;
    }

    public boolean isText() {
        return text != null;
    }

    /**
     * Whether the network has layers beyond dense ones (convolutions, embeddings): the evaluator and serving run it with
     * DJL's forward pass, whichever engine trained it; which engines train it is {@link
     * ai.aicrypto.plaza.worker.engine.TrainingEngine#trains}.
     */
    public boolean needsCpuEngine() {
        return conv != null || text != null;
    }

    public static ModelSpec parse(Path card) throws IOException {
        return parse(Files.readString(card));
    }

    public static ModelSpec parse(String cardJson) throws IOException {
        return fromCard(JSON.readTree(cardJson));
    }

    /** Reads the fields the worker needs; the app has validated the card against the JSON schema. */
    public static ModelSpec fromCard(JsonNode card) {
        String spec = card.path("specVersion").asText("");
        // 1.1 adds preprocessing and interface: how the app encodes raw records, which the worker never sees;
        // 1.2 adds the gbdt template (BoostedTreesSpec); 1.3 the cnn template; 1.4 the fasttext template
        if (!List.of("1.0", "1.1", "1.2", "1.3", "1.4").contains(spec)) {
            throw new IllegalArgumentException("unsupported model card specVersion '" + spec + "'");
        }
        Task task = Task.parse(card.path("task").asText());
        JsonNode arch = required(card, "architecture");
        String template = arch.path("template").asText();
        List<Integer> hidden = new ArrayList<>();
        Activation act = null;
        double dropout = 0;
        ConvSpec conv = null;
        TextSpec text = null;
        switch (template) {
            case "softmax-regression" -> {
                if (arch.has("hiddenSizes") || arch.has("activation") || arch.has("dropout")) {
                    throw new IllegalArgumentException("softmax-regression takes no hiddenSizes, activation or dropout");
                }
            }
            case "mlp" -> {
                JsonNode hs = required(arch, "hiddenSizes");
                if (!hs.isArray() || hs.isEmpty()) throw new IllegalArgumentException("mlp needs hiddenSizes");
                hs.forEach(h -> {
                    if (!h.canConvertToInt() || h.asInt() < 1) throw new IllegalArgumentException("bad hidden size " + h);
                    hidden.add(h.asInt());
                });
                act = Activation.parse(required(arch, "activation").asText());
                dropout = arch.path("dropout").asDouble(0);
            }
            case ConvSpec.TEMPLATE -> {
                arch.path("hiddenSizes").forEach(h -> {
                    if (!h.canConvertToInt() || h.asInt() < 1) throw new IllegalArgumentException("bad hidden size " + h);
                    hidden.add(h.asInt());
                });
                act = Activation.parse(required(arch, "activation").asText());
                dropout = arch.path("dropout").asDouble(0);
                conv = ConvSpec.fromCard(card, arch);
            }
            case TextSpec.TEMPLATE -> {
                arch.path("hiddenSizes").forEach(h -> {
                    if (!h.canConvertToInt() || h.asInt() < 1) throw new IllegalArgumentException("bad hidden size " + h);
                    hidden.add(h.asInt());
                });
                act = hidden.isEmpty() ? null : Activation.parse(required(arch, "activation").asText());
                dropout = arch.path("dropout").asDouble(0);
                text = TextSpec.fromCard(arch);
            }
            default -> throw new IllegalArgumentException("unknown architecture template '" + template + "'");
        }
        JsonNode output = required(card, "output");
        List<String> outNames = new ArrayList<>();
        (task == Task.CLASSIFICATION ? required(output, "classes") : required(output, "targets")).forEach(n -> outNames.add(n.asText()));
        if (task == Task.REGRESSION && outNames.size() != 1) {
            throw new IllegalArgumentException("the worker trains single-target regression only (shards hold targets [rows])");
        }
        JsonNode input = card.path("input");
        int expected = -1;
        if (input.path("kind").asText().equals("image") && input.path("shape").isArray()) {
            long p = 1;
            for (JsonNode d : input.path("shape")) p *= d.asLong();
            expected = (int) p;
        } else if (input.path("columns").isArray()) {
            expected = input.path("columns").size();
        }
        JsonNode hp = required(card, "hyperparameters");
        Hyperparameters h = new Hyperparameters(
                OptimizerKind.parse(required(required(hp, "optimizer"), "default").asText()),
                required(required(hp, "learningRate"), "default").asDouble(),
                required(required(hp, "batchSize"), "default").asInt(),
                required(required(hp, "epochs"), "default").asInt(),
                hp.path("weightDecay").path("default").asDouble(0),
                hp.path("momentum").path("default").asDouble(0),
                required(required(hp, "seed"), "default").asLong());
        return new ModelSpec(card.path("name").asText(""), task, template, hidden, act, dropout,
                outNames.size() == 1 && task == Task.REGRESSION ? 1 : outNames.size(), outNames, expected, h, conv, text);
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) throw new IllegalArgumentException("model card: '" + field + "' is required");
        return v;
    }

    public ModelSpec withHyperparameters(Hyperparameters h) {
        return new ModelSpec(name, task, template, hiddenSizes, activation, dropout, outputSize, outputNames, expectedFeatures, h, conv, text);
    }

    /**
     * Dense layer widths {@code [in, hidden..., out]} for a given input width (a cnn's head: its flattened last block; a
     * fasttext's: the mean embedding and the numeric features).
     */
    public int[] layerSizes(int inputSize) {
        int[] s = new int[hiddenSizes.size() + 2];
        s[0] = conv != null ? conv.flattenedSize() : text != null ? text.denseInputSize(inputSize) : inputSize;
        for (int i = 0; i < hiddenSizes.size(); i++) s[i + 1] = hiddenSizes.get(i);
        s[s.length - 1] = outputSize;
        return s;
    }

    public int layerCount() {
        return hiddenSizes.size() + 1;
    }

    public static String weightName(int layer) {
        return "layers." + layer + ".weight";
    }

    public static String biasName(int layer) {
        return "layers." + layer + ".bias";
    }
}
