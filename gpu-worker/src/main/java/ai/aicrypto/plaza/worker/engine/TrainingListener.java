package ai.aicrypto.plaza.worker.engine;

import java.io.IOException;

/** Progress callbacks and cancellation; called on the training thread. */
public interface TrainingListener {

    TrainingListener NONE = new TrainingListener() {
    };

    default void onEpoch(EpochMetrics metrics) {
    }

    /**
     * The training state: checkpoint 0 when training starts from scratch, then the checkpoint of every epoch, right after
     * its {@link #onEpoch}.
     */
    default void onCheckpoint(Checkpoint checkpoint) throws IOException {
    }

    /** Polled between mini-batches; returning true stops training with {@link TrainingCancelledException}. */
    default boolean isCancelled() {
        return false;
    }
}
