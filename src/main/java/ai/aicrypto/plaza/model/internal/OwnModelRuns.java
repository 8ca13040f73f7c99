package ai.aicrypto.plaza.model.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.model.ModelRuns;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.stereotype.Service;

/** {@link ModelRuns} on the plaza's own inference path ({@link ModelPredictions}), with its cache of loaded weights. */
@Service
class OwnModelRuns implements ModelRuns {

    /** A choice list, not a catalogue: members with more models pick among their newest. */
    private static final int MAX_LISTED = 100;

    private final ModelService models;
    private final ModelPredictions predictions;
    private final ModelCardValidator validator = new ModelCardValidator();

    OwnModelRuns(ModelService models, ModelPredictions predictions) {
        this.models = models;
        this.predictions = predictions;
    }

    @Override
    public List<RunnableModel> runnableBy(long ownerId) {
        return models.ownedWithWeights(ownerId, null, MAX_LISTED).stream()
                .flatMap(m -> tableInput(m).stream())
                .toList();
    }

    @Override
    public Optional<RunnableModel> runnable(long modelId, long ownerId) {
        return models.ownedWithWeights(ownerId, modelId, 1).stream().findFirst().flatMap(this::tableInput);
    }

    @Override
    public Run open(long modelId, long ownerId) {
        ModelService.OwnedModel owned = models.ownedWithWeights(ownerId, modelId, 1).stream().findFirst()
                .orElseThrow(NotFoundException::new);
        RunnableModel runnable = tableInput(owned)
                .orElseThrow(() -> new UserFacingException("modelId", "model.run.error.not-table"));
        return new Run() {
            @Override
            public RunnableModel model() {
                return runnable;
            }

            @Override
            public List<Predicted> predict(List<Map<String, String>> records) {
                return predictions.runForOwner(owned.id(), owned.model(), records).stream()
                        .map(o -> new Predicted(o.label(), o.value(), probabilities(o, runnable.classes())))
                        .toList();
            }
        };
    }

    private static List<Double> probabilities(ModelPredictions.Outcome outcome, List<String> classes) {
        if (classes.isEmpty()) {
            return List.of();
        }
        Map<String, Double> byClass = new HashMap<>();
        outcome.top().forEach(c -> byClass.put(c.label(), c.probability()));
        return classes.stream().map(c -> byClass.getOrDefault(c, 0.0)).toList();
    }

    /** The model as one that reads table records, when its card says how (a trained model's card does). */
    private Optional<RunnableModel> tableInput(ModelService.OwnedModel owned) {
        ModelCard card = validator.parse(owned.model().cardJson());
        return card.inputPreprocessing().filter(p -> !p.forImages())
                .map(p -> new RunnableModel(owned.id(), owned.title(),
                        p.columns().stream().map(Preprocessing.Column::name).toList(),
                        card.isClassification() ? card.classes() : List.of()));
    }
}
