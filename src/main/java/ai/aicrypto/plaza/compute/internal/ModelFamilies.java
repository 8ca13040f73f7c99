package ai.aicrypto.plaza.compute.internal;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ai.aicrypto.plaza.model.card.ModelCard;

/**
 * The model families a worker can train, and how the queue and the builder match them with jobs. A family is a model
 * card's architecture template ({@code softmax-regression}, {@code mlp}, {@code cnn}, {@code fasttext}, {@code gbdt}):
 * a job's family is its card's, read where the job is matched, so there is one vocabulary and nothing to keep in step.
 * A worker's heartbeat names the families it found it can train on its host, each with the engine that trains it
 * ({@code workers.families}, V71).
 * <p>
 * A worker that never reported (a release from before the field) is taken to train {@link #UNREPORTED}: the dense
 * networks every worker release has trained. It gets no cnn, text or tree job, which a release that old would fail
 * or, worse, train with the wrong engine; it gets the rest as before.
 */
public final class ModelFamilies {

    public static final List<String> ALL = List.of(ModelCard.TEMPLATE_SOFTMAX_REGRESSION, ModelCard.TEMPLATE_MLP,
            ModelCard.TEMPLATE_CNN, ModelCard.TEMPLATE_TEXT, ModelCard.TEMPLATE_GBDT);
    public static final List<String> UNREPORTED = List.of(ModelCard.TEMPLATE_SOFTMAX_REGRESSION, ModelCard.TEMPLATE_MLP);
    /** The engine a worker that never reported is taken to train {@link #UNREPORTED} with, as pages show it. */
    static final String UNREPORTED_ENGINE = "not reported";

    private ModelFamilies() {
    }

    /**
     * A worker's families as SQL, a jsonb object of family to engine: what it reported, else {@link #UNREPORTED}.
     *
     * @param worker the alias of a {@code workers} row
     */
    public static String sql(String worker) {
        StringBuilder unreported = new StringBuilder("{");
        for (String family : UNREPORTED) {
            unreported.append(unreported.length() > 1 ? ", " : "").append('"').append(family).append("\": \"")
                    .append(UNREPORTED_ENGINE).append('"');
        }
        return "coalesce(" + worker + ".families, CAST('" + unreported + "}' AS jsonb))";
    }

    /** The family of a job's model card, as SQL (a text), from its {@code model_id} column. */
    public static String jobFamilySql(String job) {
        return "(SELECT m.card -> 'architecture' ->> 'template' FROM models m WHERE m.listing_id = " + job + ".model_id)";
    }

    /** The families a worker reported, those this plaza knows of (others cannot match a job here: dropped). */
    static Map<String, String> known(Map<String, String> reported) {
        Map<String, String> known = new TreeMap<>();
        reported.forEach((family, engine) -> {
            if (ALL.contains(family)) {
                known.put(family, engine);
            }
        });
        return known;
    }
}
