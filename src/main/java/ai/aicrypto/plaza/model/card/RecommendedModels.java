package ai.aicrypto.plaza.model.card;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import ai.aicrypto.plaza.dataset.format.Preprocessing;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Model cards made for one dataset, so nobody has to write JSON to train on their own data: the architectures the
 * training engines offer, sized to the dataset's features, classes and rows, with defaults that train well and
 * ranges to try. Each card's input is exactly the dataset's features: networks are spec 1.0 cards, gradient-boosted
 * trees (tables only) spec 1.2, convolutional networks (images only) spec 1.3, text classifiers (tables with text
 * columns, which get only these: the other models would read text ids as numbers) spec 1.4.
 */
public final class RecommendedModels {

    public static final String GBDT = "gbdt", MLP = "mlp", LINEAR = "linear", CNN = "cnn", CNN_DEEP = "cnn-deep",
            TEXT = "fasttext", TEXT_HIDDEN = "fasttext-hidden";
    /** The XGBoost release the gpu-worker trains trees with. */
    static final String XGBOOST_VERSION = "3.4.0";
    /** A card lists every feature; beyond this many a dataset is too wide for these models' cards. */
    static final int MAX_FEATURES = 10_000;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final ModelCardValidator VALIDATOR = new ModelCardValidator();

    private RecommendedModels() {
    }

    /**
     * A recommendation: {@code key} names it in a form; the message keys {@code builder.recommended.KEY.*} name and
     * explain it with {@code explanationArgs}.
     */
    public record Recommendation(String key, ModelCard card, List<Object> explanationArgs) {
    }

    /** The recommendations for a dataset, the one that usually does best first; empty when none fits. */
    public static List<Recommendation> forDataset(String datasetTitle, Preprocessing data, long rows) {
        List<Recommendation> out = new ArrayList<>();
        if (data.textSlots() > 0) {
            out.add(text(datasetTitle, data, rows, false));
            out.add(text(datasetTitle, data, rows, true));
            return List.copyOf(out);
        }
        if (data.forImages()) {
            // a card names the image's shape, not each pixel: CNNs fit images of any size the plaza can run
            cnn(datasetTitle, data, rows, false).ifPresent(out::add);
            cnn(datasetTitle, data, rows, true).ifPresent(out::add);
        }
        if (data.featureCount() > MAX_FEATURES) {
            return List.copyOf(out);
        }
        if (data.forImages()) {
            out.add(mlp(datasetTitle, data, rows, List.of(256, 128), 0.2));
            if (!data.label().regression()) {
                out.add(linear(datasetTitle, data, rows));
            }
            return List.copyOf(out);
        }
        int width = Math.max(32, Math.min(256, Integer.highestOneBit(Math.max(1, data.featureCount() * 2 - 1)) * 2));
        // Small tables overfit a deep network: one hidden layer and some dropout.
        boolean small = rows < 2_000;
        out.add(trees(datasetTitle, data, rows)); // on tables trees usually beat both networks (ops/bench/training)
        out.add(mlp(datasetTitle, data, rows, small ? List.of(width) : List.of(width, width / 2), small ? 0.1 : 0));
        if (!data.label().regression()) {
            out.add(linear(datasetTitle, data, rows));
        }
        return List.copyOf(out);
    }

    /** The recommendation with this key, if the dataset gets one. */
    public static java.util.Optional<Recommendation> find(String key, String datasetTitle, Preprocessing data, long rows) {
        return forDataset(datasetTitle, data, rows).stream().filter(r -> r.key().equals(key)).findFirst();
    }

    private static Recommendation mlp(String title, Preprocessing data, long rows, List<Integer> hidden, double dropout) {
        ObjectNode card = base(data, "Neural network for " + title);
        ObjectNode architecture = card.putObject("architecture").put("template", ModelCard.TEMPLATE_MLP)
                .put("activation", "relu").put("dropout", dropout);
        ArrayNode sizes = architecture.putArray("hiddenSizes");
        hidden.forEach(sizes::add);
        hyperparameters(card, data, rows, "0.001");
        String layers = String.join(" \u2192 ", hidden.stream().map(String::valueOf).toList());
        return new Recommendation(MLP, VALIDATOR.parse(card.toString()), List.of(hidden.size(), layers));
    }

