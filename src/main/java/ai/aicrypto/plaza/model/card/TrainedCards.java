package ai.aicrypto.plaza.model.card;

import ai.aicrypto.plaza.dataset.format.Preprocessing;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** What spec 1.1 adds to the card of a model trained on the plaza: how it takes raw input, and what it answers. */
public final class TrainedCards {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The first spec version with {@code preprocessing} and {@code interface}. */
    static final String PREPROCESSING_SPEC_VERSION = "1.1";

    private TrainedCards() {
    }

    /**
     * Makes {@code card} a card of a model trained on data encoded by {@code preprocessing} (spec 1.1, or the card's
     * own newer version, e.g. 1.2 for trees): the output
     * names the dataset's classes (label index i is output unit i) or its target, and the card gains the
     * {@code preprocessing} and the {@code interface} a prediction request follows.
     */
    public static void describeInput(ObjectNode card, Preprocessing preprocessing) {
        if ("1.0".equals(card.path("specVersion").asString(""))) {
            card.put("specVersion", PREPROCESSING_SPEC_VERSION);
        }
        ObjectNode output = card.putObject("output");
        if (preprocessing.label().regression()) {
            output.putArray("targets").add(preprocessing.label().column());
        } else {
            ArrayNode classes = output.putArray("classes");
            preprocessing.label().classes().forEach(classes::add);
        }
        card.set("preprocessing", JSON.valueToTree(preprocessing));
        card.set("interface", interfaceOf(preprocessing));
    }

    private static ObjectNode interfaceOf(Preprocessing preprocessing) {
        ObjectNode api = JSON.createObjectNode();
        ObjectNode input = api.putObject("input");
        if (preprocessing.forImages()) {
            input.put("kind", "image").put("height", preprocessing.image().height())
                    .put("width", preprocessing.image().width()).put("channels", preprocessing.image().channels());
        } else {
            input.put("kind", "record");
            ArrayNode columns = input.putArray("columns");
            for (Preprocessing.Column c : preprocessing.columns()) {
                ObjectNode column = columns.addObject().put("name", c.name()).put("type", c.numeric() ? "number" : c.freeText() ? "text" : "category");
                if (Preprocessing.ONE_HOT.equals(c.encoding())) {
                    ArrayNode values = column.putArray("values");
                    c.values().forEach(values::add);
                }
            }
        }
        ObjectNode output = api.putObject("output");
        if (preprocessing.label().regression()) {
            output.put("target", preprocessing.label().column());
        } else {
            ArrayNode classes = output.putArray("classes");
            preprocessing.label().classes().forEach(classes::add);
        }
        return api;
    }

    /**
     * The card a fine-tuning job trains: the parent's architecture and hyperparameters, read by the new dataset (its
     * columns, classes or target, preprocessing); the job's worker starts from the parent's weights, with a new head
     * when the classes differ. The requester's own card until they publish what it trains.
     */
    public static String fineTuning(ModelCard parent, Preprocessing data, String datasetTitle) {
        ObjectNode card = (ObjectNode) parent.json().deepCopy();
        String name = parent.name() + ", fine-tuned on " + datasetTitle;
        card.put("name", name.length() > 120 ? name.substring(0, 119) + "\u2026" : name);
        card.put("description", "Fine-tuned from " + parent.name() + " by the Easy AI Builder.");
        if (!data.forImages()) {
            ArrayNode columns = ((ObjectNode) card.get("input")).putArray("columns");
            RecommendedModels.uniqueNames(data.featureNames()).forEach(columns::add);
        }
        describeInput(card, data);
        card.remove("weights");
        card.put("license", "LicenseRef-Proprietary");
        card.put("priceAic", "0");
        return card.toString();
    }
}
