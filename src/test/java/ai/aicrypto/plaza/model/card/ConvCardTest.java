package ai.aicrypto.plaza.model.card;

import static ai.aicrypto.plaza.model.card.ModelCardValidatorTest.MLP;
import static ai.aicrypto.plaza.model.card.ModelCardValidatorTest.edited;
import static ai.aicrypto.plaza.model.card.ModelCardValidatorTest.onlyError;
import static ai.aicrypto.plaza.model.card.ModelCardValidatorTest.resource;
import static org.assertj.core.api.Assertions.assertThat;

import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.stream.IntStream;

import ai.aicrypto.plaza.dataset.format.Preprocessing;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Spec 1.3's cnn cards: what is valid, what is refused and why (English and Korean), and the builder's recommended CNNs. */
class ConvCardTest {

    static final String CNN = "model-card/examples/fashion-mnist-cnn.json";
    static final ModelCardValidator VALIDATOR = ModelCardValidatorTest.VALIDATOR;

    @Test
    void theExampleCnnValidatesAndDescribesItsBlocks() {
        ModelCard card = VALIDATOR.parse(resource(CNN));
        assertThat(card.specVersion()).isEqualTo("1.3");
        assertThat(card.isConvolutional()).isTrue();
        assertThat(card.isTrees()).isFalse();
        assertThat(card.weightsFormat()).isEqualTo(ModelCard.WEIGHTS_SAFETENSORS);
        ConvArchitecture conv = card.convArchitecture();
        assertThat(conv.blocks()).containsExactly(
                new ConvArchitecture.Block(32, 3, 1, 1, true, ConvArchitecture.Pooling.MAX, 2),
                new ConvArchitecture.Block(64, 3, 1, 1, true, ConvArchitecture.Pooling.MAX, 2));
        assertThat(conv.shapes()).containsExactly(new ConvArchitecture.Shape(1, 28, 28), new ConvArchitecture.Shape(32, 14, 14),
                new ConvArchitecture.Shape(64, 7, 7));
        assertThat(card.denseInputSize()).isEqualTo(64 * 7 * 7);
        assertThat(card.inputFeatureCount()).isEqualTo(784);
        assertThat(card.hiddenSizes()).containsExactly(128);
        assertThat(card.horizontalFlip()).isFalse();
        assertThat(card.cropPadding()).isZero();
        assertThat(conv.multiplyAdds()).isEqualTo(28L * 28 * 32 * 9 + 14L * 14 * 64 * 32 * 9);
    }

    @Test
    void olderSpecVersionsHaveNoCnnAndOlderCardsStayValid() {
        CardFieldError error = onlyError(edited(CNN, c -> c.put("specVersion", "1.2")), "/architecture/template", "model.card.error.enum");
        assertThat(error.args()[1].toString()).doesNotContain("cnn");
        assertThat(VALIDATOR.parse(resource(MLP)).specVersion()).isEqualTo("1.0");
        assertThat(VALIDATOR.parse(edited(MLP, c -> c.put("specVersion", "1.3"))).isConvolutional()).isFalse();
    }

    @Test
    void convPartsBelongToTheCnnTemplateOnly() {
        onlyError(edited(MLP, c -> c.withObject("architecture").putArray("convBlocks").addObject().put("channels", 8).put("kernel", 3)),
                "/architecture/convBlocks", "model.card.error.not-allowed-for-template");
        onlyError(edited(CNN, c -> c.withObject("architecture").remove("convBlocks")), "/architecture/convBlocks",
                "model.card.error.required");
        onlyError(edited(CNN, c -> c.withObject("architecture").put("activation", "tanh")), "/architecture/activation",
                "model.card.error.enum");
        onlyError(edited(CNN, c -> block(c, 0).put("kernel", 16)), "/architecture/convBlocks/0/kernel", "model.card.error.maximum");
        onlyError(edited(CNN, c -> block(c, 1).put("pool", "median")), "/architecture/convBlocks/1/pool", "model.card.error.enum");
        onlyError(edited(CNN, c -> block(c, 1).put("dilation", 2)), "/architecture/convBlocks/1/dilation", "model.card.error.unknown-field");
        onlyError(edited(CNN, c -> c.withObject("architecture").withObject("augmentation").put("cropPadding", 17)),
                "/architecture/augmentation/cropPadding", "model.card.error.maximum");
    }

    @Test
    void aCnnOfATableOrOneThatShrinksTheImageAwayIsRefusedInEnglishAndKorean() {
        CardFieldError table = onlyError(edited(CNN, c -> {
            c.putObject("input").put("kind", "tabular").putArray("columns").add("a").add("b");
        }), "/input/kind", "model.card.error.cnn-image-input");
        assertThat(ModelCardMessages.format(table, Locale.ENGLISH)).contains("reads images");
        assertThat(ModelCardMessages.format(table, Locale.KOREAN)).contains("이미지를 읽습니다");

        CardFieldError empty = onlyError(edited(CNN, c -> {
            ArrayNode blocks = c.withObject("architecture").withArray("convBlocks");
            blocks.addObject().put("channels", 8).put("kernel", 3).put("padding", 1).put("pool", "max");
            blocks.addObject().put("channels", 8).put("kernel", 3).put("pool", "max");
        }), "/architecture/convBlocks/3", "model.card.error.cnn-block-empty");
        // 28 -> 14 -> 7 -> 3 -> a 3x3 kernel leaves 1 pixel, which a 2x2 pooling cannot halve
        assertThat(ModelCardMessages.format(empty, Locale.ENGLISH)).contains("Conv block 4 leaves no pixels: its input is 3x3");
        assertThat(ModelCardMessages.format(empty, Locale.KOREAN)).contains("4번째 합성곱 블록");

        CardFieldError large = onlyError(edited(CNN, c -> {
            ((ArrayNode) c.withObject("input").withArray("shape")).removeAll().add(3).add(1024).add(1024);
            block(c, 0).put("channels", 512);
        }), "/architecture", "model.card.error.cnn-too-large");
        assertThat(ModelCardMessages.format(large, Locale.ENGLISH)).contains("multiply-adds per image");
        assertThat(ModelCardMessages.format(large, Locale.KOREAN)).contains("곱셈-덧셈");
    }