    /**
     * A convolutional network sized to the image: 3x3 convolutions with batch norm and ReLU, each stage halving the
     * image with 2x2 max pooling until it is about 7 pixels across (at least two stages where the image allows), with
     * 32 channels doubling each stage up to 128 (256 deep), then a dense layer with dropout. The deeper one has two
     * convolutions per stage, a wider head and random crops (shifts of up to a fourteenth of the image); left-right
     * flips stay off, since they change what digits and letters mean. Empty when even that does not fit the plaza's
     * limits on a cnn (a very large image).
     */
    private static java.util.Optional<Recommendation> cnn(String title, Preprocessing data, long rows, boolean deep) {
        Preprocessing.Image image = data.image();
        int side = Math.min(image.height(), image.width());
        int possible = 0;
        while (side >> (possible + 1) >= 3) {
            possible++;
        }
        int wanted = Math.max(2, (int) Math.ceil(Math.log(Math.max(side, 7) / 7.0) / Math.log(2)));
        int stages = Math.max(1, Math.min(wanted, possible));
        ObjectNode card = base(data, (deep ? "Deeper convolutional network for " : "Convolutional network for ") + title);
        card.put("specVersion", "1.3");
        ObjectNode architecture = card.putObject("architecture").put("template", ModelCard.TEMPLATE_CNN)
                .put("activation", "relu").put("dropout", deep ? 0.4 : 0.3);
        ArrayNode blocks = architecture.putArray("convBlocks");
        List<Integer> channels = new ArrayList<>();
        for (int stage = 0; stage < stages; stage++) {
            int width = Math.min(deep ? 256 : 128, 32 << stage);
            channels.add(width);
            if (deep) {
                convBlock(blocks, width, false);
            }
            convBlock(blocks, width, possible > 0);
        }
        int head = deep ? 256 : 128;
        architecture.putArray("hiddenSizes").add(head);
        int crop = deep ? Math.max(1, side / 14) : 0;
        architecture.putObject("augmentation").put("cropPadding", crop).put("horizontalFlip", false);
        hyperparameters(card, data, rows, "0.001");
        try {
            String shape = image.width() + "\u00d7" + image.height();
            String widths = String.join(" \u2192 ", channels.stream().map(String::valueOf).toList());
            return java.util.Optional.of(new Recommendation(deep ? CNN_DEEP : CNN, VALIDATOR.parse(card.toString()),
                    deep ? List.of(blocks.size(), widths, shape, crop) : List.of(blocks.size(), widths, shape)));
        } catch (InvalidModelCardException tooLarge) {
            return java.util.Optional.empty();
        }
    }

    /**
     * A fastText-style classifier: each text becomes the mean of learned vectors of its words, word pairs and word
     * pieces (wider vectors with more data), any other columns are added to that mean, then a linear layer decides,
     * or one hidden layer (twice the vectors' width, some dropout) first. Text models learn in few passes: 5 epochs.
     */
    private static Recommendation text(String title, Preprocessing data, long rows, boolean hidden) {
        int dim = rows < 2_000 ? 16 : rows < 50_000 ? 32 : 64;
        ObjectNode card = base(data, (hidden ? "Text classifier with a hidden layer for " : "Text classifier for ") + title);
        card.put("specVersion", "1.4");
        ObjectNode architecture = card.putObject("architecture").put("template", ModelCard.TEMPLATE_TEXT)
                .put("buckets", data.textBuckets()).put("embeddingDim", dim).put("textSlots", data.textSlots());
        if (hidden) {
            architecture.putArray("hiddenSizes").add(2 * dim);
            architecture.put("activation", "relu").put("dropout", 0.1);
        }
        hyperparameters(card, data, rows, hidden ? "0.005" : "0.01");
        range((ObjectNode) card.get("hyperparameters"), "epochs", 5, "1", "1000");
        int slots = data.textSlots();
        return new Recommendation(hidden ? TEXT_HIDDEN : TEXT, VALIDATOR.parse(card.toString()),
                hidden ? List.of(dim, slots, 2 * dim) : List.of(dim, slots));
    }

    private static void convBlock(ArrayNode blocks, int channels, boolean pool) {
        blocks.addObject().put("channels", channels).put("kernel", 3).put("stride", 1).put("padding", 1)
                .put("batchNorm", true).put("pool", pool ? "max" : "none");
    }

