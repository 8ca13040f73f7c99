package ai.aicrypto.plaza.model.card;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.platform.UserFacingException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model card that passed {@link ModelCardValidator}: the schema (model-card-v1.schema.json) and the
 * cross-field checks. The accessors therefore assume a valid document.
 *
 * @param json the whole validated card; treat it as read-only
 */
public record ModelCard(String specVersion, String name, String task, JsonNode json) {

    public static final String TASK_CLASSIFICATION = "classification";
    public static final String TASK_REGRESSION = "regression";
    public static final String TEMPLATE_MLP = "mlp";
    public static final String TEMPLATE_SOFTMAX_REGRESSION = "softmax-regression";
    /** Gradient-boosted trees, trained with XGBoost (spec 1.2). */
    public static final String TEMPLATE_GBDT = "gbdt";
    /** A convolutional network for images (spec 1.3). */
    public static final String TEMPLATE_CNN = "cnn";
    /** A fastText-style text classifier: the mean embedding of hashed n-gram ids, then dense layers (spec 1.4). */
    public static final String TEMPLATE_TEXT = "fasttext";
    public static final String WEIGHTS_SAFETENSORS = "safetensors", WEIGHTS_XGBOOST_JSON = "xgboost-json";
    private static final JsonMapper READER = JsonMapper.builder().build();

    /** Numeric hyperparameters in the order a form should show them, with their value type. */
    static final Map<String, HyperparameterSpec.Type> NUMERIC_HYPERPARAMETERS = orderedNumeric();

    public ModelCard {
        Objects.requireNonNull(specVersion, "specVersion");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(json, "json");
    }

    public Optional<String> description() {
        return Optional.ofNullable(json.get("description")).map(JsonNode::stringValue);
    }

    public boolean isClassification() {
        return TASK_CLASSIFICATION.equals(task);
    }

    // ---- input ----

    /** {@code tabular} or {@code image}. */
    public String inputKind() {
        return json.path("input").path("kind").stringValue();
    }

    /** Feature columns of a tabular input, else empty. */
    public List<String> inputColumns() {
        return strings(json.path("input").path("columns"));
    }

    /** Image shape ([h, w] or [c, h, w]) of an image input, else empty. */
    public List<Integer> inputShape() {
        List<Integer> shape = new ArrayList<>();
        json.path("input").path("shape").values().forEach(n -> shape.add(n.asInt()));
        return List.copyOf(shape);
    }

    /** Short human description of the input, e.g. {@code image 1x28x28} or {@code tabular, 4 columns: a, b, c, d}. */
    public String inputDescription() {
        if ("image".equals(inputKind())) {
            return "image " + inputShape().stream().map(String::valueOf).collect(Collectors.joining("x"));
        }
        List<String> columns = inputColumns();
        String shown = columns.stream().limit(8).collect(Collectors.joining(", "));
        return "tabular, " + columns.size() + (columns.size() == 1 ? " column: " : " columns: ") + shown
                + (columns.size() > 8 ? ", ..." : "");
    }

    /** Number of input features the first layer sees (columns, or the product of the image shape). */
    public long inputFeatureCount() {
        if ("image".equals(inputKind())) {
            return inputShape().stream().mapToLong(Integer::longValue).reduce(1L, (a, b) -> a * b);
        }
        return inputColumns().size();
    }

    // ---- output ----

    /** Class labels (classification), else empty. */
    public List<String> classes() {
        return strings(json.path("output").path("classes"));
    }

    /** Regression target names, else empty. */
    public List<String> targets() {
        return strings(json.path("output").path("targets"));
    }

    /** Width of the output layer: number of classes or of regression targets. */
    public int outputSize() {
        return isClassification() ? classes().size() : targets().size();
    }

    /**
     * Why this card cannot learn a dataset encoded as {@code data} with {@code featureCount} features per record (the
     * width, the task, the number of classes), for the form field {@code field}; empty when it can.
     */
    public Optional<UserFacingException> misfit(Preprocessing data, long featureCount, String field) {
        if (inputFeatureCount() != featureCount) {
            return Optional.of(new UserFacingException(field, "builder.error.features", featureCount, inputFeatureCount()));
        }
        if (isClassification() == data.label().regression()) {
            return Optional.of(new UserFacingException(field, isClassification()
                    ? "builder.error.task-regression" : "builder.error.task-classification"));
        }
        if (isClassification() && outputSize() != data.label().classes().size()) {
            return Optional.of(new UserFacingException(field, "builder.error.classes", data.label().classes().size(),
                    outputSize()));
        }
        return Optional.empty();
    }

    // ---- architecture ----

