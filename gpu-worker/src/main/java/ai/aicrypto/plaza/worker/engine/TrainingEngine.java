package ai.aicrypto.plaza.worker.engine;

import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.model.ModelSpec;

import java.io.IOException;

/**
 * Trains a model card's network on shard data. Implementations are deterministic for a given seed: seeded
 * initialisation ({@link ParameterInit}), seeded shuffling ({@link ai.aicrypto.plaza.worker.data.BatchStream})
 * and seeded dropout masks ({@link DropoutMasks}), shared by every engine.
 */
public interface TrainingEngine {

    /** Short engine id: {@code cpu} (DJL/PyTorch), {@code gpu} (JCuda), {@code reference} (plain Java). */
    String id();

    /** Human-readable description (library versions, device). */
    String description();

    /**
     * @throws TrainingCancelledException when the listener asks to cancel (checked between mini-batches)
     */
    TrainedModel train(ModelSpec spec, TrainingData data, TrainingListener listener) throws IOException;
}
