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

import ai.aicrypto.plaza.dataset.format.Preprocessing;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Spec 1.4's fasttext cards: the builder's recommended text classifiers, what is valid, what is refused and why (en, ko). */
class TextCardTest {

    static final ModelCardValidator VALIDATOR = ModelCardValidatorTest.VALIDATOR;

    /** A table of a star rating and a review text (40 id slots), labelled good or bad. */
    static Preprocessing reviews() {
        return new Preprocessing(Preprocessing.CURRENT_VERSION, Preprocessing.TABULAR, List.of(
                new Preprocessing.Column("stars", Preprocessing.STANDARDIZE, 3.0, 1.5, false, null, null),
                new Preprocessing.Column("review", Preprocessing.TEXT, null, null, false, null, Preprocessing.TEXT_BUCKETS,
                        new Preprocessing.Text(40, 2, 3, 5))),
                null, new Preprocessing.Label("label", List.of("bad", "good")));
    }

    @Test
    void aDatasetWithTextIsOfferedALinearAndAHiddenLayerTextClassifierSizedToIt() {
        List<RecommendedModels.Recommendation> offered = RecommendedModels.forDataset("Reviews", reviews(), 5_000);
        assertThat(offered).extracting(RecommendedModels.Recommendation::key)
                .as("trees and plain networks would read the ids as numbers")
                .containsExactly(RecommendedModels.TEXT, RecommendedModels.TEXT_HIDDEN);
        ModelCard linear = offered.get(0).card(), hidden = offered.get(1).card();
        assertThat(linear.specVersion()).isEqualTo("1.4");
        assertThat(linear.isText()).isTrue();
        assertThat(linear.textArchitecture()).isEqualTo(new ModelCard.TextArchitecture(Preprocessing.TEXT_BUCKETS, 32, 40));
        assertThat(linear.inputFeatureCount()).isEqualTo(41);
        assertThat(linear.denseInputSize()).as("the mean embedding and the stars").isEqualTo(33);
        assertThat(linear.hiddenSizes()).isEmpty();
        assertThat(hidden.hiddenSizes()).containsExactly(64);
        assertThat(hidden.activation()).contains("relu");
        assertThat(linear.hyperparameter("epochs").orElseThrow().defaultValue().toString()).isEqualTo("5");
        assertThat(RecommendedModels.forDataset("Few", reviews(), 500).get(0).card().textArchitecture().embeddingDim()).isEqualTo(16);

        ResourceBundle en = ResourceBundle.getBundle("i18n/compute", Locale.ROOT), ko = ResourceBundle.getBundle("i18n/compute", Locale.KOREAN);
        for (RecommendedModels.Recommendation r : offered) {
            String key = "builder.recommended." + r.key() + ".explain";
            assertThat(new MessageFormat(en.getString(key), Locale.ENGLISH).format(r.explanationArgs().toArray()))
                    .contains("up to 40 per record").doesNotContain("{");
            assertThat(new MessageFormat(ko.getString(key), Locale.KOREAN).format(r.explanationArgs().toArray()))
                    .contains("40").doesNotContain("{");
            assertThat(en.getString("builder.recommended." + r.key())).isNotBlank();
            assertThat(ko.getString("builder.recommended." + r.key())).isNotBlank();
        }
    }

    private static String textCard() {
        return RecommendedModels.forDataset("Reviews", reviews(), 5_000).get(1).card().json().toString();
    }

    private static String edit(String json, java.util.function.Consumer<ObjectNode> change) {
        JsonMapper mapper = JsonMapper.builder().build();
        ObjectNode card = (ObjectNode) mapper.readTree(json);
        change.accept(card);
        return mapper.writeValueAsString(card);
    }

    @Test
    void olderSpecVersionsHaveNoTextClassifierAndItsPartsBelongToItAlone() {
        CardFieldError error = onlyError(edit(textCard(), c -> c.put("specVersion", "1.3")), "/architecture/template",
                "model.card.error.enum");
        assertThat(error.args()[1].toString()).doesNotContain("fasttext");
        assertThat(VALIDATOR.parse(resource(MLP)).isText()).isFalse();
        onlyError(edited(MLP, c -> c.withObject("architecture").put("embeddingDim", 8)), "/architecture/embeddingDim",
                "model.card.error.not-allowed-for-template");
        onlyError(edit(textCard(), c -> c.withObject("architecture").remove("textSlots")), "/architecture/textSlots",
                "model.card.error.required");
        onlyError(edit(textCard(), c -> c.withObject("architecture").remove("activation")), "/architecture/activation",
                "model.card.error.required");
    }

    @Test
    void aTextClassifierThatDoesNotFitItsInputIsRefusedInEnglishAndKorean() {
        CardFieldError slots = onlyError(edit(textCard(), c -> c.withObject("architecture").put("textSlots", 42)),
                "/architecture/textSlots", "model.card.error.text-slots");
        assertThat(ModelCardMessages.format(slots, Locale.ENGLISH)).contains("textSlots is 42, but the input has only 41 features");
        assertThat(ModelCardMessages.format(slots, Locale.KOREAN)).contains("입력 특성은 41개뿐입니다");

        CardFieldError image = onlyError(edit(textCard(), c -> {
            c.putObject("input").put("kind", "image").putArray("shape").add(1).add(28).add(28);
        }), "/input/kind", "model.card.error.text-tabular-input");
        assertThat(ModelCardMessages.format(image, Locale.KOREAN)).contains("텍스트 열이 있는 레코드");

        CardFieldError large = onlyError(edit(textCard(), c -> c.withObject("architecture").put("buckets", 16_777_216)
                .put("embeddingDim", 64)), "/architecture", "model.card.error.text-too-large");
        assertThat(ModelCardMessages.format(large, Locale.ENGLISH)).contains("1,073,741,824 parameters");

        // a trained card carries the dataset's preprocessing: its ids must be the ones the model reads
        JsonMapper mapper = JsonMapper.builder().build();
        CardFieldError mismatch = onlyError(edit(textCard(), c -> {
            c.put("specVersion", "1.4");
            c.set("preprocessing", mapper.valueToTree(reviews()));
            c.withObject("architecture").put("buckets", 1024);
        }), "/architecture", "model.card.error.text-preprocessing");
        assertThat(ModelCardMessages.format(mismatch, Locale.ENGLISH)).contains("40 text ids per record from 65,536 buckets")
                .contains("40 ids from 1,024 buckets");
        assertThat(ModelCardMessages.format(mismatch, Locale.KOREAN)).contains("65,536개 버킷");
        assertThat(VALIDATOR.parse(edit(textCard(), c -> c.set("preprocessing", mapper.valueToTree(reviews())))).preprocessing())
                .contains(reviews());
    }
}
