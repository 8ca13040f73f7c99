package ai.aicrypto.plaza.compute;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Optional;

/**
 * Training pools: one JobEscrow deposit from an owner's wallet that pays the training jobs of other members (a data
 * competition's host paying for each submission's training), part by part as a sweep's deposit pays its trials. The
 * owner deposits the whole pool from the browser's wallet (the deposit steps under /pools/{id}/deposit); jobs draw
 * from it only once the chain confirmed that deposit; what is left goes back to the owner after the pool closes.
 */
public interface TrainingPools {

    /** Whether jobs are paid through JobEscrow here, so that paid work for others needs a funded pool. */
    boolean required();

    /**
     * Records a pool awaiting its deposit, in the caller's transaction.
     *
     * @param closesAt when the pool stops taking jobs; what is left is refunded once its jobs have ended
     * @throws ai.aicrypto.plaza.platform.UserFacingException when the deposit could not last until then (field {@code field})
     */
    long open(long ownerId, BigDecimal jobBudgetAic, int jobCount, Instant closesAt, String field);

    Optional<Pool> find(long poolId);

    /**
     * Queues a job paid from the pool, capped at the pool's budget per job, in the caller's transaction (the pool's row
     * locked, so two jobs cannot both take its last share).
     *
     * @throws ai.aicrypto.plaza.platform.UserFacingException when the pool is not funded, has closed or cannot cover another job
     */
    long submit(long poolId, TrainingJobs.JobRequest request);

    /** The pool closes earlier (its competition was closed early); later never. */
    void closeBy(long poolId, Instant closesAt);

    /**
     * @param committedAic what its jobs have taken: the budget of each job not ended, the cost paid for each ended one
     * @param depositPending whether a deposit the owner's wallet sent awaits the chain
     * @param refusedDeposit why the owner's latest refused deposit was refused (too-little, too-short, funded-already)
     *                       while it is being sent back; null when none is
     */
    record Pool(long id, long ownerId, BigDecimal jobBudgetAic, int jobs, Instant closesAt, Status status,
                BigDecimal committedAic, boolean depositPending, String refusedDeposit) {

        public BigDecimal totalAic() {
            return jobBudgetAic.multiply(BigDecimal.valueOf(jobs));
        }

        public BigDecimal leftAic() {
            return status == Status.FUNDED ? totalAic().subtract(committedAic) : BigDecimal.ZERO;
        }

        /** What is left as a page shows it: at most 4 decimals, rounded down. */
        public String leftShown() {
            return leftAic().setScale(4, RoundingMode.DOWN).stripTrailingZeros().toPlainString();
        }

        /** How many more jobs the pool covers at its full budget per job. */
        public int jobsLeft() {
            return leftAic().divide(jobBudgetAic, 0, RoundingMode.DOWN).intValue();
        }

        public boolean funded() {
            return status == Status.FUNDED;
        }
    }

    enum Status { AWAITING_DEPOSIT, FUNDED, REFUNDED, RECLAIMED }
}
