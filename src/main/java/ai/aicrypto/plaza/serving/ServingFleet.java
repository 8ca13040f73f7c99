package ai.aicrypto.plaza.serving;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The serving workers' side of the gateway, for the worker API (which authenticates them). Workers connect outward
 * only: each long-polls with the answers of its last batch and gets the next one.
 */
public interface ServingFleet {

    /**
     * Takes a worker's answers and hands it the next calls: at once when the worker has no calls in hand or
     * {@link Poll#maxBatch()} rows are waiting, else once the first waiting row has waited {@link Poll#maxWaitMs()}
     * (dynamic batching while the worker is busy), else empty after the poll timeout.
     *
     * @throws RefusedResults when an answer does not fit the call it answers (then nothing of the poll is taken)
     */
    CompletableFuture<List<Assignment>> poll(ServingWorker worker, Poll poll);

    /**
     * A poll refused as a whole (its body unreadable, or an answer that does not fit its call): every call the worker
     * holds fails at once, so that each is retried on another worker and nothing is charged for it, and the worker gets
     * no call until it polls again.
     */
    void refuse(long workerId, String reason);

    /** The model a worker was sent a call of, for it to load; empty for a model never routed to this worker. */
    Optional<InferenceGateway.ModelToServe> modelFor(long workerId, String key);

    /** An authenticated worker of an offer that serves, with the offer's provider and price. */
    record ServingWorker(long workerId, long providerId, BigDecimal pricePerGpuSecondAic) {
    }

    /**
     * @param loaded  the models the worker holds in memory
     * @param results answers to calls it was handed
     */
    record Poll(int maxBatch, long maxWaitMs, Set<String> loaded, List<Result> results) {
    }

    /** {@code outputs}: rows x width; {@code seconds}: the worker's compute time; {@code error}: why it failed, else null. */
    record Result(long call, float[] outputs, int width, double seconds, String error) {
    }

    /** Answers that do not fit their calls: a broken or hostile worker's poll, refused whole ({@link #refuse}). */
    final class RefusedResults extends RuntimeException {
        public RefusedResults(String message) {
            super(message);
        }
    }

    /** A call to run: {@code rows} rows of {@code width} floats of the model named by {@code model}. */
    record Assignment(long call, String model, int width, int rows, float[] inputs) {
    }
}
