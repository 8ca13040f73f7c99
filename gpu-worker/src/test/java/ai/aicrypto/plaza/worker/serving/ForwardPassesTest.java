package ai.aicrypto.plaza.worker.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import ai.aicrypto.plaza.worker.TestData;
import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.data.InMemoryData;
import ai.aicrypto.plaza.worker.data.Safetensors;
import ai.aicrypto.plaza.worker.data.Task;
import ai.aicrypto.plaza.worker.engine.Checkpoint;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.dense.JavaBackend;
import ai.aicrypto.plaza.worker.engine.trees.XgboostTrainer;
import ai.aicrypto.plaza.worker.model.BoostedTreesSpec;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving forward passes on real data: the Fashion-MNIST MLP's logits as a plain loop over the same weights computes
 * them (in batches smaller than the rows, too), the CNN's the same for an image in a batch as alone, and a binary tree model (Debian's breast-cancer CSV) as XGBoost's own
 * predict gives them, widened to two class probabilities.
 */
class ForwardPassesTest {

    @TempDir
    Path tmp;

    @Test
    void aDenseNetworkAnswersItsLogitsInBatchesOfAnySize() throws Exception {
        ModelSpec spec = TestData.mlpCard();
        Map<String, FloatTensor> weights = Checkpoint.initial(spec, 784).weights();
        Path file = tmp.resolve("w.safetensors");
        Safetensors.writeF32(file, weights, Map.of());
        byte[] bytes = Files.readAllBytes(file);
        String card = Files.readString(TestData.CARDS.resolve("fashion-mnist-mlp.json"));
        int rows = 5;
        float[] x = new float[rows * 784];
        System.arraycopy(TestData.t10kHead().features(), 0, x, 0, x.length);

        ForwardPass whole = new ForwardPasses(JavaBackend::new, 64).load(card, bytes, 784);
        ForwardPass chunked = new ForwardPasses(JavaBackend::new, 2).load(card, bytes, 784);
        float[] y = whole.predict(x, rows);
        assertEquals(10, whole.outputWidth());
        float[] expected = plainForward(weights, x, rows);
        for (int i = 0; i < y.length; i++) {
            assertEquals(expected[i], y[i], 1e-4 * (1 + Math.abs(expected[i])));
        }
        float[] z = chunked.predict(x, rows);
        for (int i = 0; i < y.length; i++) {
            assertEquals(y[i], z[i], 1e-6);
        }
        whole.close();
        chunked.close();
    }

    @Test
    void aCnnAnswersEachImageAsItWouldAloneWithBatchNormOnItsRunningStatistics() throws Exception {
        ModelSpec spec = TestData.cnnCard();
        Map<String, FloatTensor> weights = Checkpoint.initial(spec, 784).weights();
        Path file = tmp.resolve("cnn.safetensors");
        Safetensors.writeF32(file, weights, Map.of());
        String card = Files.readString(TestData.CARDS.resolve("fashion-mnist-cnn.json"));
        int rows = 4;
        float[] x = new float[rows * 784];
        System.arraycopy(TestData.t10kHead().features(), 0, x, 0, x.length);

        ForwardPass cnn = new ForwardPasses(JavaBackend::new, 64).load(card, Files.readAllBytes(file), 784);
        assertEquals(10, cnn.outputWidth());
        float[] batch = cnn.predict(x, rows);
        for (int r = 0; r < rows; r++) {
            float[] alone = cnn.predict(java.util.Arrays.copyOfRange(x, r * 784, (r + 1) * 784), 1);
            for (int c = 0; c < 10; c++) {
                assertEquals(alone[c], batch[r * 10 + c], 1e-5, "image " + r + ", class " + c);
            }
        }
        cnn.close();
    }

    @Test
    void binaryTreesAnswerBothClassProbabilitiesAsXgboostPredicts() throws Exception {
        InMemoryData cancer = TestData.sklearn("breast_cancer.csv");
        byte[] model = new XgboostTrainer().train(new BoostedTreesSpec("t", Task.CLASSIFICATION, cancer.classes(), 30, 20, 3, 0.3, 1,
                1, 1, 1), cancer, TrainingListener.NONE).modelJson();
        String card = "{\"task\": \"classification\", \"architecture\": {\"template\": \"gbdt\"}, \"output\": {\"classes\": [\"0\", \"1\"]}}";
        int rows = 7;
        float[] x = new float[rows * 30];
        System.arraycopy(cancer.shard(0).features(), 0, x, 0, x.length);

        ForwardPass trees = new ForwardPasses(JavaBackend::new, 64).load(card, model, 30);
        float[] y = trees.predict(x, rows);
        Booster booster = XGBoost.loadModel(model);
        float[][] p = booster.predict(new DMatrix(x, rows, 30, Float.NaN));
        assertEquals(2, trees.outputWidth());
        for (int r = 0; r < rows; r++) {
            assertEquals(1 - p[r][0], y[2 * r], 1e-6);
            assertEquals(p[r][0], y[2 * r + 1], 1e-6);
        }
        booster.dispose();
        trees.close();
    }

    /** y = W x + b per layer, ReLU between layers (the card's activation), written out plainly. */
    private static float[] plainForward(Map<String, FloatTensor> weights, float[] x, int rows) {
        float[] a = x;
        int in = 784;
        for (int l = 0; weights.containsKey(ModelSpec.weightName(l)); l++) {
            FloatTensor w = weights.get(ModelSpec.weightName(l)), b = weights.get(ModelSpec.biasName(l));
            int out = (int) w.shape()[0];
            boolean last = !weights.containsKey(ModelSpec.weightName(l + 1));
            float[] next = new float[rows * out];
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < out; o++) {
                    double sum = b.data()[o];
                    for (int i = 0; i < in; i++) {
                        sum += (double) w.data()[o * in + i] * a[r * in + i];
                    }
                    next[r * out + o] = last ? (float) sum : (float) Math.max(0, sum);
                }
            }
            a = next;
            in = out;
        }
        return a;
    }
}