    private static ObjectNode block(ObjectNode card, int index) {
        return (ObjectNode) card.withObject("architecture").withArray("convBlocks").get(index);
    }

    // ---- recommendations ----

    private static Preprocessing images(int channels, int height, int width, int classes) {
        return new Preprocessing(Preprocessing.CURRENT_VERSION, Preprocessing.IMAGE, List.of(),
                new Preprocessing.Image(height, width, channels, 1 / 255.0),
                new Preprocessing.Label("label", IntStream.range(0, classes).mapToObj(i -> "class " + i).toList()));
    }

    @Test
    void anImageDatasetIsOfferedASmallAndADeeperCnnFirstSizedToItsImages() {
        List<RecommendedModels.Recommendation> fashion = RecommendedModels.forDataset("Fashion", images(1, 28, 28, 10), 60_000);
        assertThat(fashion).extracting(RecommendedModels.Recommendation::key)
                .containsExactly(RecommendedModels.CNN, RecommendedModels.CNN_DEEP, RecommendedModels.MLP, RecommendedModels.LINEAR);
        ModelCard small = fashion.get(0).card(), deep = fashion.get(1).card();
        assertThat(small.specVersion()).isEqualTo("1.3");
        assertThat(small.inputShape()).containsExactly(1, 28, 28);
        assertThat(small.classes()).hasSize(10);
        assertThat(small.convArchitecture().shapes()).extracting(ConvArchitecture.Shape::channels, ConvArchitecture.Shape::height)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 28), org.assertj.core.groups.Tuple.tuple(32, 14),
                        org.assertj.core.groups.Tuple.tuple(64, 7));
        assertThat(small.convArchitecture().blocks()).allMatch(ConvArchitecture.Block::batchNorm);
        assertThat(small.cropPadding()).isZero();
        assertThat(small.json().get("architecture")).as("the example card (ops/bench/training's) is this recommendation")
                .isEqualTo(VALIDATOR.parse(resource(CNN)).json().get("architecture"));
        assertThat(small.hyperparameter("epochs").orElseThrow().defaultValue().toString()).isEqualTo("10");
        assertThat(deep.convArchitecture().blocks()).hasSize(4);
        assertThat(deep.convArchitecture().flattenedSize()).isEqualTo(64 * 7 * 7);
        assertThat(deep.cropPadding()).isEqualTo(2);
        assertThat(deep.horizontalFlip()).as("flips change what digits mean").isFalse();

        ResourceBundle en = ResourceBundle.getBundle("i18n/compute", Locale.ROOT), ko = ResourceBundle.getBundle("i18n/compute", Locale.KOREAN);
        for (RecommendedModels.Recommendation r : fashion.subList(0, 2)) {
            String key = "builder.recommended." + r.key() + ".explain";
            assertThat(new MessageFormat(en.getString(key), Locale.ENGLISH).format(r.explanationArgs().toArray()))
                    .contains("28\u00d728").doesNotContain("{");
            assertThat(new MessageFormat(ko.getString(key), Locale.KOREAN).format(r.explanationArgs().toArray()))
                    .contains("28\u00d728").doesNotContain("{");
        }
    }

    @Test
    void largeColourImagesGetMoreStagesAndTinyOnesOneBlockWithoutPooling() {
        List<RecommendedModels.Recommendation> photos = RecommendedModels.forDataset("Photos", images(3, 224, 224, 5), 1_000);
        assertThat(photos).extracting(RecommendedModels.Recommendation::key)
                .as("150,528 pixels are too many for the MLP's card, and the deeper CNN past what the plaza runs per image")
                .containsExactly(RecommendedModels.CNN);
        assertThat(RecommendedModels.forDataset("Icons", images(3, 64, 64, 5), 1_000)).extracting(RecommendedModels.Recommendation::key)
                .containsExactly(RecommendedModels.CNN, RecommendedModels.CNN_DEEP);
        ConvArchitecture conv = photos.get(0).card().convArchitecture();
        assertThat(conv.blocks()).hasSize(5);
        assertThat(conv.shapes().get(5)).isEqualTo(new ConvArchitecture.Shape(128, 7, 7));

        ConvArchitecture tiny = RecommendedModels.forDataset("Tiny", images(1, 4, 4, 2), 100).get(0).card().convArchitecture();
        assertThat(tiny.blocks()).singleElement().extracting(ConvArchitecture.Block::pool).isEqualTo(ConvArchitecture.Pooling.NONE);
    }
}
