package ai.aicrypto.plaza.worker;

import ai.aicrypto.plaza.worker.data.InMemoryData;
import ai.aicrypto.plaza.worker.data.Task;
import ai.aicrypto.plaza.worker.engine.EpochMetrics;
import ai.aicrypto.plaza.worker.engine.TrainingCancelledException;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.trees.XgboostTrainer;
import ai.aicrypto.plaza.worker.model.BoostedTreesSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tree engine on real tables: Debian's python3-sklearn wine (3 classes) and breast-cancer (2 classes) CSVs. */
class XgboostTrainerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static BoostedTreesSpec spec(Task task, List<String> outputs, int features, int rounds, double subsample, long seed) {
        return new BoostedTreesSpec("test", task, outputs, features, rounds, 4, 0.3, subsample, 1, 1, seed);
    }

    @Test
    void wineTrainsAReportedRoundAtATimeIntoAnXgboostModelOfOneTreePerClassAndRound() throws Exception {
        InMemoryData wine = TestData.sklearn("wine_data.csv");
        List<EpochMetrics> reported = new ArrayList<>();
        XgboostTrainer.TrainedBooster model = new XgboostTrainer().train(spec(Task.CLASSIFICATION, wine.classes(), 13, 30, 0.8, 7),
                wine, new TrainingListener() {
                    @Override
                    public void onEpoch(EpochMetrics metrics) {
                        reported.add(metrics);
                    }
                });
        assertEquals(30, reported.size());
        assertEquals(reported, model.history());
        assertEquals(List.of(1, 2, 3), reported.subList(0, 3).stream().map(EpochMetrics::epoch).toList());
        assertEquals(161, reported.get(0).samples(), "178 rows less every tenth (17) kept for validation");
        assertTrue(model.finalMetrics().loss() < reported.get(0).loss(), "the validation loss falls: " + reported);
        assertTrue(model.finalMetrics().accuracy() >= 0.88, "validation accuracy " + model.finalMetrics().accuracy());

        JsonNode json = JSON.readTree(model.modelJson());
        assertEquals("multi:softprob", json.at("/learner/objective/name").asText());
        assertEquals("3", json.at("/learner/learner_model_param/num_class").asText());
        assertEquals(90, json.at("/learner/gradient_booster/model/trees").size());
        Booster loaded = XGBoost.loadModel(model.modelJson());
        try {
            assertEquals(30, loaded.getNumBoostedRound());
            // The validation rows (every tenth) as XGBoost itself predicts them, against the claimed accuracy.
            float[] x = new float[17 * 13];
            int[] y = new int[17];
            for (int i = 0; i < 17; i++) {
                System.arraycopy(wine.shard(0).features(), (10 * i + 9) * 13, x, i * 13, 13);
                y[i] = wine.shard(0).labels()[10 * i + 9];
            }
            float[][] p = loaded.predict(new DMatrix(x, 17, 13, Float.NaN));
            int correct = 0;
            for (int i = 0; i < 17; i++) {
                int best = 0;
                for (int c = 1; c < 3; c++) if (p[i][c] > p[i][best]) best = c;
                if (best == y[i]) correct++;
            }
            assertEquals(model.finalMetrics().accuracy(), correct / 17.0, 1e-9);
        } finally {
            loaded.dispose();
        }
    }

    @Test
    void theSameSeedGivesTheSameModelAndAnotherSeedAnother() throws Exception {
        InMemoryData wine = TestData.sklearn("wine_data.csv");
        XgboostTrainer trainer = new XgboostTrainer();
        byte[] first = trainer.train(spec(Task.CLASSIFICATION, wine.classes(), 13, 10, 0.7, 3), wine, TrainingListener.NONE).modelJson();
        byte[] again = trainer.train(spec(Task.CLASSIFICATION, wine.classes(), 13, 10, 0.7, 3), wine, TrainingListener.NONE).modelJson();
        byte[] other = trainer.train(spec(Task.CLASSIFICATION, wine.classes(), 13, 10, 0.7, 4), wine, TrainingListener.NONE).modelJson();
        assertArrayEquals(first, again);
        assertFalse(Arrays.equals(first, other), "subsampling follows the seed");
    }

    @Test
    void breastCancerIsABinaryLogisticModel() throws Exception {
        InMemoryData cancer = TestData.sklearn("breast_cancer.csv");
        XgboostTrainer.TrainedBooster model = new XgboostTrainer().train(spec(Task.CLASSIFICATION, cancer.classes(), 30, 40, 0.8, 1),
                cancer, TrainingListener.NONE);
        JsonNode json = JSON.readTree(model.modelJson());
        assertEquals("binary:logistic", json.at("/learner/objective/name").asText());
        assertEquals(40, json.at("/learner/gradient_booster/model/trees").size());
        assertTrue(model.finalMetrics().accuracy() >= 0.9, "validation accuracy " + model.finalMetrics().accuracy());
    }

    @Test
    void regressionReportsTheMeanSquaredError() throws Exception {
        InMemoryData proline = TestData.sklearnRegression("wine_data.csv", 12); // proline from the other 12 measurements
        XgboostTrainer.TrainedBooster model = new XgboostTrainer().train(spec(Task.REGRESSION, List.of("proline"), 12, 30, 1, 1),
                proline, TrainingListener.NONE);
        assertEquals("reg:squarederror", JSON.readTree(model.modelJson()).at("/learner/objective/name").asText());
        assertTrue(Double.isNaN(model.finalMetrics().accuracy()));
        double variance = variance(proline.shard(0).targets());
        assertTrue(model.finalMetrics().loss() < 0.5 * variance, "MSE " + model.finalMetrics().loss() + " vs variance " + variance);
    }

    @Test
    void aCancelledJobStopsBetweenRounds() throws Exception {
        InMemoryData wine = TestData.sklearn("wine_data.csv");
        List<Integer> rounds = new ArrayList<>();
        TrainingListener cancelAfterTwo = new TrainingListener() {
            @Override
            public void onEpoch(EpochMetrics metrics) {
                rounds.add(metrics.epoch());
            }

            @Override
            public boolean isCancelled() {
                return rounds.size() == 2;
            }
        };
        assertThrows(TrainingCancelledException.class,
                () -> new XgboostTrainer().train(spec(Task.CLASSIFICATION, wine.classes(), 13, 50, 1, 1), wine, cancelAfterTwo));
        assertEquals(List.of(1, 2), rounds);
    }

    @Test
    void dataThatDoesNotFitTheCardIsRefused() throws Exception {
        InMemoryData wine = TestData.sklearn("wine_data.csv");
        var e = assertThrows(IllegalArgumentException.class,
                () -> new XgboostTrainer().train(spec(Task.CLASSIFICATION, wine.classes(), 30, 5, 1, 1), wine, TrainingListener.NONE));
        assertTrue(e.getMessage().contains("expects 30 features, the shards have 13"), e.getMessage());
    }

    private static double variance(float[] values) {
        double mean = 0, squares = 0;
        for (float v : values) mean += v;
        mean /= values.length;
        for (float v : values) squares += (v - mean) * (v - mean);
        return squares / values.length;
    }
}
