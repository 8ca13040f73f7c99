package ai.aicrypto.plaza.compute;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * @param maxWeightsSize largest weights upload accepted with a result
 * @param verification   how far a worker's claimed metrics may be from what the app measures
 * @param escrow         how jobs are paid through the JobEscrow contract when the chain has one
 */
@ConfigurationProperties("plaza.compute")
public record ComputeProperties(DataSize maxWeightsSize, Verification verification, Escrow escrow) {

    public ComputeProperties {
        escrow = escrow == null ? new Escrow(null, null, null, null) : escrow;
    }

    /**
     * @param depositWait    how long a job waits for its confirmed deposit before it is cancelled
     * @param reclaimAfter   the escrow timeout a deposit is made with: from then on the requester may
     *                       take back a budget the plaza has neither paid out nor refunded. It covers
     *                       queueing, every attempt and the audit; between 1 hour and 90 days (the
     *                       contract's bounds)
     * @param settleInterval how often recorded settlements are executed on-chain
     * @param leaseMargin    a job is leased only while at least this much time is left before its
     *                       deposit can be reclaimed (to train, verify and settle); a queued job past
     *                       that is cancelled and refunded. At most half of {@code reclaimAfter}
     */
    public record Escrow(java.time.Duration depositWait, java.time.Duration reclaimAfter, java.time.Duration settleInterval,
                         java.time.Duration leaseMargin) {

        public Escrow {
            depositWait = depositWait == null ? java.time.Duration.ofMinutes(30) : depositWait;
            reclaimAfter = reclaimAfter == null ? java.time.Duration.ofDays(7) : reclaimAfter;
            settleInterval = settleInterval == null ? java.time.Duration.ofSeconds(10) : settleInterval;
            if (reclaimAfter.compareTo(java.time.Duration.ofHours(1)) < 0 || reclaimAfter.compareTo(java.time.Duration.ofDays(90)) > 0) {
                throw new IllegalArgumentException("plaza.compute.escrow.reclaim-after must be between 1 hour and 90 days");
            }
            leaseMargin = leaseMargin == null ? java.time.Duration.ofDays(1) : leaseMargin;
            if (leaseMargin.multipliedBy(2).compareTo(reclaimAfter) > 0) {
                leaseMargin = reclaimAfter.dividedBy(2);
            }
        }
    }

    /**
     * @param accuracyTolerance    how far below the claimed accuracy the held-out accuracy may be
     * @param minAccuracyOverChance how far above chance (1 / classes) the held-out accuracy must be
     * @param lossTolerance        regression: how far (relative) above the claimed loss the held-out loss may be
     * @param auditComputeShare    share of the training compute spent on audits: a job of E epochs has one of
     *                             them re-run by another provider's worker with probability min(1, share x E)
     * @param auditTolerance       how far the auditor's parameters after the epoch may be from the original's, as a
     *                             share of how far the original's moved during that epoch
     * @param auditWait            how long an audit may wait for another worker before it is dropped
     */
    public record Verification(double accuracyTolerance, double minAccuracyOverChance, double lossTolerance,
                               double auditComputeShare, double auditTolerance, java.time.Duration auditWait) {
    }
}
