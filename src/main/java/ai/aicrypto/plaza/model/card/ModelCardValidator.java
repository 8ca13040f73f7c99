package ai.aicrypto.plaza.model.card;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Validates model cards against {@code model-card/model-card-v1.schema.json} (JSON Schema 2020-12) plus a few
 * cross-field rules the schema cannot express (hyperparameter default inside its range, ...).
 * <p>
 * Thread-safe and cheap to share: the schema is loaded once, in the constructor. Every rejection carries one
 * {@link CardFieldError} per problem, with the field's JSON pointer and an i18n message key
 * ({@code i18n/model-card*.properties}).
 */
public final class ModelCardValidator {

    public static final String SCHEMA_RESOURCE = "model-card/model-card-v1.schema.json";
    public static final String SCHEMA_ID = "https://aiplaza.ai/schemas/model-card/v1.json";
    /** The newest spec version; cards of every earlier 1.x version stay valid. */
    public static final String SPEC_VERSION = "1.4";
    static final String SUPPORTED_VERSIONS = "1.0, 1.1, 1.2, 1.3, 1.4";
    /**
     * The most a cnn card may ask of one image: the plaza runs trained networks on its own CPU (predictions,
     * verification), so a card cannot make one call take minutes. About a ResNet-18 on 224x224 images.
     */
    static final long MAX_CNN_MULTIPLY_ADDS = 2_000_000_000L, MAX_CNN_PARAMETERS = 100_000_000L;
    /** The most a fasttext card's embedding may hold (buckets x width): the plaza keeps it in memory to answer calls. */
    static final long MAX_EMBEDDING_PARAMETERS = 100_000_000L;
    /** Cards are small documents; anything bigger is refused before parsing. */
    public static final int MAX_CARD_CHARS = 256 * 1024;

    static final String K = "model.card.error.";

    private final JsonMapper mapper;
    private final Schema schema;

