package ai.aicrypto.plaza.compute;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * @param maxWeightsSize largest weights upload accepted with a result
 * @param verification   how far a worker's claimed metrics may be from what the app measures
 */
@ConfigurationProperties("plaza.compute")
public record ComputeProperties(DataSize maxWeightsSize, Verification verification) {

    /**
     * @param accuracyTolerance    how far below the claimed accuracy the held-out accuracy may be
     * @param minAccuracyOverChance how far above chance (1 / classes) the held-out accuracy must be
     * @param lossTolerance        regression: how far (relative) above the claimed loss the held-out loss may be
     * @param auditFraction        share of jobs trained again by another worker and compared before payment
     * @param auditTolerance       how far the audit's held-out accuracy (regression: loss, relative) may be from the original's
     * @param auditWait            how long an audit may wait for another worker before it is dropped
     */
    public record Verification(double accuracyTolerance, double minAccuracyOverChance, double lossTolerance,
                               double auditFraction, double auditTolerance, java.time.Duration auditWait) {
    }
}
