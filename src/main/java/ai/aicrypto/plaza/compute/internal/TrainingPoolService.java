package ai.aicrypto.plaza.compute.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainLog;
import ai.aicrypto.plaza.chain.ChainLogQuarantine;
import ai.aicrypto.plaza.chain.ChainSends;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.compute.ComputeProperties;
import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.compute.TrainingPools;
import ai.aicrypto.plaza.platform.Aic;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * {@link TrainingPools} on JobEscrow, with the sweep's shared-deposit mechanism: a pool's jobs name the pool as the
 * deposit that pays them ({@code escrow_job_id}), so {@link JobDeposits}, the lease's deadline check and
 * {@link EscrowSettlements} (each job's cost released to its provider) treat them as a sweep's trials. What differs:
 * the depositor is the pool's owner, not the jobs' requester; a job that ends unpaid leaves its budget in the pool (no
 * refund of the deposit per job); and the rest is refunded to the owner once the pool has closed and every job it paid
 * has ended and been settled. The only writer of {@code training_pools}.
 */
@Service
public class TrainingPoolService implements TrainingPools {

    private static final Logger log = LoggerFactory.getLogger(TrainingPoolService.class);
    /** JobEscrow's longest deposit timeout. */
    static final Duration MAX_TIMEOUT = Duration.ofDays(90);
    /** How far the chain's block times and the database's clock may disagree (block times are whole seconds). */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(10);

    private final JdbcClient jdbc;
    private final JobQueue queue;
    private final Chain chain;
    private final ChainSends sends;
    private final Accounts accounts;
    private final ChainLogQuarantine quarantine;
    private final ComputeProperties properties;
    private final Clock clock;

    TrainingPoolService(JdbcClient jdbc, JobQueue queue, Chain chain, ChainSends sends, Accounts accounts,
                        ChainLogQuarantine quarantine, ComputeProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.queue = queue;
        this.chain = chain;
        this.sends = sends;
        this.accounts = accounts;
        this.quarantine = quarantine;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public boolean required() {
        return chain.enabled() && chain.contracts().jobsPaidOnChain();
    }

    @Override
    @Transactional
    public long open(long ownerId, BigDecimal jobBudgetAic, int jobCount, Instant closesAt, String field) {
        if (jobBudgetAic == null || jobBudgetAic.signum() <= 0 || jobBudgetAic.scale() > 18) {
            throw new UserFacingException(field, "pool.error.budget");
        }
        if (jobCount < 1 || jobCount > 10_000) {
            throw new UserFacingException(field, "pool.error.jobs", 10_000);
        }
        // The deposit must last until the pool closes, then as long as a job's deposit does, within the escrow's bound.
        Duration lasts = Duration.between(clock.instant(), closesAt).plus(properties.escrow().reclaimAfter());
        if (lasts.compareTo(MAX_TIMEOUT) > 0) {
            throw new UserFacingException(field, "pool.error.too-long",
                    MAX_TIMEOUT.minus(properties.escrow().reclaimAfter()).toDays());
        }
        return jdbc.sql("INSERT INTO training_pools (owner_id, job_budget_aic, jobs, closes_at) VALUES (?, ?, ?, ?) RETURNING id")
                .params(ownerId, jobBudgetAic, jobCount, Timestamp.from(closesAt)).query(Long.class).single();
    }

    @Override
    @Transactional(readOnly = true)
    public Optional<Pool> find(long poolId) {
        return pool(poolId, "");
    }

    private Optional<Pool> pool(long poolId, String lock) {
        Optional<Pool> pool = jdbc.sql("""
                        SELECT id, owner_id, job_budget_aic, jobs, closes_at, status FROM training_pools WHERE id = ?""" + lock)
                .param(poolId)
                .query((rs, n) -> new Pool(rs.getLong(1), rs.getLong(2), rs.getBigDecimal(3), rs.getInt(4),
                        rs.getTimestamp(5).toInstant(), Status.valueOf(rs.getString(6)), BigDecimal.ZERO, false, null))
                .optional();
        // A job not ended holds its whole budget; an ended one what its provider is paid (capped at the budget, as the
        // release is), nothing when it ended unpaid. With it, in the same statement, the deposits' state.
        return pool.map(p -> jdbc.sql("""
                        SELECT (SELECT coalesce(sum(CASE WHEN j.status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN j.budget_aic
                                    ELSE coalesce((SELECT least(s.amount_aic, j.budget_aic) FROM settlements s
                                                   WHERE s.job_id = j.id AND s.kind = 'PAY_PROVIDER' AND s.state <> 'ABANDONED'), 0)
                                    END), 0)
                                FROM training_jobs j WHERE j.escrow_job_id = :pool),
                               EXISTS (SELECT 1 FROM job_deposits WHERE job_id = :pool AND status = 'PENDING'),
                               (SELECT reason FROM job_deposits WHERE pool_id = :pool AND status = 'REFUSED' ORDER BY id DESC LIMIT 1)""")
                .param("pool", poolId)
                .query((rs, n) -> new Pool(p.id(), p.ownerId(), p.jobBudgetAic(), p.jobs(), p.closesAt(), p.status(),
                        rs.getBigDecimal(1), rs.getBoolean(2), rs.getString(3)))
                .single());
    }

    @Override
    @Transactional
    public long submit(long poolId, TrainingJobs.JobRequest request) {
        Pool pool = pool(poolId, " FOR UPDATE").orElseThrow(() -> new UserFacingException(null, "pool.error.not-funded"));
        if (!pool.funded()) {
            throw new UserFacingException(null, "pool.error.not-funded");
        }
        if (!clock.instant().isBefore(pool.closesAt())) {
            throw new UserFacingException(null, "pool.error.closed");
        }
        if (pool.leftAic().compareTo(pool.jobBudgetAic()) < 0) {
            throw new UserFacingException(null, "pool.error.spent", pool.jobs(), pool.totalAic().stripTrailingZeros().toPlainString());
        }
        long job = queue.submit(new TrainingJobs.JobRequest(request.requesterId(), request.datasetId(), request.modelId(),
                request.hyperparametersJson(), request.minMemoryMb(), request.offerId(), pool.jobBudgetAic(), request.parentModelId()));
        // Paid from the pool's confirmed deposit: queued at once, as a sweep's trials are once their deposit is.
        jdbc.sql("UPDATE training_jobs SET escrow_job_id = ?, status = 'QUEUED', updated_at = now() WHERE id = ? AND status = 'AWAITING_DEPOSIT'")
                .params(poolId, job).update();
        return job;
    }

    @Override
    @Transactional
    public void closeBy(long poolId, Instant closesAt) {
        jdbc.sql("UPDATE training_pools SET closes_at = least(closes_at, ?) WHERE id = ?").params(Timestamp.from(closesAt), poolId)
                .update();
    }

    /** What the owner deposits for a pool awaiting its deposit, and for how long; anyone else is told there is none. */
    Optional<Deposit> awaitingDeposit(long userId, long poolId) {
        return jdbc.sql("SELECT job_budget_aic * jobs, closes_at, status FROM training_pools WHERE id = ? AND owner_id = ?")
                .params(poolId, userId)
                .query((rs, n) -> new Deposit(Aic.toWei(rs.getBigDecimal(1)),
                        Duration.between(clock.instant(), rs.getTimestamp(2).toInstant()).plus(properties.escrow().reclaimAfter()),
                        Status.valueOf(rs.getString(3)) == Status.AWAITING_DEPOSIT))
                .optional();
    }

    /** @param awaiting whether the pool still awaits its deposit */
    record Deposit(BigInteger amount, Duration timeout, boolean awaiting) {
    }

    /** Whether a pool has this id (the escrow id a deposit names). */
    boolean exists(long poolId) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM training_pools WHERE id = ?)").param(poolId).query(Boolean.class).single();
    }

    /**
     * A confirmed deposit under a pool's id. Only the owner's deposit of the whole pool, reclaimable no earlier than the
     * pool's close plus a job's deposit time, funds it. Another deposit from the owner's own wallets is refused and sent
     * back by the next refund round, and a pool still awaiting its deposit takes a new id: the escrow takes one deposit
     * per wallet and id, ever, so under the old one the owner's wallet could never fund it. A deposit from any other
     * wallet is quarantined and changes nothing (its depositor can reclaim it after its deadline).
     */
    void funded(ChainLog.JobFunded funded) {
        record Row(long ownerId, BigDecimal totalAic, Instant closesAt, String status) {
        }
        Row pool = jdbc.sql("SELECT owner_id, job_budget_aic * jobs, closes_at, status FROM training_pools WHERE id = ? FOR UPDATE")
                .param(funded.jobId())
                .query((rs, n) -> new Row(rs.getLong(1), rs.getBigDecimal(2), rs.getTimestamp(3).toInstant(), rs.getString(4)))
                .single();
        if (!accounts.wallets(pool.ownerId()).contains(funded.requester())) {
            quarantine.add(funded, "deposited from " + funded.requester() + ", a wallet not linked to the pool's owner; "
                    + "the pool is not affected, the depositor can reclaim it after its deadline");
            return;
        }
        String refused = null; // the reason, as the last part of its message key
        if (!pool.status().equals(Status.AWAITING_DEPOSIT.name())) {
            refused = "funded-already";
        } else if (funded.budget().compareTo(Aic.toWei(pool.totalAic())) < 0) {
            refused = "too-little";
        } else if (Instant.ofEpochSecond(funded.deadline())
                .isBefore(pool.closesAt().plus(properties.escrow().reclaimAfter()).minus(CLOCK_SKEW))) {
            refused = "too-short";
        }
        jdbc.sql("""
                        INSERT INTO job_deposits (job_id, pool_id, wallet, tx_hash, status, reason, amount_wei, log_index, settled_at,
                                                  reclaimable_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, now(), ?)
                        ON CONFLICT (tx_hash) DO UPDATE SET job_id = EXCLUDED.job_id, wallet = EXCLUDED.wallet, status = EXCLUDED.status,
                            reason = EXCLUDED.reason, pool_id = EXCLUDED.pool_id, amount_wei = EXCLUDED.amount_wei, log_index = EXCLUDED.log_index, settled_at = now(),
                            reclaimable_at = EXCLUDED.reclaimable_at, return_tx_hash = NULL""")
                .params(funded.jobId(), funded.jobId(), funded.requester(), funded.txHash(), refused == null ? "CONFIRMED" : "REFUSED",
                        refused, new BigDecimal(funded.budget()), funded.logIndex(),
                        Timestamp.from(Instant.ofEpochSecond(funded.deadline())))
                .update();
        if (refused != null) {
            log.info("Training pool {}: deposit {} of {} AIC from its owner refused ({}); it is sent back", funded.jobId(),
                    funded.txHash(), Aic.format(funded.budget()), refused);
            renumberAwaiting(funded.jobId());
            return;
        }
        jdbc.sql("UPDATE training_pools SET status = 'FUNDED' WHERE id = ?").param(funded.jobId()).update();
        // Jobs a reorganisation sent back to waiting (see JobDeposits) are queued again.
        queue.depositConfirmed(funded.jobId());
        log.info("Training pool {} funded with {} AIC from {}", funded.jobId(), Aic.format(funded.budget()), funded.requester());
    }

    /**
     * Gives a pool awaiting its deposit a new id, from the jobs' sequence as every pool's (its competition and its refused
     * deposits follow, ON UPDATE CASCADE). Not while anything else is under the old id: a deposit the browser reported
     * (it would arrive under an id no pool has) or a job a reorganisation sent back to waiting for the pool's deposit.
     */
    private void renumberAwaiting(long poolId) {
        Long renumbered = jdbc.sql("""
                        UPDATE training_pools SET id = nextval('training_jobs_id_seq')
                        WHERE id = ? AND status = 'AWAITING_DEPOSIT'
                          AND NOT EXISTS (SELECT 1 FROM job_deposits WHERE job_id = ? AND status IN ('PENDING', 'CONFIRMED'))
                          AND NOT EXISTS (SELECT 1 FROM training_jobs WHERE escrow_job_id = ?)
                        RETURNING id""")
                .params(poolId, poolId, poolId).query(Long.class).optional().orElse(null);
        if (renumbered != null) {
            log.info("Training pool {} awaits its deposit under the escrow id {} now", poolId, renumbered);
        }
    }

    /** A reorganisation dropped the pool's deposit: it takes no jobs until the deposit is confirmed again. */
    void depositDropped(long poolId) {
        jdbc.sql("UPDATE training_pools SET status = 'AWAITING_DEPOSIT' WHERE id = ? AND status = 'FUNDED'").param(poolId).update();
    }

    @Scheduled(fixedDelayString = "${plaza.compute.escrow.settle-interval:10s}")
    void refundEndedSoon() {
        sends.run("training-pool-refunds", this::refundEnded);
    }

    /**
     * Sends the refund of what is left in each pool that has closed, once every job it paid has ended and every payment
     * from it is settled (so the refund never overtakes a payment), and of each refused deposit; the pool is REFUNDED,
     * a refused deposit RETURNED, from the confirmed log.
     */
    synchronized void refundEnded() {
        if (!required()) {
            return;
        }
        record Due(long id, String wallet) {
        }
        List<Due> due = new ArrayList<>(jdbc.sql("""
                        SELECT p.id, d.wallet FROM training_pools p
                        JOIN job_deposits d ON d.job_id = p.id AND d.status = 'CONFIRMED'
                        WHERE p.status = 'FUNDED' AND p.closes_at <= ?
                          AND NOT EXISTS (SELECT 1 FROM training_jobs t WHERE t.escrow_job_id = p.id
                                            AND t.status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED'))
                          AND NOT EXISTS (SELECT 1 FROM settlements s JOIN training_jobs t ON t.id = s.job_id
                                          WHERE t.escrow_job_id = p.id AND s.kind = 'PAY_PROVIDER'
                                            AND s.state IN ('DUE', 'HELD_NO_WALLET'))
                        ORDER BY p.closes_at LIMIT 50""")
                .param(Timestamp.from(clock.instant()))
                .query((rs, n) -> new Due(rs.getLong(1), rs.getString(2))).list());
        // Deposits the owner's wallets made that did not fund their pool go back as well.
        due.addAll(jdbc.sql("SELECT job_id, wallet FROM job_deposits WHERE status = 'REFUSED' ORDER BY id LIMIT 50")
                .query((rs, n) -> new Due(rs.getLong(1), rs.getString(2))).list());
        for (Due pool : due) {
            try {
                if (chain.escrowedJob(pool.wallet(), pool.id()).status() == Chain.EscrowStatus.FUNDED) {
                    chain.refundJob(pool.wallet(), pool.id());
                } // else sent already: its log is on the way
            } catch (ChainUnavailableException e) {
                log.warn("Cannot refund training pools now: {}", e.getMessage());
                return;
            } catch (RuntimeException e) {
                log.warn("Refund of training pool {} to {} failed; trying again later: {}", pool.id(), pool.wallet(), e.getMessage());
            }
        }
    }

    /** The owner's deposit came back: the pool is over. */
    @ApplicationModuleListener
    void on(ChainLog.JobRefunded refunded) {
        ended(refunded.jobId(), refunded.requester(), Status.REFUNDED, refunded.txHash());
    }

    /** The owner took the deposit back after its deadline: the pool is over (its jobs end, see EscrowSettlements). */
    @ApplicationModuleListener
    void on(ChainLog.JobReclaimed reclaimed) {
        ended(reclaimed.jobId(), reclaimed.requester(), Status.RECLAIMED, reclaimed.txHash());
    }

    /** A reorganisation dropped a refund or a reclaim: the pool is funded again, a refused deposit due again. */
    @ApplicationModuleListener
    void on(ChainLog.Reverted reverted) {
        jdbc.sql("UPDATE training_pools SET status = 'FUNDED', refund_tx_hash = NULL WHERE refund_tx_hash = ?")
                .param(reverted.txHash()).update();
        jdbc.sql("UPDATE job_deposits SET status = 'REFUSED', return_tx_hash = NULL WHERE return_tx_hash = ? AND status = 'RETURNED'")
                .param(reverted.txHash()).update();
    }

    private void ended(long poolId, String depositor, Status status, String txHash) {
        jdbc.sql("UPDATE job_deposits SET status = 'RETURNED', return_tx_hash = ? WHERE job_id = ? AND wallet = ? AND status = 'REFUSED'")
                .params(txHash, poolId, depositor).update();
        jdbc.sql("""
                        UPDATE training_pools SET status = ?, refund_tx_hash = ? WHERE id = ? AND status = 'FUNDED'
                          AND EXISTS (SELECT 1 FROM job_deposits d WHERE d.job_id = ? AND d.wallet = ? AND d.status = 'CONFIRMED')""")
                .params(status.name(), txHash, poolId, poolId, depositor).update();
    }
}
