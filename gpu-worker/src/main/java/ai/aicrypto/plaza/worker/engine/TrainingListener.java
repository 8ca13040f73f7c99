package ai.aicrypto.plaza.worker.engine;

/** Progress callbacks and cancellation; called on the training thread. */
public interface TrainingListener {

    TrainingListener NONE = new TrainingListener() {
    };

    default void onEpoch(EpochMetrics metrics) {
    }

    /** Polled between mini-batches; returning true stops training with {@link TrainingCancelledException}. */
    default boolean isCancelled() {
        return false;
    }
}
