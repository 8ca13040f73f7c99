package ai.aicrypto.plaza.worker.model;

import ai.aicrypto.plaza.worker.data.Task;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A model card of the {@value #TEMPLATE} template (spec 1.2): gradient-boosted trees trained with XGBoost, with the
 * requester's hyperparameters over the card's defaults. One round adds one tree per class (multi-class) or one tree
 * (binary classification, regression); the worker reports each round as it reports a dense network's epochs.
 *
 * @param expectedFeatures the card's input columns, or -1 if it does not list them
 */
public record BoostedTreesSpec(String name, Task task, List<String> outputNames, int expectedFeatures, int rounds, int maxDepth,
                               double eta, double subsample, double minChildWeight, double lambda, long seed) {

    public static final String TEMPLATE = "gbdt";

    public BoostedTreesSpec {
        outputNames = List.copyOf(outputNames);
        if (task == Task.CLASSIFICATION && outputNames.size() < 2) throw new IllegalArgumentException("classification needs >= 2 classes");
        if (task == Task.REGRESSION && outputNames.size() != 1) throw new IllegalArgumentException("the tree engine trains one target");
        if (rounds < 1) throw new IllegalArgumentException("rounds must be >= 1");
        if (maxDepth < 1) throw new IllegalArgumentException("maxDepth must be >= 1");
        if (!(eta > 0 && eta <= 1)) throw new IllegalArgumentException("eta must be in (0, 1]");
        if (!(subsample > 0 && subsample <= 1)) throw new IllegalArgumentException("subsample must be in (0, 1]");
        if (!(minChildWeight >= 0)) throw new IllegalArgumentException("minChildWeight must be >= 0");
        if (!(lambda >= 0)) throw new IllegalArgumentException("lambda must be >= 0");
    }

    /** Whether the card is of this template (else it is a dense network: {@link ModelSpec}). */
    public static boolean describes(JsonNode card) {
        return TEMPLATE.equals(card.path("architecture").path("template").asText());
    }

    /**
     * The card's trees with the hyperparameters the requester chose ({@code chosen}: names as in the card), each
     * falling back to the card's default. The app has validated the card and the choices against its ranges.
     */
    public static BoostedTreesSpec fromCard(JsonNode card, JsonNode chosen) {
        if (!describes(card)) throw new IllegalArgumentException("not a " + TEMPLATE + " card");
        Task task = Task.parse(card.path("task").asText());
        List<String> outputs = new ArrayList<>();
        card.path("output").path(task == Task.CLASSIFICATION ? "classes" : "targets").forEach(n -> outputs.add(n.asText()));
        int expected = card.path("input").path("columns").isArray() ? card.path("input").path("columns").size() : -1;
        JsonNode hp = card.path("hyperparameters");
        return new BoostedTreesSpec(card.path("name").asText(""), task, outputs, expected,
                value(hp, chosen, "rounds").intValue(), value(hp, chosen, "maxDepth").intValue(),
                value(hp, chosen, "eta").doubleValue(), value(hp, chosen, "subsample").doubleValue(),
                value(hp, chosen, "minChildWeight").doubleValue(), value(hp, chosen, "lambda").doubleValue(),
                value(hp, chosen, "seed").longValue());
    }

    private static Number value(JsonNode hyperparameters, JsonNode chosen, String name) {
        JsonNode given = chosen == null ? null : chosen.get(name);
        if (given != null && given.isNumber()) return given.numberValue();
        JsonNode fallback = hyperparameters.path(name).get("default");
        if (fallback == null || !fallback.isNumber()) throw new IllegalArgumentException("model card: hyperparameter '" + name + "' is required");
        return fallback.numberValue();
    }

    /** Classes (classification) or 1 (regression). */
    public int outputSize() {
        return task == Task.CLASSIFICATION ? outputNames.size() : 1;
    }
}
