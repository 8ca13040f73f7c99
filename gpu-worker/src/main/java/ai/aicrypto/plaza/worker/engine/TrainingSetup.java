package ai.aicrypto.plaza.worker.engine;

import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.model.ModelSpec;

import java.io.IOException;

/** Checks that a dataset (and a checkpoint to resume from) fits a model spec before an engine starts. */
public final class TrainingSetup {

    private TrainingSetup() {
    }

    public static void validate(ModelSpec spec, TrainingData data) {
        if (data.task() != spec.task()) {
            throw new IllegalArgumentException("the card is for " + spec.task().jsonName() + " but the shards hold " + data.task().jsonName() + " labels");
        }
        if (spec.expectedFeatures() > 0 && spec.expectedFeatures() != data.featureCount()) {
            throw new IllegalArgumentException("the card expects " + spec.expectedFeatures() + " features, the shards have " + data.featureCount());
        }
        if (!data.classes().isEmpty() && data.classes().size() != spec.outputSize()) {
            throw new IllegalArgumentException("the card has " + spec.outputSize() + " classes, the shards " + data.classes().size());
        }
        if (data.rows() == 0) throw new IllegalArgumentException("the dataset is empty");
    }

    /**
     * Validates the data and the run, then returns the state training starts from: {@code start}, or checkpoint 0,
     * which the listener is then given.
     */
    public static Checkpoint begin(ModelSpec spec, TrainingData data, Checkpoint start, int lastEpoch, TrainingListener listener)
            throws IOException {
        validate(spec, data);
        Checkpoint from = start != null ? start : Checkpoint.initial(spec, data.featureCount());
        from.requireFits(spec, data.featureCount());
        if (lastEpoch <= from.epoch() || lastEpoch > spec.hyperparameters().epochs()) {
            throw new IllegalArgumentException("cannot train from checkpoint " + from.epoch() + " to epoch " + lastEpoch + " of "
                    + spec.hyperparameters().epochs());
        }
        if (start == null) listener.onCheckpoint(from);
        return from;
    }

    /** Checks a batch's class indices against the output width. */
    public static void checkLabels(int[] classes, int n, int outputSize) {
        for (int i = 0; i < n; i++) {
            if (classes[i] < 0 || classes[i] >= outputSize) {
                throw new IllegalArgumentException("label " + classes[i] + " out of range for " + outputSize + " classes");
            }
        }
    }
}