    public ModelCardValidator() {
        this.mapper = JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .build();
        JsonNode schemaNode;
        try (InputStream in = ModelCardValidator.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("model card schema not on the classpath: " + SCHEMA_RESOURCE);
            }
            schemaNode = mapper.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .locale(Locale.ENGLISH)
                .build();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                b -> b.schemaRegistryConfig(config));
        this.schema = registry.getSchema(SchemaLocation.of(SCHEMA_ID), schemaNode);
        this.schema.initializeValidators();
    }

    /**
     * Parses and validates a card.
     *
     * @throws InvalidModelCardException with every problem found (malformed JSON stops at the first one)
     */
    public ModelCard parse(String json) throws InvalidModelCardException {
        JsonNode root = read(json);
        List<CardFieldError> errors = new ArrayList<>();
        for (Error e : schema.validate(root)) {
            CardFieldError mapped = map(e, root);
            // One reason per field: a value can fail both a property's own rule and a spec version's or template's
            // narrower one (an unknown template, say); the first, the property's own, says enough.
            if (errors.stream().noneMatch(other -> other.field().equals(mapped.field()))) {
                errors.add(mapped);
            }
        }
        if (errors.isEmpty()) {
            crossFieldChecks(root, errors);
        }
        if (!errors.isEmpty()) {
            throw new InvalidModelCardException(errors);
        }
        return new ModelCard(root.get("specVersion").stringValue(), root.get("name").stringValue(),
                root.get("task").stringValue(), root);
    }

    private JsonNode read(String json) {
        if (json == null || json.isBlank()) {
            throw new InvalidModelCardException(new CardFieldError("/", K + "empty", new Object[0],
                    "the model card is empty"));
        }
        if (json.length() > MAX_CARD_CHARS) {
            throw new InvalidModelCardException(new CardFieldError("/", K + "too-large",
                    new Object[] {json.length(), MAX_CARD_CHARS},
                    "the model card has " + json.length() + " characters, at most " + MAX_CARD_CHARS + " are allowed"));
        }
        try {
            return mapper.readTree(json);
        } catch (JacksonException e) {
            TokenStreamLocation loc = e.getLocation();
            int line = loc == null ? -1 : loc.getLineNr();
            int column = loc == null ? -1 : loc.getColumnNr();
            String reason = firstLine(e.getOriginalMessage());
            throw new InvalidModelCardException(new CardFieldError("/", K + "malformed-json",
                    new Object[] {line, column, reason},
                    "malformed JSON at line " + line + ", column " + column + ": " + reason));
        }
    }

    /** The preprocessing must produce exactly the features the model reads, and name its classes. */
    private void preprocessingChecks(JsonNode root, List<CardFieldError> errors) {
        JsonNode node = root.get("preprocessing");
        if (node == null) {
            return;
        }
        Preprocessing preprocessing = ModelCard.preprocessing(mapper, node);
        long features = new ModelCard("", "", "", root).inputFeatureCount();
        for (int i = 0; i < preprocessing.columns().size(); i++) {
            Preprocessing.Column c = preprocessing.columns().get(i);
            boolean hashed = Preprocessing.HASH.equals(c.encoding()) || c.freeText();
            if (c.freeText() != (c.text() != null) || hashed && c.buckets() == null) {
                errors.add(new CardFieldError("/preprocessing/columns/" + i, K + "preprocessing-text", new Object[] {c.name()},
                        "column " + c.name() + ": a text column needs its text settings and buckets, others no text settings"));
                return;
            }
        }
        if (!preprocessing.forImages() && preprocessing.columns().isEmpty()) {
            errors.add(new CardFieldError("/preprocessing/columns", K + "preprocessing-columns", new Object[0],
                    "a tabular preprocessing needs columns"));
        } else if (preprocessing.forImages() && preprocessing.image() == null) {
            errors.add(new CardFieldError("/preprocessing/image", K + "preprocessing-image", new Object[0],
                    "an image preprocessing needs its image shape"));
        } else if (preprocessing.featureCount() != features) {
            errors.add(new CardFieldError("/preprocessing", K + "preprocessing-features",
                    new Object[] {preprocessing.featureCount(), features},
                    "the preprocessing makes " + preprocessing.featureCount() + " features, the model reads " + features));
        }
        List<String> classes = new ModelCard("", "", "", root).classes();
        if (!preprocessing.label().classes().equals(classes)) {
            errors.add(new CardFieldError("/preprocessing/label/classes", K + "preprocessing-classes", new Object[0],
                    "the preprocessing's classes differ from the output classes"));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    // ------------------------------------------------------------------------------------------------
    // mapping of schema errors

    private CardFieldError map(Error e, JsonNode root) {
        String at = pointer(e.getInstanceLocation().toString());
        String keyword = e.getKeyword() == null ? "" : e.getKeyword();
        String message = e.getMessage();
        Object[] libArgs = e.getArguments() == null ? new Object[0] : e.getArguments();
        JsonNode value = e.getInstanceNode();
        String property = e.getProperty();
        return switch (keyword) {
            case "required" -> new CardFieldError(child(at, property), K + "required", new Object[] {property},
                    "required property '" + property + "' is missing");
            case "additionalProperties", "unevaluatedProperties" -> new CardFieldError(child(at, property),
                    K + "unknown-field", new Object[] {property, at},
                    "unknown property '" + property + "' is not part of the model card spec");
            case "false" -> notAllowed(at, root, message);
            case "const" -> "/specVersion".equals(at)
                    ? new CardFieldError(at, K + "spec-version", new Object[] {text(value), SUPPORTED_VERSIONS}, message)
                    : new CardFieldError(at, K + "const", new Object[] {text(value), arg(libArgs, 0)}, message);
            case "enum" -> "/specVersion".equals(at)
                    ? new CardFieldError(at, K + "spec-version", new Object[] {text(value), SUPPORTED_VERSIONS}, message)
                    : new CardFieldError(at, K + "enum", new Object[] {text(value), allowed(e)}, message);
            case "type" -> new CardFieldError(at, K + "type", new Object[] {arg(libArgs, 0), arg(libArgs, 1)}, message);
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" -> new CardFieldError(at,
                    K + kebab(keyword), new Object[] {arg(libArgs, 0), text(value)}, message);
            case "minItems", "maxItems" -> new CardFieldError(at, K + kebab(keyword),
                    new Object[] {arg(libArgs, 0), value == null ? "" : value.size()}, message);
            case "minLength", "maxLength" -> new CardFieldError(at, K + kebab(keyword),
                    new Object[] {arg(libArgs, 0)}, message);
            case "uniqueItems" -> new CardFieldError(at, K + "unique-items", new Object[0], message);
            case "pattern" -> new CardFieldError(at, patternKey(at), new Object[] {text(value)}, message);
            default -> new CardFieldError(at, K + "invalid", new Object[] {message}, message);
        };
    }

    /** A property forbidden by a {@code false} subschema: say which sibling choice forbids it. */
    private static CardFieldError notAllowed(String at, JsonNode root, String message) {
        String name = at.substring(at.lastIndexOf('/') + 1);
        if (at.startsWith("/architecture/") || at.startsWith("/hyperparameters/")) {
            String template = root.path("architecture").path("template").asString("");
            return new CardFieldError(at, K + "not-allowed-for-template", new Object[] {name, template},
                    "'" + name + "' is not allowed for the " + template + " template");
        }
        if (at.startsWith("/input/")) {
            String kind = root.path("input").path("kind").asString("");
            return new CardFieldError(at, K + "not-allowed-for-input-kind", new Object[] {name, kind},
                    "'" + name + "' is not allowed for " + kind + " input");
        }
        if (at.startsWith("/output/")) {
            String task = root.path("task").asString("");
            return new CardFieldError(at, K + "not-allowed-for-task", new Object[] {name, task},
                    "'" + name + "' is not allowed for a " + task + " task");
        }
        return new CardFieldError(at, K + "not-allowed", new Object[] {name}, message);
    }

    private static final Map<String, String> PATTERN_KEYS = Map.of(
            "/priceAic", K + "price-format",
            "/license", K + "license-format",
            "/runtime/engineVersion", K + "version-format",
            "/weights/sha256", K + "sha256-format",
            "/name", K + "blank");

    private static String patternKey(String at) {
        return PATTERN_KEYS.getOrDefault(at, K + "pattern");
    }

    private static String allowed(Error e) {
        JsonNode schemaNode = e.getSchemaNode();
        JsonNode values = schemaNode != null && schemaNode.has("enum") ? schemaNode.get("enum") : schemaNode;
        if (values != null && values.isArray()) {
            List<String> out = new ArrayList<>();
            values.values().forEach(v -> out.add(text(v)));
            return String.join(", ", out);
        }
        Object[] args = e.getArguments();
        return String.valueOf(arg(args == null ? new Object[0] : args, 0));
    }

    /** Library arguments as text, so MessageFormat shows limits such as 0.00001 exactly. */
    private static String arg(Object[] args, int i) {
        return i < args.length && args[i] != null ? String.valueOf(args[i]) : "";
    }

    private static String text(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "";
        }
        return n.isString() ? n.stringValue() : n.toString();
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** JSON pointer of the instance location, {@code /} for the root. */
    private static String pointer(String p) {
        return p == null || p.isEmpty() ? "/" : p;
    }

    private static String child(String parent, String name) {
        String escaped = name == null ? "" : name.replace("~", "~0").replace("/", "~1");
        return "/".equals(parent) ? "/" + escaped : parent + "/" + escaped;
    }

    // ------------------------------------------------------------------------------------------------
    // cross-field rules (only run on schema-valid cards)

    private void crossFieldChecks(JsonNode root, List<CardFieldError> errors) {
        preprocessingChecks(root, errors);
        convChecks(new ModelCard("", "", "", root), errors);
        textChecks(new ModelCard("", "", "", root), errors);
        JsonNode hp = root.path("hyperparameters");

        JsonNode optimizer = hp.path("optimizer");
        String def = optimizer.path("default").asString("");
        List<String> allowed = new ArrayList<>();
        optimizer.path("allowed").values().forEach(v -> allowed.add(v.stringValue()));
        if (hp.has("optimizer") && !allowed.contains(def)) {
            errors.add(new CardFieldError("/hyperparameters/optimizer/default", K + "default-not-allowed",
                    new Object[] {def, String.join(", ", allowed)},
                    "default '" + def + "' is not one of the allowed values " + allowed));
        }

        for (String name : ModelCard.NUMERIC_HYPERPARAMETERS.keySet()) {
            JsonNode node = hp.get(name);
            if (node == null) {
                continue;
            }
            String base = "/hyperparameters/" + name;
            BigDecimal dflt = node.get("default").decimalValue();
            BigDecimal min = node.get("min").decimalValue();
            BigDecimal max = node.get("max").decimalValue();
            if (min.compareTo(max) > 0) {
                errors.add(new CardFieldError(base + "/min", K + "range-inverted",
                        new Object[] {plain(min), plain(max)},
                        "min " + plain(min) + " is greater than max " + plain(max)));
            } else if (dflt.compareTo(min) < 0 || dflt.compareTo(max) > 0) {
                errors.add(new CardFieldError(base + "/default", K + "default-out-of-range",
                        new Object[] {plain(dflt), plain(min), plain(max)},
                        "default " + plain(dflt) + " is outside the range [" + plain(min) + ", " + plain(max) + "]"));
            }
            if ("log".equals(node.path("scale").asString("")) && min.signum() <= 0) {
                errors.add(new CardFieldError(base + "/min", K + "log-scale-min",
                        new Object[] {plain(min)},
                        "a log-scale range needs min > 0, got " + plain(min)));
            }
        }
    }

    /** A cnn reads images, keeps pixels through every block and stays small enough to run on the plaza. */
    private static void convChecks(ModelCard card, List<CardFieldError> errors) {
        if (!card.isConvolutional()) {
            return;
        }
        if (!"image".equals(card.inputKind())) {
            errors.add(new CardFieldError("/input/kind", K + "cnn-image-input", new Object[0], "a cnn needs an image input"));
            return;
        }
        ConvArchitecture conv = card.convArchitecture();
        int empty = conv.firstEmptyBlock();
        if (empty >= 0) {
            ConvArchitecture.Shape in = conv.shapes().get(empty);
            errors.add(new CardFieldError("/architecture/convBlocks/" + empty, K + "cnn-block-empty",
                    new Object[] {empty + 1, in.height(), in.width()},
                    "conv block " + (empty + 1) + " leaves no pixels of its " + in.height() + "x" + in.width() + " input"));
            return;
        }
        long in = conv.flattenedSize(), multiplyAdds = conv.multiplyAdds(), parameters = conv.parameters();
        List<Integer> head = new ArrayList<>(card.hiddenSizes());
        head.add(card.outputSize());
        for (int width : head) {
            multiplyAdds += in * width;
            parameters += in * width + width;
            in = width;
        }
        if (multiplyAdds > MAX_CNN_MULTIPLY_ADDS || parameters > MAX_CNN_PARAMETERS) {
            errors.add(new CardFieldError("/architecture", K + "cnn-too-large",
                    new Object[] {multiplyAdds, parameters, MAX_CNN_MULTIPLY_ADDS, MAX_CNN_PARAMETERS},
                    "the cnn needs " + multiplyAdds + " multiply-adds per image and has " + parameters + " parameters"));
        }
    }

    /**
     * A fasttext classifier reads a table whose last features are its text ids, from as many buckets as its embedding
     * has rows (a trained card's preprocessing says how many), and stays small enough to keep in memory.
     */
    private void textChecks(ModelCard card, List<CardFieldError> errors) {
        if (!card.isText()) {
            return;
        }
        if (!"tabular".equals(card.inputKind())) {
            errors.add(new CardFieldError("/input/kind", K + "text-tabular-input", new Object[0],
                    "a fasttext classifier reads records with text columns: set the input kind to tabular"));
            return;
        }
        ModelCard.TextArchitecture text = card.textArchitecture();
        if (text.textSlots() > card.inputFeatureCount()) {
            errors.add(new CardFieldError("/architecture/textSlots", K + "text-slots",
                    new Object[] {text.textSlots(), card.inputFeatureCount()},
                    "textSlots " + text.textSlots() + " exceeds the " + card.inputFeatureCount() + " input features"));
        }
        if (text.embeddingParameters() > MAX_EMBEDDING_PARAMETERS) {
            errors.add(new CardFieldError("/architecture", K + "text-too-large",
                    new Object[] {text.embeddingParameters(), MAX_EMBEDDING_PARAMETERS},
                    "the embedding has " + text.embeddingParameters() + " parameters"));
        }
        JsonNode node = card.json().get("preprocessing");
        if (node != null) {
            Preprocessing preprocessing = ModelCard.preprocessing(mapper, node);
            if (preprocessing.textSlots() != text.textSlots() || preprocessing.textBuckets() != text.buckets()) {
                errors.add(new CardFieldError("/architecture", K + "text-preprocessing",
                        new Object[] {preprocessing.textSlots(), preprocessing.textBuckets(), text.textSlots(), text.buckets()},
                        "the preprocessing makes " + preprocessing.textSlots() + " text ids in " + preprocessing.textBuckets()
                                + " buckets, the model reads " + text.textSlots() + " in " + text.buckets()));
            }
        }
    }

    private static String plain(BigDecimal d) {
        return d.stripTrailingZeros().toPlainString();
    }

    /** For tests and tooling: the schema document as shipped. */
    public static String schemaText() {
        try (InputStream in = ModelCardValidator.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("model card schema not on the classpath: " + SCHEMA_RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
