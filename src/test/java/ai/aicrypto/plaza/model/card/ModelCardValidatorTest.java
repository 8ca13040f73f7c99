package ai.aicrypto.plaza.model.card;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class ModelCardValidatorTest {

    static final String MLP = "model-card/examples/fashion-mnist-mlp.json";
    static final String SOFTMAX = "model-card/examples/tabular-softmax-regression.json";
    static final String GBDT = "model-card/examples/tabular-gbdt.json";

    static final ModelCardValidator VALIDATOR = new ModelCardValidator();
    static final JsonMapper MAPPER = JsonMapper.builder().build();

    static String resource(String path) {
        try (InputStream in = ModelCardValidatorTest.class.getClassLoader().getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The example card at {@code path}, changed by {@code edit}, as JSON text. */
    static String edited(String path, Consumer<ObjectNode> edit) {
        ObjectNode card = (ObjectNode) MAPPER.readTree(resource(path));
        edit.accept(card);
        return MAPPER.writeValueAsString(card);
    }

    static List<CardFieldError> errorsOf(String json) {
        InvalidModelCardException e = catchThrowableOfType(InvalidModelCardException.class,
                () -> VALIDATOR.parse(json));
        assertThat(e).as("card should be rejected").isNotNull();
        assertThat(e.errors()).isNotEmpty();
        return e.errors();
    }

    /** Exactly one error, at {@code field} with {@code key}; returns it for further checks. */
    static CardFieldError onlyError(String json, String field, String key) {
        List<CardFieldError> errors = errorsOf(json);
        assertThat(errors).as(errors.toString()).hasSize(1);
        CardFieldError error = errors.get(0);
        assertThat(error.field()).isEqualTo(field);
        assertThat(error.messageKey()).isEqualTo(key);
        return error;
    }

    // ---------------------------------------------------------------------------------------------
    // valid cards

    @Test
    void fashionMnistExampleValidatesAndExposesItsInterface() {
        ModelCard card = VALIDATOR.parse(resource(MLP));

        assertThat(card.specVersion()).isEqualTo("1.0");
        assertThat(card.name()).isEqualTo("Fashion-MNIST MLP");
        assertThat(card.task()).isEqualTo("classification");
        assertThat(card.inputKind()).isEqualTo("image");
        assertThat(card.inputShape()).containsExactly(1, 28, 28);
        assertThat(card.inputDescription()).isEqualTo("image 1x28x28");
        assertThat(card.inputFeatureCount()).isEqualTo(784);
        assertThat(card.classes()).hasSize(10).startsWith("t-shirt/top", "trouser").endsWith("ankle boot");
        assertThat(card.outputSize()).isEqualTo(10);
        assertThat(card.architectureTemplate()).isEqualTo("mlp");
        assertThat(card.hiddenSizes()).containsExactly(256, 128);
        assertThat(card.activation()).contains("relu");
        assertThat(card.dropout()).isEqualByComparingTo("0.2");
        assertThat(card.engine()).isEqualTo("jcuda");
        assertThat(card.engineVersion()).contains("12.6.0");
        assertThat(card.license()).isEqualTo("MIT");
        assertThat(card.priceAic()).isEqualByComparingTo(new BigDecimal("25.5"));
        assertThat(card.declaresWeights()).isTrue();
        assertThat(card.json().path("weights").path("format").stringValue()).isEqualTo("safetensors");
    }

    @Test
    void tabularSoftmaxExampleValidates() {
        ModelCard card = VALIDATOR.parse(resource(SOFTMAX));

        assertThat(card.architectureTemplate()).isEqualTo("softmax-regression");
        assertThat(card.hiddenSizes()).isEmpty();
        assertThat(card.activation()).isEmpty();
        assertThat(card.inputColumns()).containsExactly("sepal_length", "sepal_width", "petal_length", "petal_width");
        assertThat(card.inputDescription())
                .isEqualTo("tabular, 4 columns: sepal_length, sepal_width, petal_length, petal_width");
        assertThat(card.classes()).containsExactly("setosa", "versicolor", "virginica");
        assertThat(card.engine()).isEqualTo("djl-pytorch");
        assertThat(card.license()).isEqualTo("Apache-2.0");
        assertThat(card.priceAic()).isEqualByComparingTo(BigDecimal.ZERO);
        assertThat(card.declaresWeights()).isFalse();
    }

    @Test
    void hyperparametersCarryDefaultsAndRangesForTheBuilderWizard() {
        ModelCard card = VALIDATOR.parse(resource(MLP));

        assertThat(card.hyperparameters()).extracting(HyperparameterSpec::name)
                .containsExactly("optimizer", "learningRate", "batchSize", "epochs", "weightDecay", "momentum", "seed");

        HyperparameterSpec optimizer = card.hyperparameter("optimizer").orElseThrow();
        assertThat(optimizer.type()).isEqualTo(HyperparameterSpec.Type.CHOICE);
        assertThat(optimizer.defaultValue()).isEqualTo("adam");
        assertThat(optimizer.allowedValues()).containsExactly("sgd", "adam");
        assertThat(optimizer.accepts("sgd")).isTrue();
        assertThat(optimizer.accepts("rmsprop")).isFalse();

        HyperparameterSpec lr = card.hyperparameter("learningRate").orElseThrow();
        assertThat(lr.type()).isEqualTo(HyperparameterSpec.Type.NUMBER);
        assertThat((BigDecimal) lr.defaultValue()).isEqualByComparingTo("0.001");
        assertThat(lr.min()).isEqualByComparingTo("0.00001");
        assertThat(lr.max()).isEqualByComparingTo("0.1");
        assertThat(lr.scale()).isEqualTo("log");
        assertThat(lr.accepts(0.05)).isTrue();
        assertThat(lr.accepts(0.5)).isFalse();

        HyperparameterSpec batch = card.hyperparameter("batchSize").orElseThrow();
        assertThat(batch.type()).isEqualTo(HyperparameterSpec.Type.INTEGER);
        assertThat(batch.accepts(32)).isTrue();
        assertThat(batch.accepts(new BigDecimal("32.5"))).isFalse();
        assertThat(card.hyperparameter("epochs").orElseThrow().scale()).isEqualTo("linear");
    }

    @Test
    void regressionCardWithTargetsValidates() {
        ModelCard card = VALIDATOR.parse(edited(SOFTMAX, c -> {
            c.put("task", "regression");
            ObjectNode output = c.putObject("output");
            output.putArray("targets").add("price");
        }));
        assertThat(card.targets()).containsExactly("price");
        assertThat(card.outputSize()).isEqualTo(1);
        assertThat(card.classes()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "0.000000000000000001", "1000000", "12.500000000000000000"})
    void acceptsAicAmountsWithUpTo18Decimals(String price) {
        ModelCard card = VALIDATOR.parse(edited(MLP, c -> c.put("priceAic", price)));
        assertThat(card.priceAic()).isEqualByComparingTo(new BigDecimal(price));
    }

    // ---------------------------------------------------------------------------------------------
    // rejected cards: one field, one key

    @Test
    void missingTaskIsReportedAtTask() {
        CardFieldError e = onlyError(edited(MLP, c -> c.remove("task")), "/task", "model.card.error.required");
        assertThat(e.args()).containsExactly("task");
        assertThat(e.defaultMessage()).contains("task");
    }

    @Test
    void missingNestedFieldIsReportedAtItsOwnPath() {
        CardFieldError e = onlyError(edited(MLP, c -> ((ObjectNode) c.get("runtime")).remove("engine")),
                "/runtime/engine", "model.card.error.required");
        assertThat(e.args()).containsExactly("engine");
    }

    @Test
    void unknownTemplateIsAnEnumErrorListingTheTemplates() {
        CardFieldError e = onlyError(edited(MLP, c -> ((ObjectNode) c.get("architecture")).put("template", "transformer")),
                "/architecture/template", "model.card.error.enum");
        assertThat(e.args()).containsExactly("transformer", "softmax-regression, mlp, gbdt, cnn, fasttext");
    }

    @Test
    void hiddenSizesOnSoftmaxRegressionIsForbidden() {
        CardFieldError e = onlyError(edited(SOFTMAX, c -> ((ObjectNode) c.get("architecture"))
                        .putArray("hiddenSizes").add(64)),
                "/architecture/hiddenSizes", "model.card.error.not-allowed-for-template");
        assertThat(e.args()).containsExactly("hiddenSizes", "softmax-regression");
    }

    @Test
    void mlpWithoutHiddenSizesIsRejected() {
        CardFieldError e = onlyError(edited(MLP, c -> ((ObjectNode) c.get("architecture")).remove("hiddenSizes")),
                "/architecture/hiddenSizes", "model.card.error.required");
        assertThat(e.args()).containsExactly("hiddenSizes");
    }

    @Test
    void tooWideHiddenLayerIsReportedAtItsIndex() {
        CardFieldError e = onlyError(edited(MLP, c -> ((ArrayNode) c.get("architecture").get("hiddenSizes")).set(1, 5000)),
                "/architecture/hiddenSizes/1", "model.card.error.maximum");
        assertThat(e.args()).containsExactly("4096", "5000");
    }

    @Test
    void moreThanEightHiddenLayersIsRejected() {
        CardFieldError e = onlyError(edited(MLP, c -> {
                    ArrayNode sizes = ((ObjectNode) c.get("architecture")).putArray("hiddenSizes");
                    for (int i = 0; i < 9; i++) {
                        sizes.add(16);
                    }
                }),
                "/architecture/hiddenSizes", "model.card.error.max-items");
        assertThat(e.args()).containsExactly("8", 9);
    }

    @Test
    void negativeDropoutIsBelowMinimum() {
        CardFieldError e = onlyError(edited(MLP, c -> ((ObjectNode) c.get("architecture")).put("dropout", -0.1)),
                "/architecture/dropout", "model.card.error.minimum");
        assertThat(e.args()).containsExactly("0", "-0.1");
    }

    @Test
    void dropoutAboveZeroPointNineIsRejected() {
        onlyError(edited(MLP, c -> ((ObjectNode) c.get("architecture")).put("dropout", 0.95)),
                "/architecture/dropout", "model.card.error.maximum");
    }

    @Test
    void unknownActivationIsRejected() {
        CardFieldError e = onlyError(edited(MLP, c -> ((ObjectNode) c.get("architecture")).put("activation", "swish")),
                "/architecture/activation", "model.card.error.enum");
        assertThat(e.args()).containsExactly("swish", "relu, tanh, sigmoid, gelu");
    }

    @Test
    void hyperparameterDefaultOutsideItsRangeIsRejected() {
        CardFieldError e = onlyError(edited(MLP, c -> ((ObjectNode) c.at("/hyperparameters/learningRate"))
                        .put("default", 0.5)),
                "/hyperparameters/learningRate/default", "model.card.error.default-out-of-range");
        assertThat(e.args()).containsExactly("0.5", "0.00001", "0.1");
    }

    @Test
    void hyperparameterMinAboveMaxIsRejected() {
        CardFieldError e = onlyError(edited(MLP, c -> ((ObjectNode) c.at("/hyperparameters/epochs"))
                        .put("min", 50).put("max", 20)),
                "/hyperparameters/epochs/min", "model.card.error.range-inverted");
        assertThat(e.args()).containsExactly("50", "20");
    }

    @Test
    void optimizerDefaultMustBeAllowed() {
        CardFieldError e = onlyError(edited(MLP, c -> {
                    ObjectNode opt = (ObjectNode) c.at("/hyperparameters/optimizer");
                    opt.putArray("allowed").add("sgd");
                }),
                "/hyperparameters/optimizer/default", "model.card.error.default-not-allowed");
        assertThat(e.args()).containsExactly("adam", "sgd");
    }

    @Test
    void unknownOptimizerIsRejected() {
        onlyError(edited(MLP, c -> ((ArrayNode) c.at("/hyperparameters/optimizer/allowed")).add("rmsprop")),
                "/hyperparameters/optimizer/allowed/2", "model.card.error.enum");
    }

    @Test
    void logScaleNeedsPositiveMinimum() {
        CardFieldError e = onlyError(edited(MLP, c -> ((ObjectNode) c.at("/hyperparameters/weightDecay"))
                        .put("scale", "log")),
                "/hyperparameters/weightDecay/min", "model.card.error.log-scale-min");
        assertThat(e.args()).containsExactly("0");
    }

    @Test
    void unknownScaleIsRejected() {
        onlyError(edited(MLP, c -> ((ObjectNode) c.at("/hyperparameters/epochs")).put("scale", "exp")),
                "/hyperparameters/epochs/scale", "model.card.error.enum");
    }

    @Test
    void learningRateMustBePositive() {
        CardFieldError e = onlyError(edited(MLP, c -> ((ObjectNode) c.at("/hyperparameters/learningRate"))
                        .put("min", 0)),
                "/hyperparameters/learningRate/min", "model.card.error.exclusive-minimum");
        assertThat(e.args()[0]).isEqualTo("0");
    }

    @Test
    void integerHyperparameterRejectsFractions() {
        CardFieldError e = onlyError(edited(MLP, c -> ((ObjectNode) c.at("/hyperparameters/batchSize"))
                        .put("default", 64.5)),
                "/hyperparameters/batchSize/default", "model.card.error.type");
        assertThat(e.args()).containsExactly("number", "integer");
    }

    @Test
    void priceWith19DecimalsIsRejected() {
        CardFieldError e = onlyError(edited(MLP, c -> c.put("priceAic", "1.0000000000000000001")),
                "/priceAic", "model.card.error.price-format");
        assertThat(e.args()).containsExactly("1.0000000000000000001");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1e18", "01", "1.", ".5", " 1", "abc"})
    void malformedPricesAreRejected(String price) {
        onlyError(edited(MLP, c -> c.put("priceAic", price)), "/priceAic", "model.card.error.price-format");
    }

    @Test
    void numericPriceIsATypeError() {
        CardFieldError e = onlyError(edited(MLP, c -> c.put("priceAic", 12.5)), "/priceAic", "model.card.error.type");
        assertThat(e.args()).containsExactly("number", "string");
    }

    @Test
    void malformedJsonReportsLineAndColumn() {
        String broken = "{\n  \"specVersion\": \"1.0\",\n  \"name\": \"x\",,\n}";
        CardFieldError e = onlyError(broken, "/", "model.card.error.malformed-json");
        assertThat(e.args()[0]).isEqualTo(3);
        assertThat(e.args()[1]).isEqualTo(15);
        assertThat(e.defaultMessage()).contains("line 3, column 15");
    }

    @Test
    void duplicateKeysAndTrailingContentAreMalformed() {
        CardFieldError dup = onlyError("{\"name\": \"a\", \"name\": \"b\"}", "/", "model.card.error.malformed-json");
        assertThat((String) dup.args()[2]).contains("Duplicate");
        onlyError(resource(MLP) + "\n{}", "/", "model.card.error.malformed-json");
    }

    @Test
    void emptyAndNonObjectDocumentsAreRejected() {
        onlyError("  ", "/", "model.card.error.empty");
        onlyError(null, "/", "model.card.error.empty");
        CardFieldError e = onlyError("[1, 2]", "/", "model.card.error.type");
        assertThat(e.args()).containsExactly("array", "object");
    }

    @Test
    void oversizedCardIsRefusedBeforeParsing() {
        String huge = "{\"description\": \"" + "x".repeat(ModelCardValidator.MAX_CARD_CHARS) + "\"}";
        onlyError(huge, "/", "model.card.error.too-large");
    }

    @Test
    void extraUnknownFieldIsReportedAtItsPath() {
        CardFieldError e = onlyError(edited(MLP, c -> c.put("accuracy", 0.93)), "/accuracy",
                "model.card.error.unknown-field");
        assertThat(e.args()[0]).isEqualTo("accuracy");
    }

    @Test
    void extraUnknownNestedFieldIsReportedAtItsPath() {
        onlyError(edited(MLP, c -> ((ObjectNode) c.get("architecture")).put("layers", 3)),
                "/architecture/layers", "model.card.error.unknown-field");
    }

    @Test
    void unsupportedSpecVersionIsRejected() {
        CardFieldError e = onlyError(edited(MLP, c -> c.put("specVersion", "2.0")), "/specVersion",
                "model.card.error.spec-version");
        assertThat(e.args()).containsExactly("2.0", "1.0, 1.1, 1.2, 1.3, 1.4");
    }

    /** The iris card's four columns, standardised, with the classes in the output's order. */
    private static final String IRIS_PREPROCESSING = """
            {"version": 2, "kind": "tabular", "columns": [
              {"name": "sepal_length", "encoding": "standardize", "mean": 5.8, "std": 0.8, "missingIndicator": false},
              {"name": "sepal_width", "encoding": "standardize", "mean": 3.1, "std": 0.4, "missingIndicator": false},
              {"name": "petal_length", "encoding": "standardize", "mean": 3.8, "std": 1.8, "missingIndicator": false},
              {"name": "petal_width", "encoding": "standardize", "mean": 1.2, "std": 0.8, "missingIndicator": false}],
             "label": {"column": "species", "classes": ["setosa", "versicolor", "virginica"]}}""";

    @Test
    void aTrainedModelCarriesItsPreprocessingFromSpecOnePointOne() {
        String card = edited(SOFTMAX, c -> {
            c.put("specVersion", "1.1");
            c.set("preprocessing", MAPPER.readTree(IRIS_PREPROCESSING));
        });

        ModelCard parsed = VALIDATOR.parse(card);

        assertThat(parsed.preprocessing()).get().satisfies(p -> {
            assertThat(p.featureCount()).isEqualTo(4);
            assertThat(p.encode(java.util.Map.of("sepal_length", "6.6", "sepal_width", "3.1", "petal_length", "3.8",
                    "petal_width", "1.2"))[0]).isCloseTo(1f, org.assertj.core.api.Assertions.within(1e-6f));
        });
        assertThat(VALIDATOR.parse(resource(SOFTMAX)).preprocessing()).isEmpty();
    }

    @Test
    void preprocessingIsRefusedInSpecOnePointZeroAndWhenItDoesNotFitTheModel() {
        assertThat(errorsOf(edited(SOFTMAX, c -> c.set("preprocessing", MAPPER.readTree(IRIS_PREPROCESSING)))))
                .extracting(CardFieldError::field).contains("/preprocessing");

        ObjectNode fewer = (ObjectNode) MAPPER.readTree(IRIS_PREPROCESSING);
        ((tools.jackson.databind.node.ArrayNode) fewer.get("columns")).remove(3);
        CardFieldError e = onlyError(edited(SOFTMAX, c -> {
            c.put("specVersion", "1.1");
            c.set("preprocessing", fewer);
        }), "/preprocessing", "model.card.error.preprocessing-features");
        assertThat(e.args()).containsExactly(3, 4L);

        ObjectNode otherClasses = (ObjectNode) MAPPER.readTree(IRIS_PREPROCESSING);
        ((ObjectNode) otherClasses.get("label")).putArray("classes").add("a").add("b").add("c");
        onlyError(edited(SOFTMAX, c -> {
            c.put("specVersion", "1.1");
            c.set("preprocessing", otherClasses);
        }), "/preprocessing/label/classes", "model.card.error.preprocessing-classes");
    }

    @Test
    void gradientBoostedTreesAreASpecOnePointTwoTemplateWithHyperparametersOfTheirOwn() {
        ModelCard card = VALIDATOR.parse(resource(GBDT));

        assertThat(card.isTrees()).isTrue();
        assertThat(card.weightsFormat()).isEqualTo("xgboost-json");
        assertThat(card.passesHyperparameter()).isEqualTo("rounds");
        assertThat(card.hyperparameters()).extracting(HyperparameterSpec::name)
                .containsExactly("rounds", "maxDepth", "eta", "subsample", "minChildWeight", "lambda", "seed");
        assertThat(card.hyperparameter("eta").orElseThrow().accepts(new BigDecimal("0.3"))).isTrue();
        assertThat(card.hyperparameter("maxDepth").orElseThrow().accepts(new BigDecimal("2.5"))).isFalse();
        ModelCard network = VALIDATOR.parse(resource(MLP));
        assertThat(network.weightsFormat()).isEqualTo("safetensors");
        assertThat(network.passesHyperparameter()).isEqualTo("epochs");
    }

    @Test
    void treesAreRefusedBeforeSpecOnePointTwoAndWithANetworksSettings() {
        assertThat(errorsOf(edited(GBDT, c -> c.put("specVersion", "1.1")))).extracting(CardFieldError::field)
                .containsExactly("/architecture/template", "/runtime/engine");
        CardFieldError optimizer = onlyError(edited(GBDT, c -> ((ObjectNode) c.get("hyperparameters")).set("optimizer",
                MAPPER.readTree("{\"default\": \"adam\", \"allowed\": [\"adam\"]}"))), "/hyperparameters/optimizer",
                "model.card.error.not-allowed-for-template");
        assertThat(optimizer.args()).containsExactly("optimizer", "gbdt");
        onlyError(edited(GBDT, c -> ((ObjectNode) c.get("hyperparameters")).remove("rounds")), "/hyperparameters/rounds",
                "model.card.error.required");
        onlyError(edited(GBDT, c -> ((ObjectNode) c.get("architecture")).putArray("hiddenSizes").add(8)),
                "/architecture/hiddenSizes", "model.card.error.not-allowed-for-template");
        onlyError(edited(GBDT, c -> ((ObjectNode) c.get("hyperparameters").get("eta")).put("max", 2)),
                "/hyperparameters/eta/max", "model.card.error.maximum");
        onlyError(edited(GBDT, c -> ((ObjectNode) c.get("runtime")).put("engine", "djl-pytorch")), "/runtime/engine",
                "model.card.error.const");
        onlyError(edited(GBDT, c -> c.putObject("weights").put("format", "safetensors")), "/weights/format",
                "model.card.error.const");
        // and a network takes none of the trees' settings
        onlyError(edited(MLP, c -> ((ObjectNode) c.put("specVersion", "1.2").get("hyperparameters")).set("rounds",
                MAPPER.readTree("{\"default\": 5, \"min\": 1, \"max\": 9}"))), "/hyperparameters/rounds",
                "model.card.error.not-allowed-for-template");
        onlyError(edited(MLP, c -> ((ObjectNode) c.put("specVersion", "1.2").get("runtime")).put("engine", "xgboost")), "/runtime/engine",
                "model.card.error.enum");
    }

    @Test
    void classificationNeedsAtLeastTwoClasses() {
        CardFieldError e = onlyError(edited(SOFTMAX, c -> ((ObjectNode) c.get("output")).putArray("classes").add("only")),
                "/output/classes", "model.card.error.min-items");
        assertThat(e.args()).containsExactly("2", 1);
    }

    @Test
    void duplicateClassesAreRejected() {
        onlyError(edited(SOFTMAX, c -> ((ObjectNode) c.get("output")).putArray("classes").add("a").add("a")),
                "/output/classes", "model.card.error.unique-items");
    }

    @Test
    void regressionCardMustNotListClasses() {
        List<CardFieldError> errors = errorsOf(edited(SOFTMAX, c -> c.put("task", "regression")));
        assertThat(errors).extracting(CardFieldError::field, CardFieldError::messageKey).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("/output/classes", "model.card.error.not-allowed-for-task"),
                org.assertj.core.groups.Tuple.tuple("/output/targets", "model.card.error.required"));
    }

    @Test
    void imageInputNeedsShapeNotColumns() {
        List<CardFieldError> errors = errorsOf(edited(SOFTMAX, c -> ((ObjectNode) c.get("input")).put("kind", "image")));
        assertThat(errors).extracting(CardFieldError::field, CardFieldError::messageKey).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("/input/columns", "model.card.error.not-allowed-for-input-kind"),
                org.assertj.core.groups.Tuple.tuple("/input/shape", "model.card.error.required"));
    }

    @Test
    void imageShapeMustHaveTwoOrThreeDimensions() {
        onlyError(edited(MLP, c -> ((ObjectNode) c.get("input")).putArray("shape").add(1).add(1).add(28).add(28)),
                "/input/shape", "model.card.error.max-items");
    }

    @Test
    void unknownEngineAndBadLicenseAreReportedTogether() {
        List<CardFieldError> errors = errorsOf(edited(MLP, c -> {
            ((ObjectNode) c.get("runtime")).put("engine", "tensorflow");
            c.put("license", "free for all!");
        }));
        assertThat(errors).extracting(CardFieldError::field, CardFieldError::messageKey).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("/runtime/engine", "model.card.error.enum"),
                org.assertj.core.groups.Tuple.tuple("/license", "model.card.error.license-format"));
    }

    @Test
    void spdxExpressionsAreAccepted() {
        assertThat(VALIDATOR.parse(edited(MLP, c -> c.put("license", "Apache-2.0 OR MIT"))).license())
                .isEqualTo("Apache-2.0 OR MIT");
    }

    @Test
    void weightsMustBeSafetensorsWithAProperHash() {
        CardFieldError format = onlyError(edited(MLP, c -> ((ObjectNode) c.get("weights")).put("format", "pickle")),
                "/weights/format", "model.card.error.enum");
        assertThat(format.args()).containsExactly("pickle", "safetensors, xgboost-json");
        onlyError(edited(MLP, c -> ((ObjectNode) c.get("weights")).put("sha256", "ABC")),
                "/weights/sha256", "model.card.error.sha256-format");
        String sha = "a".repeat(64);
        assertThat(VALIDATOR.parse(edited(MLP, c -> ((ObjectNode) c.get("weights")).put("sha256", sha)))
                .weightsSha256()).contains(sha);
    }

    @Test
    void blankNameIsRejected() {
        onlyError(edited(MLP, c -> c.put("name", "   ")), "/name", "model.card.error.blank");
    }

    @Test
    void exceptionMessageNamesTheFields() {
        assertThatThrownBy(() -> VALIDATOR.parse(edited(MLP, c -> c.remove("license"))))
                .isInstanceOf(InvalidModelCardException.class)
                .hasMessageContaining("/license");
    }

    @Test
    void schemaIsDraft202012WithVersionedId() {
        JsonNode schema = MAPPER.readTree(ModelCardValidator.schemaText());
        assertThat(schema.path("$schema").stringValue()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(schema.path("$id").stringValue()).isEqualTo(ModelCardValidator.SCHEMA_ID);
        assertThat(schema.at("/properties/specVersion/enum").values()).extracting(JsonNode::stringValue)
                .containsExactly("1.0", "1.1", "1.2", "1.3", ModelCardValidator.SPEC_VERSION);
    }
}
