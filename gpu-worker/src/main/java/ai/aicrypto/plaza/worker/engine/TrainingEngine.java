package ai.aicrypto.plaza.worker.engine;

import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.model.ModelSpec;

import java.io.IOException;

/**
 * Trains a model card's network on shard data. Implementations are deterministic for a given seed: seeded
 * initialisation ({@link ParameterInit}), seeded shuffling ({@link ai.aicrypto.plaza.worker.data.BatchStream})
 * and seeded dropout masks ({@link DropoutMasks}), shared by every engine; and they resume from a {@link Checkpoint}
 * exactly: on the same engine, epoch k trained from checkpoint k-1 gives the same checkpoint k as an uninterrupted run.
 */
public interface TrainingEngine {

    /** Short engine id: {@code cpu} (DJL/PyTorch), {@code gpu} (JCuda), {@code reference} (plain Java). */
    String id();

    /** Human-readable description (library versions, device). */
    String description();

    /**
     * Whether this engine can train the card's network. Dense networks train on every engine; a cnn needs conv kernels
     * ({@link #hasConvKernels}) and a fasttext classifier an embedding bag, which only the CPU engine (DJL/PyTorch) has
     * so far: the worker trains such a card there instead.
     */
    default boolean trains(ModelSpec spec) {
        return !spec.isText() && (!spec.isConvolutional() || hasConvKernels());
    }

    /** Whether this engine has conv, pooling and batch norm kernels, and so trains cnn cards. */
    default boolean hasConvKernels() {
        return false;
    }

    /**
     * Trains epochs {@code start.epoch() + 1} to {@code lastEpoch}; the model's history holds those epochs only.
     *
     * @param start the state to resume from, or null to start from checkpoint 0 ({@link Checkpoint#initial})
     * @throws TrainingCancelledException when the listener asks to cancel (checked between mini-batches)
     */
    TrainedModel train(ModelSpec spec, TrainingData data, Checkpoint start, int lastEpoch, TrainingListener listener)
            throws IOException;

    /** Trains every epoch of the card from scratch. */
    default TrainedModel train(ModelSpec spec, TrainingData data, TrainingListener listener) throws IOException {
        return train(spec, data, null, spec.hyperparameters().epochs(), listener);
    }
}