    /**
     * Gradient-boosted trees: shallower trees on small tables (they overfit), a learning rate of 0.1 with enough rounds
     * for it, rows sampled anew each round.
     */
    private static Recommendation trees(String title, Preprocessing data, long rows) {
        ObjectNode card = base(data, "Gradient-boosted trees for " + title);
        card.put("specVersion", "1.2");
        card.putObject("architecture").put("template", ModelCard.TEMPLATE_GBDT);
        card.putObject("runtime").put("engine", "xgboost").put("engineVersion", XGBOOST_VERSION);
        int depth = rows < 1_000 ? 3 : rows < 100_000 ? 6 : 8;
        int rounds = rows < 1_000 ? 100 : 300;
        ObjectNode hp = card.putObject("hyperparameters");
        range(hp, "rounds", rounds, "1", "5000");
        range(hp, "maxDepth", depth, "1", "16");
        range(hp, "eta", "0.1", "0.001", "1").put("scale", "log");
        range(hp, "subsample", "0.8", "0.1", "1");
        range(hp, "minChildWeight", "1", "0", "100");
        range(hp, "lambda", "1", "0", "100");
        range(hp, "seed", 42, "0", String.valueOf(Integer.MAX_VALUE));
        return new Recommendation(GBDT, VALIDATOR.parse(card.toString()), List.of(rounds, depth));
    }

    private static Recommendation linear(String title, Preprocessing data, long rows) {
        ObjectNode card = base(data, "Linear model for " + title);
        card.putObject("architecture").put("template", ModelCard.TEMPLATE_SOFTMAX_REGRESSION);
        hyperparameters(card, data, rows, "0.01");
        return new Recommendation(LINEAR, VALIDATOR.parse(card.toString()), List.of(data.featureCount()));
    }

    private static ObjectNode base(Preprocessing data, String name) {
        ObjectNode card = JSON.createObjectNode();
        card.put("specVersion", "1.0");
        card.put("name", name.length() > 120 ? name.substring(0, 119) + "\u2026" : name);
        card.put("description", "Made by the Easy AI Builder for this dataset's " + data.featureCount() + " features.");
        card.put("task", data.label().regression() ? ModelCard.TASK_REGRESSION : ModelCard.TASK_CLASSIFICATION);
        ObjectNode input = card.putObject("input");
        if (data.forImages()) {
            input.put("kind", "image");
            input.putArray("shape").add(data.image().channels()).add(data.image().height()).add(data.image().width());
        } else {
            input.put("kind", "tabular");
            ArrayNode columns = input.putArray("columns");
            uniqueNames(data.featureNames()).forEach(columns::add);
        }
        ObjectNode output = card.putObject("output");
        if (data.label().regression()) {
            output.putArray("targets").add(data.label().column());
        } else {
            ArrayNode classes = output.putArray("classes");
            data.label().classes().forEach(classes::add);
        }
        card.putObject("runtime").put("engine", "djl-pytorch").put("engineVersion", "0.33.0");
        card.put("license", "LicenseRef-Proprietary"); // the requester's own model until they publish it
        card.put("priceAic", "0");
        return card;
    }

    /**
     * Adam, a batch that gives a table about a hundred steps per epoch (64 for images), and enough epochs for about
     * 2,000 steps in all: the defaults; the ranges let the user try more.
     */
    private static void hyperparameters(ObjectNode card, Preprocessing data, long rows, String learningRate) {
        long trainingRows = Math.max(1, rows);
        int batch = data.forImages() ? 64
                : (int) Math.max(16, Math.min(256, Long.highestOneBit(Math.max(1, trainingRows / 100))));
        int epochs = data.forImages() ? 10 : (int) Math.max(5, Math.min(200, Math.ceil(2_000.0 * batch / trainingRows)));
        ObjectNode hp = card.putObject("hyperparameters");
        ObjectNode optimizer = hp.putObject("optimizer").put("default", "adam");
        optimizer.putArray("allowed").add("adam").add("sgd");
        range(hp, "learningRate", learningRate, "0.00001", "1").put("scale", "log");
        range(hp, "batchSize", batch, "1", "4096").put("scale", "log");
        range(hp, "epochs", epochs, "1", "1000");
        range(hp, "weightDecay", "0.0001", "0", "0.1");
        range(hp, "momentum", "0.9", "0", "0.99");
        range(hp, "seed", 42, "0", String.valueOf(Integer.MAX_VALUE));
    }

    /** Decimal text, so the form shows 0.00001 rather than 1.0E-5. */
    private static ObjectNode range(ObjectNode hp, String name, Object value, String min, String max) {
        return hp.putObject(name).put("default", new BigDecimal(String.valueOf(value)))
                .put("min", new BigDecimal(min)).put("max", new BigDecimal(max));
    }

    /** Feature names as card columns: each distinct (a raw column may be named like an encoded feature). */
    static List<String> uniqueNames(List<String> names) {
        Set<String> seen = new HashSet<>();
        List<String> out = new ArrayList<>(names.size());
        for (String name : names) {
            String unique = name;
            for (int i = 2; !seen.add(unique); i++) {
                unique = String.format(Locale.ROOT, "%s (%d)", name, i);
            }
            out.add(unique);
        }
        return out;
    }
}
