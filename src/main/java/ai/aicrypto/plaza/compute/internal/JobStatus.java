package ai.aicrypto.plaza.compute.internal;

import java.util.EnumSet;
import java.util.Set;

/**
 * A training job's life ({@code training_jobs.status}); {@link JobQueue} is the only writer. A job
 * paid through JobEscrow waits in AWAITING_DEPOSIT until its deposit is confirmed, then is QUEUED,
 * LEASED to a worker (back to QUEUED when a lease is lost), and ends SUCCEEDED (verified; VERIFYING
 * while an audit re-runs one of its epochs, and an audit that disagreed while a second audit decides),
 * FAILED, or CANCELLED (by the requester, an unfunded or refused
 * deposit, or an escrow the requester reclaimed). A verified job paid through JobEscrow is SETTLING
 * until the provider's payment is confirmed on-chain: the requester sees the verified metrics, and the
 * weights are handed over when it becomes SUCCEEDED (back to SETTLING, weights withheld again, if a
 * reorganisation drops the payment).
 */
public enum JobStatus {
    AWAITING_DEPOSIT, QUEUED, LEASED, VERIFYING, SETTLING, SUCCEEDED, FAILED, CANCELLED;

    /** Statuses a requester may still cancel from: nothing has been delivered or judged yet. */
    public static final Set<JobStatus> CANCELLABLE = EnumSet.of(AWAITING_DEPOSIT, QUEUED, LEASED);

    boolean ended() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
