package ai.aicrypto.plaza.model.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.model.card.InvalidModelCardException;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.Test;

/**
 * The plaza's own evaluation of XGBoost JSON models, held to XGBoost's predictions (xgboost4j, the native library) on
 * boosters trained here on Debian's python3-sklearn tables, and hostile files refused with their reason.
 */
class BoostedTreesTest {

    private static final Path SKLEARN = Path.of("/usr/lib/python3/dist-packages/sklearn/datasets/data");
    private static final BoostedTrees.Limits ROOMY = new BoostedTrees.Limits(10_000, 1 << 12);

    /** Features row-major and the last column (a class index) of one of sklearn's CSVs. */
    private record Table(int rows, int features, float[] x, float[] y) {

        static Table of(String file) throws Exception {
            List<String> lines = Files.readAllLines(SKLEARN.resolve(file));
            String[] head = lines.get(0).split(",");
            int rows = Integer.parseInt(head[0]), features = Integer.parseInt(head[1]);
            float[] x = new float[rows * features], y = new float[rows];
            for (int r = 0; r < rows; r++) {
                String[] cells = lines.get(r + 1).split(",");
                for (int f = 0; f < features; f++) {
                    x[r * features + f] = Float.parseFloat(cells[f]);
                }
                y[r] = Float.parseFloat(cells[features].strip());
            }
            return new Table(rows, features, x, y);
        }
    }

    private static byte[] train(Table t, float[] labels, Map<String, Object> params, int rounds) throws Exception {
        DMatrix d = new DMatrix(t.x(), t.rows(), t.features(), Float.NaN);
        d.setLabel(labels);
        Map<String, Object> p = new HashMap<>(params);
        p.put("max_depth", 4);
        p.put("eta", 0.3);
        p.put("subsample", 0.8);
        p.put("seed", 1);
        Booster booster = XGBoost.train(d, p, rounds, Map.of(), null, null);
        try {
            return booster.toByteArray("json");
        } finally {
            booster.dispose();
            d.dispose();
        }
    }

    /** Every row as XGBoost itself predicts it from the same file, against this class; also with some values missing. */
    private static void assertSamePredictions(byte[] model, Table t) throws Exception {
        float[] x = t.x().clone();
        for (int i = 7; i < x.length; i += 11) {
            x[i] = Float.NaN; // missing values take each split's default direction
        }
        Booster booster = XGBoost.loadModel(model);
        try {
            float[][] expected = booster.predict(new DMatrix(x, t.rows(), t.features(), Float.NaN));
            double[][] actual = read(model).predict(x, t.rows());
            for (int r = 0; r < t.rows(); r++) {
                double[] want = expected[r].length == 1 && actual[r].length == 2
                        ? new double[] {1 - expected[r][0], expected[r][0]} : toDouble(expected[r]);
                assertThat(actual[r]).as("row %d", r).containsExactly(want, org.assertj.core.data.Offset.offset(2e-6));
            }
        } finally {
            booster.dispose();
        }
    }

    private static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static BoostedTrees read(byte[] model) {
        return BoostedTrees.read(new ByteArrayInputStream(model), ROOMY);
    }

    @Test
    void wineThreeClassesPredictAsXgboostPredicts() throws Exception {
        Table wine = Table.of("wine_data.csv");
        byte[] model = train(wine, wine.y(), Map.of("objective", "multi:softprob", "num_class", 3), 20);
        assertThat(read(model).treeCount()).isEqualTo(60);
        assertThat(read(model).outputSize()).isEqualTo(3);
        assertSamePredictions(model, wine);
    }

    @Test
    void breastCancerBinaryPredictsAsXgboostPredicts() throws Exception {
        Table cancer = Table.of("breast_cancer.csv");
        byte[] model = train(cancer, cancer.y(), Map.of("objective", "binary:logistic"), 25);
        assertThat(read(model).objective()).isEqualTo(BoostedTrees.Objective.LOGISTIC);
        assertSamePredictions(model, cancer);
    }

    @Test
    void regressionPredictsAsXgboostPredicts() throws Exception {
        Table wine = Table.of("wine_data.csv");
        float[] alcohol = new float[wine.rows()];
        for (int r = 0; r < wine.rows(); r++) {
            alcohol[r] = wine.x()[r * wine.features()];
        }
        byte[] model = train(wine, alcohol, Map.of("objective", "reg:squarederror"), 15);
        assertThat(read(model).outputSize()).isEqualTo(1);
        assertSamePredictions(model, wine);
    }

