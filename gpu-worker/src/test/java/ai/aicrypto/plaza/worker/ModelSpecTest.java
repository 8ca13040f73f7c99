package ai.aicrypto.plaza.worker;

import ai.aicrypto.plaza.worker.data.Task;
import ai.aicrypto.plaza.worker.model.Activation;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.aicrypto.plaza.worker.model.OptimizerKind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ModelSpecTest {

    @Test
    void parsesTheFashionMnistMlpCard() throws Exception {
        ModelSpec s = TestData.mlpCard();
        assertEquals("mlp", s.template());
        assertEquals(Task.CLASSIFICATION, s.task());
        assertEquals(List.of(256, 128), s.hiddenSizes());
        assertEquals(Activation.RELU, s.activation());
        assertEquals(0.2, s.dropout(), 1e-12);
        assertEquals(10, s.outputSize());
        assertEquals(784, s.expectedFeatures());
        assertArrayEquals(new int[]{784, 256, 128, 10}, s.layerSizes(784));
        var h = s.hyperparameters();
        assertEquals(OptimizerKind.ADAM, h.optimizer());
        assertEquals(0.001, h.learningRate(), 1e-12);
        assertEquals(64, h.batchSize());
        assertEquals(10, h.epochs());
        assertEquals(0.0001, h.weightDecay(), 1e-12);
        assertEquals(0.9, h.momentum(), 1e-12);
        assertEquals(42, h.seed());
    }

    @Test
    void parsesTheSoftmaxRegressionCard() throws Exception {
        ModelSpec s = TestData.softmaxCard();
        assertEquals("softmax-regression", s.template());
        assertEquals(List.of(), s.hiddenSizes());
        assertNull(s.activation());
        assertEquals(3, s.outputSize());
        assertEquals(4, s.expectedFeatures());
        assertArrayEquals(new int[]{4, 3}, s.layerSizes(4));
        var h = s.hyperparameters();
        assertEquals(OptimizerKind.SGD, h.optimizer());
        assertEquals(0.1, h.learningRate(), 1e-12);
        assertEquals(16, h.batchSize());
        assertEquals(100, h.epochs());
        assertEquals(0, h.weightDecay());
        assertEquals(0, h.momentum(), "momentum is optional and defaults to 0");
        assertEquals(7, h.seed());
    }

    @Test
    void rejectsInvalidArchitectures() {
        String base = "{\"specVersion\":\"1.0\",\"task\":\"classification\",\"output\":{\"classes\":[\"a\",\"b\"]},"
                + "\"hyperparameters\":{\"optimizer\":{\"default\":\"sgd\"},\"learningRate\":{\"default\":0.1},"
                + "\"batchSize\":{\"default\":8},\"epochs\":{\"default\":1},\"seed\":{\"default\":1}},";
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse(base + "\"architecture\":{\"template\":\"cnn\"}}"));
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse(base + "\"architecture\":{\"template\":\"mlp\",\"activation\":\"relu\"}}"));
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.parse(base
                + "\"architecture\":{\"template\":\"softmax-regression\",\"hiddenSizes\":[4]}}"));
        assertDoesNotThrow(() -> ModelSpec.parse(base + "\"architecture\":{\"template\":\"mlp\",\"hiddenSizes\":[4],\"activation\":\"gelu\"}}"));
    }
}