    public String architectureTemplate() {
        return json.path("architecture").path("template").stringValue();
    }

    /** Whether the model is gradient-boosted trees (else a dense network). */
    public boolean isTrees() {
        return TEMPLATE_GBDT.equals(architectureTemplate());
    }

    /** Whether the model is a convolutional network (conv blocks before its dense layers). */
    public boolean isConvolutional() {
        return TEMPLATE_CNN.equals(architectureTemplate());
    }

    /** The conv blocks of a cnn card. */
    public ConvArchitecture convArchitecture() {
        if (!isConvolutional()) {
            throw new IllegalStateException("not a cnn card");
        }
        return ConvArchitecture.of(json);
    }

    /** Whether the model is a fasttext classifier (an embedding bag of text ids before its dense layers). */
    public boolean isText() {
        return TEMPLATE_TEXT.equals(architectureTemplate());
    }

    /**
     * A fasttext card's embedding bag: the trailing {@code textSlots} input features are ids (id + 1, 0 for an unused
     * slot) into {@code buckets} rows of {@code embeddingDim} ({@code embedding.0.weight} [buckets, embeddingDim]); the
     * mean of a record's rows, then the input's other features, are what the dense layers read.
     */
    public record TextArchitecture(int buckets, int embeddingDim, int textSlots) {

        /** Embedding rows, and the ids that share a record's bag. */
        public long embeddingParameters() {
            return (long) buckets * embeddingDim;
        }
    }

    public TextArchitecture textArchitecture() {
        if (!isText()) {
            throw new IllegalStateException("not a fasttext card");
        }
        JsonNode a = json.path("architecture");
        return new TextArchitecture(a.path("buckets").asInt(), a.path("embeddingDim").asInt(), a.path("textSlots").asInt());
    }

    /**
     * What the first dense layer reads: the input features, a cnn's flattened last conv block, or a fasttext's mean
     * embedding and the numeric features.
     */
    public long denseInputSize() {
        if (isText()) {
            TextArchitecture text = textArchitecture();
            return text.embeddingDim() + inputFeatureCount() - text.textSlots();
        }
        return isConvolutional() ? convArchitecture().flattenedSize() : inputFeatureCount();
    }

    /** Random crops of a cnn's training images padded by this many pixels on each side (0: none). */
    public int cropPadding() {
        return json.path("architecture").path("augmentation").path("cropPadding").asInt(0);
    }

    /** Whether a cnn's training images are flipped left-right at random. */
    public boolean horizontalFlip() {
        return json.path("architecture").path("augmentation").path("horizontalFlip").asBoolean(false);
    }

    /** The type of the model's weights file: XGBoost's JSON model for trees, safetensors for networks. */
    public String weightsFormat() {
        return isTrees() ? WEIGHTS_XGBOOST_JSON : WEIGHTS_SAFETENSORS;
    }

    /**
     * The hyperparameter counting the passes training reports its progress by: a network's {@code epochs}, or the
     * {@code rounds} of trees (each round is reported like an epoch).
     */
    public String passesHyperparameter() {
        return isTrees() ? "rounds" : "epochs";
    }

    /** Hidden layer widths (mlp, a cnn's head), else empty. */
    public List<Integer> hiddenSizes() {
        List<Integer> sizes = new ArrayList<>();
        json.path("architecture").path("hiddenSizes").values().forEach(n -> sizes.add(n.asInt()));
        return List.copyOf(sizes);
    }

    /** Hidden-layer activation (mlp; cnn: also after each conv block), else empty. */
    public Optional<String> activation() {
        return Optional.ofNullable(json.path("architecture").get("activation")).map(JsonNode::stringValue);
    }

    /** Dropout probability; 0 when not given. */
    public BigDecimal dropout() {
        JsonNode d = json.path("architecture").get("dropout");
        return d == null ? BigDecimal.ZERO : d.decimalValue();
    }

    // ---- hyperparameters ----

    /** Declared hyperparameters: the optimizer first (networks), then the numeric ones in a fixed order. */
    public List<HyperparameterSpec> hyperparameters() {
        JsonNode hp = json.path("hyperparameters");
        List<HyperparameterSpec> specs = new ArrayList<>();
        JsonNode optimizer = hp.get("optimizer");
        if (optimizer != null) {
            specs.add(new HyperparameterSpec("optimizer", HyperparameterSpec.Type.CHOICE,
                    optimizer.path("default").stringValue(), null, null, strings(optimizer.path("allowed")), null));
        }
        NUMERIC_HYPERPARAMETERS.forEach((name, type) -> {
            JsonNode node = hp.get(name);
            if (node != null) {
                specs.add(new HyperparameterSpec(name, type, node.path("default").decimalValue(),
                        node.path("min").decimalValue(), node.path("max").decimalValue(), List.of(),
                        node.has("scale") ? node.get("scale").stringValue() : null));
            }
        });
        return List.copyOf(specs);
    }