    @Test
    void aModelMustFitItsCard() throws Exception {
        Table wine = Table.of("wine_data.csv");
        BoostedTrees trees = read(train(wine, wine.y(), Map.of("objective", "multi:softprob", "num_class", 3), 2));
        assertThatThrownBy(() -> trees.requireFits(card(List.of("a", "b"), 13)))
                .isInstanceOf(InvalidModelCardException.class).hasMessageContaining("the model predicts 3 classes, the card has 2");
        assertThatThrownBy(() -> trees.requireFits(card(List.of("a", "b", "c"), 12)))
                .hasMessageContaining("the model reads 13 features, the card 12");
        assertThat(trees.requireFits(card(List.of("a", "b", "c"), 13))).isSameAs(trees);
        assertThatThrownBy(() -> BoostedTrees.read(new ByteArrayInputStream(train(wine, wine.y(),
                Map.of("objective", "multi:softprob", "num_class", 3), 5)), BoostedTrees.Limits.of(card(List.of("a", "b", "c"), 13), 4, 4)))
                .as("more rounds than the job trained").hasMessageContaining("larger than its card allows").hasMessageContaining("more than 12");
    }

    @Test
    void hostileOrForeignFilesAreRefusedWithTheirReason() throws Exception {
        Table wine = Table.of("wine_data.csv");
        String good = new String(train(wine, wine.y(), Map.of("objective", "multi:softprob", "num_class", 3), 2),
                StandardCharsets.UTF_8);
        assertRefused("not json at all {", "xgboost.malformed", "not valid JSON");
        assertRefused("{\"learner\": 5}", "xgboost.inconsistent", "learner is not an object");
        // A child that points back at its parent would make the walk loop forever.
        assertRefused(good.replaceFirst("\"left_children\":\\[1,", "\"left_children\":[0,"), "xgboost.inconsistent",
                "are not nodes after it");
        assertRefused(good.replaceFirst("\"split_indices\":\\[\\d+,", "\"split_indices\":[99,"), "xgboost.inconsistent",
                "split on feature 99 of 13");
        assertRefused(good.replace("\"name\":\"gbtree\"", "\"name\":\"dart\""), "xgboost.unsupported", "booster dart");
        assertRefused(good.replace("multi:softprob", "rank:pairwise"), "xgboost.unsupported", "objective rank:pairwise");
        assertRefused(good.replaceFirst("\"split_type\":\\[0", "\"split_type\":[1"), "xgboost.unsupported", "categorical splits");
        assertRefused(good.replaceFirst("\"split_conditions\":\\[[^,]+,", "\"split_conditions\":[\"x\","), "xgboost.inconsistent",
                "other than numbers");
        assertRefused(good + " []", "xgboost.inconsistent", "after the model");
    }

    private static void assertRefused(String file, String key, String reason) {
        assertThatThrownBy(() -> read(file.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(InvalidModelCardException.class, e -> {
                    assertThat(e.errors().get(0).messageKey()).isEqualTo("model.card.error." + key);
                    assertThat(e.errors().get(0).field()).isEqualTo("/weights");
                })
                .hasMessageContaining(reason);
    }

    private static ModelCard card(List<String> classes, int columns) {
        StringBuilder cols = new StringBuilder();
        for (int i = 0; i < columns; i++) {
            cols.append(i == 0 ? "" : ",").append("\"c").append(i).append('"');
        }
        return new ModelCardValidator().parse("""
                {"specVersion": "1.2", "name": "trees", "task": "classification",
                 "input": {"kind": "tabular", "columns": [%s]}, "output": {"classes": [%s]},
                 "architecture": {"template": "gbdt"},
                 "hyperparameters": {"rounds": {"default": 10, "min": 1, "max": 100}, "maxDepth": {"default": 4, "min": 1, "max": 8},
                   "eta": {"default": 0.3, "min": 0.01, "max": 1}, "subsample": {"default": 0.8, "min": 0.1, "max": 1},
                   "minChildWeight": {"default": 1, "min": 0, "max": 10}, "lambda": {"default": 1, "min": 0, "max": 10},
                   "seed": {"default": 1, "min": 0, "max": 100}},
                 "runtime": {"engine": "xgboost"}, "license": "MIT", "priceAic": "0"}
                """.formatted(cols, String.join(",", classes.stream().map(c -> "\"" + c + "\"").toList())));
    }
}
