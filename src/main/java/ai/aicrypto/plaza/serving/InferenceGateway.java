package ai.aicrypto.plaza.serving;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;

import ai.aicrypto.plaza.platform.Aic;
import ai.aicrypto.plaza.platform.UserFacingException;

/**
 * The plaza's gateway to the serving workers of the GPU fleet: a model's encoded rows go to a worker that has the model
 * loaded (else to one that loads it: a cold start), through a bounded queue per worker, with a timeout per attempt and
 * one retry on another worker. The caller (the model module) authenticates, encodes, meters and charges; the gateway
 * only routes and measures.
 */
public interface InferenceGateway {

    /**
     * Runs {@code rowCount} rows of {@code model.inputWidth()} floats (row-major) on a serving worker whose price is at
     * most {@code maxPricePerGpuSecondAic} (the {@link ServingBound} the caller's credit was checked against: a dearer
     * worker that came online since is not chosen).
     *
     * @return empty when no serving worker could answer and {@link ServingProperties#fallback()} lets the plaza answer
     * in-process
     * @throws Saturated   every online worker's queue is full (answered 429 with Retry-After)
     * @throws Unavailable no worker answered and there is no fallback (answered 503 with Retry-After)
     */
    Optional<Served> run(ModelToServe model, float[] rows, int rowCount, BigDecimal maxPricePerGpuSecondAic);

    /**
     * Runs the rows again on a worker of another provider than {@code notProviderId}, to check an answer: one attempt,
     * never in-process, nothing charged.
     *
     * @return empty when no such worker is online or it did not answer in time
     */
    Optional<Served> shadow(ModelToServe model, float[] rows, int rowCount, long notProviderId);

    /**
     * Fails a worker whose answer the plaza found wrong: nothing more is routed to it, and a {@link ServingWorkerRejected}
     * event lets the compute module count it against the worker's record as a rejected result.
     */
    void reject(long workerId, long modelId, String reason);

    /**
     * The most a call can be charged for serving now, whoever serves it: the highest price of an online serving worker,
     * for the time two attempts may take. Checked against the caller's credit before any work, and passed to
     * {@link #run} as the highest price it may route to.
     */
    ServingBound servingBound();

    /** {@code costWei}: {@code pricePerGpuSecondAic} for two attempts' time, rounded up; zero when no worker serves. */
    record ServingBound(BigDecimal pricePerGpuSecondAic, BigInteger costWei) {
    }

    /**
     * A model as a worker loads it.
     *
     * @param key        names the weights and the card stored with them (a new upload is a new key)
     * @param inputWidth  floats per encoded row
     * @param outputWidth floats per answered row (the card's classes, at least 2, or its targets): an answer of another
     *                    width is refused, not read as other classes and charged
     * @param weights     the decrypted weights, opened only when a worker loads the model
     */
    record ModelToServe(String key, long modelId, String cardJson, int inputWidth, int outputWidth, WeightsSource weights) {
    }

    interface WeightsSource {
        InputStream open() throws IOException;
    }

    /**
     * A worker's answer: {@code outputs} is {@code rowCount x width}, row-major, as the model's family gives them (a
     * network's logits, trees' probabilities or values).
     *
     * @param gpuSeconds            the worker's compute time for these rows, at most what the gateway measured
     * @param pricePerGpuSecondAic  the serving offer's price
     */
    record Served(float[] outputs, int width, long workerId, long providerId, boolean coldStart, double gpuSeconds,
                  BigDecimal pricePerGpuSecondAic) {

        /** What the caller pays the provider, in wei, rounded up to a whole wei; 0 at price 0. */
        public BigInteger costWei() {
            if (pricePerGpuSecondAic.signum() == 0 || gpuSeconds <= 0) {
                return BigInteger.ZERO;
            }
            BigDecimal wei = new BigDecimal(Aic.toWei(pricePerGpuSecondAic)).multiply(BigDecimal.valueOf(gpuSeconds));
            return wei.setScale(0, java.math.RoundingMode.CEILING).toBigIntegerExact();
        }
    }

    /** Every serving worker's queue is full: try again after {@code retryAfterSeconds}. */
    final class Saturated extends UserFacingException {

        public Saturated() {
            super(null, "serving.error.saturated");
        }
    }

    /** No serving worker answered, and the plaza does not answer in-process. */
    final class Unavailable extends UserFacingException {

        public Unavailable() {
            super(null, "serving.error.unavailable");
        }
    }
}