    public Optional<HyperparameterSpec> hyperparameter(String name) {
        return hyperparameters().stream().filter(h -> h.name().equals(name)).findFirst();
    }

    // ---- runtime, commercial ----

    /** {@code djl-pytorch}, {@code jcuda} or {@code xgboost}. */
    public String engine() {
        return json.path("runtime").path("engine").stringValue();
    }

    public Optional<String> engineVersion() {
        return Optional.ofNullable(json.path("runtime").get("engineVersion")).map(JsonNode::stringValue);
    }

    /** SPDX license identifier or expression. */
    public String license() {
        return json.path("license").stringValue();
    }

    /** Price in AIC (up to 18 decimals), exact. */
    public BigDecimal priceAic() {
        return new BigDecimal(json.path("priceAic").stringValue());
    }

    // ---- spec 1.1: what a trained model accepts ----

    /** How raw records become this model's features (a model trained on the plaza), if the card says. */
    public Optional<Preprocessing> preprocessing() {
        JsonNode node = json.get("preprocessing");
        return node == null ? Optional.empty() : Optional.of(preprocessing(READER, node));
    }

    /**
     * How this model takes raw input: the card's {@link #preprocessing()}, or for a card without one (spec 1.0),
     * its input as it is: each column a number (missing: 0), or a grey image of the card's shape scaled to [0, 1].
     * Empty for an image input of other than 1 (grey) or 3 (red, green, blue) channels, which the plaza cannot encode.
     */
    public Optional<Preprocessing> inputPreprocessing() {
        Optional<Preprocessing> carried = preprocessing();
        if (carried.isPresent()) {
            return carried;
        }
        Preprocessing.Label label = new Preprocessing.Label(isClassification() ? "class" : targets().get(0),
                isClassification() ? classes() : List.of());
        if ("image".equals(inputKind())) {
            List<Integer> shape = inputShape();
            int channels = shape.size() == 3 ? shape.get(0) : 1;
            if (channels != 1 && channels != 3) {
                return Optional.empty();
            }
            int h = shape.get(shape.size() - 2), w = shape.get(shape.size() - 1);
            return Optional.of(new Preprocessing(1, Preprocessing.IMAGE, List.of(),
                    new Preprocessing.Image(h, w, channels, 1 / 255.0), label));
        }
        List<Preprocessing.Column> columns = inputColumns().stream()
                .map(c -> new Preprocessing.Column(c, Preprocessing.NUMBER, 0.0, null, false, null, null)).toList();
        return Optional.of(new Preprocessing(1, Preprocessing.TABULAR, columns, null, label));
    }

    static Preprocessing preprocessing(JsonMapper mapper, JsonNode node) {
        return mapper.treeToValue(node, Preprocessing.class);
    }

    /** Whether the card announces a weights file. */
    public boolean declaresWeights() {
        return json.has("weights");
    }

    /** Expected SHA-256 (lower-case hex) of the weights file, if the card pins one. */
    public Optional<String> weightsSha256() {
        return Optional.ofNullable(json.path("weights").get("sha256")).map(JsonNode::stringValue);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.values().forEach(n -> out.add(n.stringValue()));
        return List.copyOf(out);
    }

    private static Map<String, HyperparameterSpec.Type> orderedNumeric() {
        var map = new java.util.LinkedHashMap<String, HyperparameterSpec.Type>();
        map.put("learningRate", HyperparameterSpec.Type.NUMBER);
        map.put("batchSize", HyperparameterSpec.Type.INTEGER);
        map.put("epochs", HyperparameterSpec.Type.INTEGER);
        map.put("weightDecay", HyperparameterSpec.Type.NUMBER);
        map.put("momentum", HyperparameterSpec.Type.NUMBER);
        map.put("rounds", HyperparameterSpec.Type.INTEGER);
        map.put("maxDepth", HyperparameterSpec.Type.INTEGER);
        map.put("eta", HyperparameterSpec.Type.NUMBER);
        map.put("subsample", HyperparameterSpec.Type.NUMBER);
        map.put("minChildWeight", HyperparameterSpec.Type.NUMBER);
        map.put("lambda", HyperparameterSpec.Type.NUMBER);
        map.put("seed", HyperparameterSpec.Type.INTEGER);
        return java.util.Collections.unmodifiableMap(map);
    }
}
