package ai.aicrypto.plaza.model.inference;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import ai.aicrypto.plaza.model.card.CardFieldError;
import ai.aicrypto.plaza.model.card.InvalidModelCardException;
import ai.aicrypto.plaza.model.card.ModelCard;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * A gradient-boosted tree ensemble read from XGBoost's JSON model ({@code Booster.save_model("m.json")}, what the
 * gpu-worker uploads), and its predictions, in plain Java. The plaza reads and runs these files itself rather than
 * through XGBoost's native library: a file comes from an untrusted worker or member, and a native parser that a
 * hostile file crashes would take the whole app down with it; this reader streams the file (memory bounded by the
 * nodes it keeps, and {@link Limits} on those), checks every index before it is used (a child always after its parent,
 * so no walk can loop) and refuses what it does not evaluate exactly (DART, linear boosters, categorical splits,
 * vector leaves, other objectives). The tests hold its predictions to xgboost4j's on the same files.
 * <p>
 * Prediction is XGBoost's: each tree is walked from the root, going left when the feature is below the split
 * condition (or missing and the node's default is left), and its leaf value is added to its output group's margin,
 * which starts at the model's base score (a probability for {@code binary:logistic}, turned into its log-odds).
 * Classification answers probabilities (softmax over the classes' margins, or the logistic of the one margin for two
 * classes), regression the value.
 */
public final class BoostedTrees {

    static final String K = "model.card.error.xgboost.";
    private static final String FIELD = "/weights";
    private static final JsonFactory JSON = new JsonFactory();

    public enum Objective {
        SOFTPROB("multi:softprob"), SOFTMAX("multi:softmax"), LOGISTIC("binary:logistic"), SQUARED_ERROR("reg:squarederror");

        final String xgboostName;

        Objective(String xgboostName) {
            this.xgboostName = xgboostName;
        }

        static Objective of(String name) {
            return Arrays.stream(values()).filter(o -> o.xgboostName.equals(name)).findFirst()
                    .orElseThrow(() -> unsupported("the objective " + name + " (supported: multi:softprob, multi:softmax, "
                            + "binary:logistic, reg:squarederror)"));
        }
    }

    /** What a file may hold at most: trees (rounds x output groups) and nodes per tree (2^(depth+1) - 1). */
    public record Limits(long maxTrees, long maxNodesPerTree) {

        /**
         * For a model trained from {@code card}: its rounds and depth as chosen ({@code rounds}, {@code maxDepth}), one
         * tree per class and round (one for two classes or regression).
         */
        public static Limits of(ModelCard card, int rounds, int maxDepth) {
            long groups = card.isClassification() && card.outputSize() > 2 ? card.outputSize() : 1;
            return new Limits(rounds * groups, (1L << Math.min(30, maxDepth + 1)) - 1);
        }

        /** The most any choice within the card's ranges could grow. */
        public static Limits widestOf(ModelCard card) {
            return of(card, max(card, "rounds"), max(card, "maxDepth"));
        }

        private static int max(ModelCard card, String name) {
            return card.hyperparameter(name).map(h -> h.max().intValue()).orElse(1);
        }
    }

    /** One tree: node i is a leaf when {@code left[i] < 0}; then {@code value[i]} is its leaf value, else its split. */
    private record Tree(int[] left, int[] right, int[] feature, float[] value, boolean[] defaultLeft) {

        float leaf(float[] x, int offset) {
            int node = 0;
            while (left[node] >= 0) {
                float v = x[offset + feature[node]];
                node = Float.isNaN(v) ? (defaultLeft[node] ? left[node] : right[node]) : v < value[node] ? left[node] : right[node];
            }
            return value[node];
        }
    }

    private final Objective objective;
    private final int featureCount;
    private final int groups;
    private final float[] baseMargin;
    private final Tree[] trees;
    private final int[] treeGroup;
    private final long nodes;

    private BoostedTrees(Objective objective, int featureCount, int groups, float[] baseMargin, Tree[] trees, int[] treeGroup) {
        this.objective = objective;
        this.featureCount = featureCount;
        this.groups = groups;
        this.baseMargin = baseMargin;
        this.trees = trees;
        this.treeGroup = treeGroup;
        this.nodes = Arrays.stream(trees).mapToLong(t -> t.left.length).sum();
    }

    public int featureCount() {
        return featureCount;
    }

    public int treeCount() {
        return trees.length;
    }

    public Objective objective() {
        return objective;
    }

    /** About what the model takes in memory (for caches). */
    public long memoryBytes() {
        return 17 * nodes + 64L * trees.length;
    }

    /** The number of outputs: classes (two for {@code binary:logistic}), or 1 for regression. */
    public int outputSize() {
        return switch (objective) {
            case LOGISTIC -> 2;
            case SQUARED_ERROR -> 1;
            default -> groups;
        };
    }

    /**
     * Checks the model against the card it serves: its feature count, and an objective of the card's task with its
     * number of classes.
     *
     * @throws InvalidModelCardException naming what differs
     */
    public BoostedTrees requireFits(ModelCard card) {
        if (featureCount != card.inputFeatureCount()) {
            throw misfit("the model reads " + featureCount + " features, the card " + card.inputFeatureCount());
        }
        boolean regression = objective == Objective.SQUARED_ERROR;
        if (card.isClassification() == regression) {
            throw misfit("the model's objective " + objective.xgboostName + " is not for " + card.task());
        }
        if (outputSize() != card.outputSize()) {
            throw misfit("the model predicts " + outputSize() + " classes, the card has " + card.outputSize());
        }
        return this;
    }

    /**
     * Predictions for {@code rows} rows of {@link #featureCount()} features (row-major): per row {@link #outputSize()}
     * class probabilities, or the predicted value.
     */
    public double[][] predict(float[] x, int rows) {
        if (x.length != (long) rows * featureCount) {
            throw new IllegalArgumentException(x.length + " values are not " + rows + " rows of " + featureCount + " features");
        }
        double[][] out = new double[rows][];
        float[] margin = new float[groups];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(baseMargin, 0, margin, 0, groups);
            for (int t = 0; t < trees.length; t++) {
                margin[treeGroup[t]] += trees[t].leaf(x, r * featureCount);
            }
            out[r] = transform(margin);
        }
        return out;
    }

    private double[] transform(float[] margin) {
        return switch (objective) {
            case SQUARED_ERROR -> new double[] {margin[0]};
            case LOGISTIC -> {
                double p = 1 / (1 + Math.exp(-margin[0]));
                yield new double[] {1 - p, p};
            }
            default -> {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (float m : margin) {
                    max = Math.max(max, m);
                }
                double[] p = new double[margin.length];
                for (int c = 0; c < p.length; c++) {
                    p[c] = Math.exp(margin[c] - max);
                    sum += p[c];
                }
                for (int c = 0; c < p.length; c++) {
                    p[c] /= sum;
                }
                yield p;
            }
        };
    }

    // ------------------------------------------------------------------------------------------------
    // reading

    /**
     * Reads and checks an XGBoost JSON model.
     *
     * @throws InvalidModelCardException (field {@code /weights}) when the file is not a model this class evaluates
     */
    public static BoostedTrees read(Path file, Limits limits) throws InvalidModelCardException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, limits);
        } catch (IOException e) {
            throw fail("unreadable", "the model file could not be read: " + e.getMessage(), e.getMessage());
        }
    }

    public static BoostedTrees read(InputStream in, Limits limits) throws InvalidModelCardException {
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), in)) {
            return new Reader(p, limits).model();
        } catch (JacksonException e) {
            var at = e.getLocation();
            String reason = String.format(Locale.ROOT, "line %d, column %d: %s", at == null ? -1 : at.getLineNr(),
                    at == null ? -1 : at.getColumnNr(), firstLine(e.getOriginalMessage()));
            throw fail("malformed", "the model is not valid JSON at " + reason, reason);
        }
    }

    /** A streaming reader of the parts of the model that prediction needs; everything else is skipped unread. */
    private static final class Reader {

        private final JsonParser p;
        private final Limits limits;
        private final List<Tree> trees = new ArrayList<>();
        private int[] treeInfo;
        private String objective, booster, baseScore;
        private Integer numClass, numFeature;

        Reader(JsonParser p, Limits limits) {
            this.p = p;
            this.limits = limits;
        }

        BoostedTrees model() {
            expect(p.nextToken(), JsonToken.START_OBJECT, "the model");
            fields((name) -> {
                if (name.equals("learner")) {
                    learner();
                } else {
                    skip();
                }
            });
            if (p.nextToken() != null) {
                throw inconsistent("unexpected content after the model");
            }
            return build();
        }

        private void learner() {
            expect(p.nextToken(), JsonToken.START_OBJECT, "learner");
            fields(name -> {
                switch (name) {
                    case "learner_model_param" -> {
                        expect(p.nextToken(), JsonToken.START_OBJECT, name);
                        fields(param -> {
                            switch (param) {
                                case "base_score" -> baseScore = string(param);
                                case "num_class" -> numClass = count(string(param), param);
                                case "num_feature" -> numFeature = count(string(param), param);
                                default -> skip();
                            }
                        });
                    }
                    case "objective" -> {
                        expect(p.nextToken(), JsonToken.START_OBJECT, name);
                        fields(field -> {
                            if (field.equals("name")) {
                                objective = string("objective name");
                            } else {
                                skip();
                            }
                        });
                    }
                    case "gradient_booster" -> gradientBooster();
                    default -> skip();
                }
            });
        }

        private void gradientBooster() {
            expect(p.nextToken(), JsonToken.START_OBJECT, "gradient_booster");
            fields(name -> {
                switch (name) {
                    case "name" -> booster = string("gradient_booster name");
                    case "model" -> {
                        expect(p.nextToken(), JsonToken.START_OBJECT, "model");
                        fields(field -> {
                            switch (field) {
                                case "trees" -> {
                                    expect(p.nextToken(), JsonToken.START_ARRAY, "trees");
                                    while (p.nextToken() != JsonToken.END_ARRAY) {
                                        if (trees.size() >= limits.maxTrees()) {
                                            throw tooLarge("more than " + limits.maxTrees() + " trees");
                                        }
                                        trees.add(tree(trees.size()));
                                    }
                                }
                                case "tree_info" -> treeInfo = ints("tree_info", limits.maxTrees());
                                default -> skip();
                            }
                        });
                    }
                    default -> skip();
                }
            });
        }

        private Tree tree(int index) {
            expect(p.currentToken(), JsonToken.START_OBJECT, "tree " + index);
            int[][] children = new int[2][];
            int[] splitIndices = null, splitType = null, defaultLeft = null;
            float[] conditions = null;
            String leafVector = "1";
            String at = "tree " + index;
            long max = limits.maxNodesPerTree();
            for (String name = p.nextName(); name != null; name = p.nextName()) {
                switch (name) {
                    case "left_children" -> children[0] = ints(at + " left_children", max);
                    case "right_children" -> children[1] = ints(at + " right_children", max);
                    case "split_indices" -> splitIndices = ints(at + " split_indices", max);
                    case "split_type" -> splitType = ints(at + " split_type", max);
                    case "default_left" -> defaultLeft = ints(at + " default_left", max);
                    case "split_conditions" -> conditions = floats(at + " split_conditions", max);
                    case "tree_param" -> {
                        expect(p.nextToken(), JsonToken.START_OBJECT, at + " tree_param");
                        for (String param = p.nextName(); param != null; param = p.nextName()) {
                            if (param.equals("size_leaf_vector")) {
                                leafVector = string(param);
                            } else {
                                skip();
                            }
                        }
                    }
                    default -> skip();
                }
            }
            if (!leafVector.equals("1") && !leafVector.equals("0")) {
                throw unsupported("vector leaves (" + at + ")");
            }
            if (children[0] == null || children[1] == null || splitIndices == null || conditions == null || defaultLeft == null) {
                throw inconsistent(at + " lacks left_children, right_children, split_indices, split_conditions or default_left");
            }
            int n = children[0].length;
            if (n == 0 || children[1].length != n || splitIndices.length != n || conditions.length != n || defaultLeft.length != n
                    || (splitType != null && splitType.length != n)) {
                throw inconsistent(at + ": its node arrays differ in length or are empty");
            }
            boolean[] left = new boolean[n];
            for (int i = 0; i < n; i++) {
                int l = children[0][i], r = children[1][i];
                if (splitType != null && splitType[i] != 0) {
                    throw unsupported("categorical splits (" + at + ", node " + i + ")");
                }
                if (!Float.isFinite(conditions[i])) {
                    throw inconsistent(at + ", node " + i + ": its split condition or leaf value is not a finite number");
                }
                if ((l < 0) != (r < 0) || (l >= 0 && (l <= i || r <= i || l >= n || r >= n)) || (l < 0 && l != -1)) {
                    throw inconsistent(at + ", node " + i + ": its children " + l + " and " + r + " are not nodes after it");
                }
                if (l >= 0 && splitIndices[i] < 0) {
                    throw inconsistent(at + ", node " + i + ": split on feature " + splitIndices[i]);
                }
                left[i] = defaultLeft[i] != 0;
            }
            return new Tree(children[0], children[1], splitIndices, conditions, left);
        }

        private BoostedTrees build() {
            if (!"gbtree".equals(booster)) {
                throw unsupported("the booster " + booster + " (only gbtree: DART and linear boosters are not evaluated)");
            }
            if (objective == null || numFeature == null || baseScore == null || treeInfo == null) {
                throw inconsistent("the model lacks its objective, num_feature, base_score or tree_info");
            }
            Objective kind = Objective.of(objective);
            int groups = kind == Objective.SOFTPROB || kind == Objective.SOFTMAX ? numClass == null ? 0 : numClass : 1;
            if (groups < 1 || ((kind == Objective.SOFTPROB || kind == Objective.SOFTMAX) && groups < 2)) {
                throw inconsistent("a " + objective + " model needs num_class of at least 2, not " + numClass);
            }
            if (treeInfo.length != trees.size()) {
                throw inconsistent("tree_info names " + treeInfo.length + " trees, the model has " + trees.size());
            }
            for (int t = 0; t < treeInfo.length; t++) {
                if (treeInfo[t] < 0 || treeInfo[t] >= groups) {
                    throw inconsistent("tree " + t + " is of output group " + treeInfo[t] + " of " + groups);
                }
                for (int i = 0; i < trees.get(t).left.length; i++) {
                    if (trees.get(t).left[i] >= 0 && trees.get(t).feature[i] >= numFeature) {
                        throw inconsistent("tree " + t + ", node " + i + ": split on feature " + trees.get(t).feature[i]
                                + " of " + numFeature);
                    }
                }
            }
            float[] base = baseScores(baseScore, groups);
            if (kind == Objective.LOGISTIC) {
                if (!(base[0] > 0 && base[0] < 1)) {
                    throw inconsistent("the base score " + base[0] + " of a binary:logistic model is not a probability");
                }
                base[0] = (float) -Math.log(1 / (double) base[0] - 1);
            }
            return new BoostedTrees(kind, numFeature, groups, base, trees.toArray(Tree[]::new), treeInfo);
        }

        /** {@code "5E-1"}, or since XGBoost 3.1 one per output group: {@code "[7E-3,1.9E-1,-2E-1]"}. */
        private static float[] baseScores(String text, int groups) {
            String inner = text.strip();
            if (inner.startsWith("[") && inner.endsWith("]")) {
                inner = inner.substring(1, inner.length() - 1);
            }
            String[] parts = inner.split(",");
            if (parts.length != 1 && parts.length != groups) {
                throw inconsistent("base_score has " + parts.length + " values for " + groups + " output groups");
            }
            float[] base = new float[groups];
            for (int g = 0; g < groups; g++) {
                try {
                    base[g] = Float.parseFloat(parts[parts.length == 1 ? 0 : g].strip());
                } catch (NumberFormatException e) {
                    throw inconsistent("base_score " + text + " is not a number");
                }
                if (!Float.isFinite(base[g])) {
                    throw inconsistent("base_score " + text + " is not a finite number");
                }
            }
            return base;
        }

        private interface Field {
            void read(String name);
        }

        /** Reads the fields of the object just opened, up to its end. */
        private void fields(Field field) {
            for (String name = p.nextName(); name != null; name = p.nextName()) {
                field.read(name);
            }
        }

        private void skip() {
            p.nextToken();
            p.skipChildren();
        }

        private String string(String what) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.VALUE_STRING) {
                throw inconsistent(what + " is not text");
            }
            return p.getString();
        }

        private static int count(String text, String what) {
            try {
                int n = Integer.parseInt(text.strip());
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw inconsistent(what + " " + text + " is not a count");
        }

        private int[] ints(String what, long max) {
            expect(p.nextToken(), JsonToken.START_ARRAY, what);
            int[] out = new int[16];
            int n = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t != JsonToken.VALUE_NUMBER_INT) {
                    throw inconsistent(what + " holds something other than whole numbers");
                }
                if (n >= max) {
                    throw tooLarge(what + " has more than " + max + " entries");
                }
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = p.getIntValue();
            }
            return Arrays.copyOf(out, n);
        }

        private float[] floats(String what, long max) {
            expect(p.nextToken(), JsonToken.START_ARRAY, what);
            float[] out = new float[16];
            int n = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
                    throw inconsistent(what + " holds something other than numbers");
                }
                if (n >= max) {
                    throw tooLarge(what + " has more than " + max + " entries");
                }
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = p.getFloatValue();
            }
            return Arrays.copyOf(out, n);
        }

        private static void expect(JsonToken actual, JsonToken expected, String what) {
            if (actual != expected) {
                throw inconsistent(what + " is not " + (expected == JsonToken.START_OBJECT ? "an object" : "an array"));
            }
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("").strip();
    }

    private static InvalidModelCardException fail(String key, String english, Object... args) {
        return new InvalidModelCardException(new CardFieldError(FIELD, K + key, args, english));
    }

    private static InvalidModelCardException inconsistent(String detail) {
        return fail("inconsistent", "not a usable XGBoost model: " + detail, detail);
    }

    private static InvalidModelCardException unsupported(String what) {
        return fail("unsupported", "XGBoost models with " + what + " are not supported", what);
    }

    private static InvalidModelCardException tooLarge(String detail) {
        return fail("too-large", "the model is larger than its card allows: " + detail, detail);
    }

    private static InvalidModelCardException misfit(String detail) {
        return fail("misfit", "the model does not fit its card: " + detail, detail);
    }
}
