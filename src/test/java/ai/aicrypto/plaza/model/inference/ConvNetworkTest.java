package ai.aicrypto.plaza.model.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import ai.aicrypto.plaza.support.ConvReference;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;

/**
 * The plaza's plain-Java CNN forward pass gives what DJL/PyTorch gives for the same weights (the gpu-worker's CPU
 * engine runs them there) on real Fashion-MNIST images: batch norm folded into the convolutions, both pooling kinds,
 * strides, padding, ReLU and GELU.
 */
class ConvNetworkTest {

    /** Float32 sums in another order: logits of a few units agree to this, relative to their size. */
    static final double TOLERANCE = 1e-4;

    private final ModelCardValidator validator = new ModelCardValidator();

    private ModelCard example() throws Exception {
        return validator.parse(new ClassPathResource("model-card/examples/fashion-mnist-cnn.json").getContentAsString(StandardCharsets.UTF_8));
    }

    /** The example card with another architecture. */
    private ModelCard withArchitecture(String architecture) throws Exception {
        String card = example().json().toString();
        int from = card.indexOf("\"architecture\""), to = card.indexOf("\"hyperparameters\"");
        return validator.parse(card.substring(0, from) + "\"architecture\":" + architecture + "," + card.substring(to));
    }

    @Test
    void theExampleCardsNetworkAnswersAsDjlDoesOnFashionMnist() throws Exception {
        assertMatchesDjl(example(), 7, 32);
    }

    @Test
    void stridesAvgPoolingGeluAndBlocksWithoutBatchNormAnswerAsDjlDoes() throws Exception {
        ModelCard card = withArchitecture("""
                {"template": "cnn", "activation": "gelu", "hiddenSizes": [24, 16], "dropout": 0.5,
                 "convBlocks": [{"channels": 6, "kernel": 5, "stride": 2, "padding": 2, "batchNorm": true, "pool": "avg"},
                                {"channels": 10, "kernel": 3, "pool": "max", "poolSize": 3},
                                {"channels": 4, "kernel": 1, "batchNorm": true}],
                 "augmentation": {"cropPadding": 4, "horizontalFlip": true}}""");
        assertThat(card.convArchitecture().flattenedSize()).isEqualTo(4); // 28 -> 14, pooled 7 -> 5, pooled by 3: 1 -> 1
        assertMatchesDjl(card, 11, 16);
    }

    private static void assertMatchesDjl(ModelCard card, long seed, int images) throws Exception {
        ConvReference reference = ConvReference.random(card, seed);
        float[] x = ConvReference.fashionImages(images);
        float[] expected = reference.forward(x, images);
        float[] actual = ConvNetwork.of(card, reference.weights()).forward(x, images);
        assertThat(actual).hasSameSizeAs(expected).hasSize(images * card.outputSize());
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertThat(scale).as("the network answers something").isGreaterThan(0.1);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("logit %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(TOLERANCE * scale));
        }
        assertThat(ConvNetwork.of(card, reference.weights()).forward(java.util.Arrays.copyOf(x, 784), 1))
                .as("one image alone").containsExactly(java.util.Arrays.copyOf(actual, card.outputSize()));
    }

    @Test
    void weightsOfAnotherNetworkAreRefusedWithTheReason() throws Exception {
        ModelCard card = example();
        ConvReference reference = ConvReference.random(card, 3);
        Map<String, float[]> values = new LinkedHashMap<>(reference.values());
        Map<String, List<Long>> shapes = new LinkedHashMap<>(reference.shapes());
        values.remove("bn.1.running_var");
        shapes.remove("bn.1.running_var");
        assertThatThrownBy(() -> ConvNetwork.of(card, new ConvReference(card, values, shapes).weights()))
                .isInstanceOf(F32Tensors.UnfitTensorsException.class).hasMessageContaining("bn.1.running_var");
        values.put("bn.1.running_var", reference.values().get("bn.1.running_var"));
        shapes.put("bn.1.running_var", reference.shapes().get("bn.1.running_var"));
        values.put("extra", new float[1]);
        shapes.put("extra", List.of(1L));
        assertThatThrownBy(() -> ConvNetwork.of(card, new ConvReference(card, values, shapes).weights()))
                .isInstanceOf(F32Tensors.UnfitTensorsException.class).hasMessageContaining("tensors");
        ModelCard wider = withArchitecture(card.json().get("architecture").toString().replace("\"channels\":64", "\"channels\":48"));
        assertThatThrownBy(() -> ConvNetwork.of(wider, reference.weights()))
                .isInstanceOf(F32Tensors.UnfitTensorsException.class).hasMessageContaining("conv.1.weight");
    }
}
