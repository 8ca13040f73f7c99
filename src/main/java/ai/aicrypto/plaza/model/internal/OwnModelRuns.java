package ai.aicrypto.plaza.model.internal;

import java.awt.image.BufferedImage;
import java.time.Duration;
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
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Service;

/**
 * {@link ModelRuns} on the path of the owner's own calls ({@link ModelPredictions#runForOwner}): each batch served by the
 * GPU fleet and its GPU-seconds charged to the owner's credit, or answered in-process where the gateway says so. Where
 * a run's time goes is measured per batch: {@code plaza.model.runs.load} (the plaza reading the weights, when not
 * cached), {@code plaza.model.runs.inference} (tag {@code by}: {@code fleet} or {@code plaza}) and, for the fleet, the
 * part of it that was not the worker's compute, {@code plaza.model.runs.fleet.wait} (queue, transfer, cold start).
 */
@Service
class OwnModelRuns implements ModelRuns {

    /** A choice list, not a catalogue: members with more models pick among their newest. */
    private static final int MAX_LISTED = 100;

    private final ModelService models;
    private final ModelPredictions predictions;
    private final ModelCardValidator validator = new ModelCardValidator();
    private final Timer load;
    private final Timer onFleet;
    private final Timer inProcess;
    private final Timer fleetWait;

    OwnModelRuns(ModelService models, ModelPredictions predictions, MeterRegistry meters) {
        this.models = models;
        this.predictions = predictions;
        this.load = Timer.builder("plaza.model.runs.load").description("Reading a run's weights on the plaza").register(meters);
        this.onFleet = Timer.builder("plaza.model.runs.inference").tag("by", "fleet")
                .description("A run's batch answered by a serving worker").register(meters);
        this.inProcess = Timer.builder("plaza.model.runs.inference").tag("by", "plaza")
                .description("A run's batch answered by the plaza in-process").register(meters);
        this.fleetWait = Timer.builder("plaza.model.runs.fleet.wait")
                .description("A served batch's time beyond the worker's compute: queue, transfer, cold start").register(meters);
    }

    @Override
    public List<RunnableModel> runnableBy(long ownerId, Input input) {
        return models.ownedWithWeights(ownerId, null, MAX_LISTED).stream()
                .flatMap(m -> runnable(m).filter(r -> r.input() == input).stream())
                .toList();
    }

    @Override
    public Optional<RunnableModel> runnable(long modelId, long ownerId, Input input) {
        return models.ownedWithWeights(ownerId, modelId, 1).stream().findFirst().flatMap(this::runnable)
                .filter(r -> r.input() == input);
    }

    @Override
    public void requireCredit(long ownerId) {
        predictions.requireOwnerRunCredit(ownerId);
    }

    @Override
    public Run open(long modelId, long ownerId) {
        ModelService.OwnedModel owned = models.ownedWithWeights(ownerId, modelId, 1).stream().findFirst()
                .orElseThrow(NotFoundException::new);
        RunnableModel runnable = runnable(owned)
                .orElseThrow(() -> new UserFacingException("modelId", "model.run.error.not-table"));
        return new Run() {
            @Override
            public RunnableModel model() {
                return runnable;
            }

            @Override
            public List<Predicted> predict(List<Map<String, String>> records) {
                return predicted(predictions.runForOwner(owned.id(), owned.model(), ownerId, records));
            }

            @Override
            public List<Predicted> predictImages(List<BufferedImage> pictures) {
                if (runnable.image() == null) {
                    throw new UserFacingException("modelId", "model.predict.error.not-image");
                }
                return predicted(predictions.runImagesForOwner(owned.id(), owned.model(), ownerId, pictures));
            }

            private List<Predicted> predicted(ModelPredictions.OwnerBatch batch) {
                measure(batch);
                return batch.outcomes().stream()
                        .map(o -> new Predicted(o.label(), o.value(), probabilities(o, runnable.classes())))
                        .toList();
            }
        };
    }

    private void measure(ModelPredictions.OwnerBatch batch) {
        load.record(nanos(batch.loadMs()));
        if (batch.served() == null) {
            inProcess.record(nanos(batch.inferenceMs()));
            return;
        }
        onFleet.record(nanos(batch.inferenceMs()));
        fleetWait.record(nanos(Math.max(0, batch.inferenceMs() - batch.served().gpuSeconds() * 1000)));
    }

    private static Duration nanos(double ms) {
        return Duration.ofNanos(Math.round(ms * 1e6));
    }

    private static List<Double> probabilities(ModelPredictions.Outcome outcome, List<String> classes) {
        if (classes.isEmpty()) {
            return List.of();
        }
        Map<String, Double> byClass = new HashMap<>();
        outcome.top().forEach(c -> byClass.put(c.label(), c.probability()));
        return classes.stream().map(c -> byClass.getOrDefault(c, 0.0)).toList();
    }

    /**
     * The model as one that runs on table records or on images, when its card says how (a trained model's card does,
     * and so does an image card's input shape).
     */
    private Optional<RunnableModel> runnable(ModelService.OwnedModel owned) {
        ModelCard card = validator.parse(owned.model().cardJson());
        List<String> classes = card.isClassification() ? card.classes() : List.of();
        return card.inputPreprocessing().map(p -> p.forImages()
                ? new RunnableModel(owned.id(), owned.title(), List.of(), classes,
                        new ImageInput(p.image().height(), p.image().width(), p.image().channels()))
                : new RunnableModel(owned.id(), owned.title(),
                        p.columns().stream().map(Preprocessing.Column::name).toList(), classes, null));
    }
}
