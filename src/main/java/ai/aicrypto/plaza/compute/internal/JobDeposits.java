package ai.aicrypto.plaza.compute.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainLog;
import ai.aicrypto.plaza.chain.ChainLogQuarantine;
import ai.aicrypto.plaza.chain.ChainProperties;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.compute.ComputeProperties;
import ai.aicrypto.plaza.compute.Settlement;
import ai.aicrypto.plaza.platform.Aic;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The requester's deposit of a job's budget into JobEscrow (or an owner's of a training pool, see
 * {@link TrainingPoolService}), from the browser's wallet in three steps
 * like a license purchase: the permit to sign (exactly the budget, spender the escrow), the
 * depositWithPermit calldata, and the sent transaction's hash (kept as a pending deposit). The job
 * leaves AWAITING_DEPOSIT only from a confirmed JobFunded log of the requester's own wallet (see
 * {@link #on(ChainLog.JobFunded)}). A job whose deposit is not confirmed within {@code depositWait}
 * is cancelled; a deposit confirmed after that is refunded; a queued job whose deposit comes close
 * to its reclaim deadline is cancelled and refunded. So no AIC stays in the escrow for a job that
 * will never run, and no job runs that its requester could stop paying for.
 */
@Service
public class JobDeposits {

    private static final Logger log = LoggerFactory.getLogger(JobDeposits.class);
    /** Long enough to sign in a wallet without hurry; short enough that a stale permit is useless. */
    private static final Duration PERMIT_LIFETIME = Duration.ofMinutes(20);
    /** How far the chain's block times and the database's clock may disagree (block times are whole seconds). */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(10);

    private final Chain chain;
    private final ChainProperties chainProperties;
    private final ComputeProperties properties;
    private final Accounts accounts;
    private final Settlement settlement;
    private final JobQueue jobs;
    private final ChainLogQuarantine quarantine;
    private final JdbcClient jdbc;
    private final Clock clock;
    private final TrainingPoolService pools;

    JobDeposits(Chain chain, ChainProperties chainProperties, ComputeProperties properties, Accounts accounts,
                Settlement settlement, JobQueue jobs, ChainLogQuarantine quarantine, JdbcClient jdbc, Clock clock,
                TrainingPoolService pools) {
        this.pools = pools;
        this.jobs = jobs;
        this.quarantine = quarantine;
        this.chain = chain;
        this.chainProperties = chainProperties;
        this.properties = properties;
        this.accounts = accounts;
        this.settlement = settlement;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** What a deposit pays for: a job's budget (a sweep's whole budget for its first trial), or a training pool. */
    public enum Kind { JOB, POOL }

    /** What the depositor deposits under an escrow id, and for how long. */
    private record Awaiting(BigInteger amount, Duration timeout) {
    }

    /** Step 1: what the depositor's wallet signs. Checks the job or pool, the wallet and the balance first. */
    public Permit permit(long userId, Kind kind, long id, String walletAddress) {
        BigInteger budget = awaiting(userId, kind, id).amount();
        String wallet = ownWallet(userId, walletAddress);
        // The escrow takes one deposit per wallet and id, ever: another would revert. (A refused deposit gives the pool a
        // new id, unless something else was under the old one.)
        if (kind == Kind.POOL && chain.escrowedJob(wallet, id).status() != Chain.EscrowStatus.NONE) {
            throw new UserFacingException(null, "pool.error.deposit-held");
        }
        BigInteger balance = chain.aicBalance(wallet);
        if (balance.compareTo(budget) < 0) {
            throw new UserFacingException(null, "job.deposit.error.insufficient-aic", Aic.format(balance), Aic.format(budget));
        }
        long deadline = clock.instant().plus(PERMIT_LIFETIME).getEpochSecond();
        return new Permit(chain.permitTypedData(wallet, chain.contracts().jobEscrow(), budget, deadline), deadline, budget);
    }

    /** Step 2: the depositWithPermit transaction for the signed permit. */
    public Transaction transaction(long userId, Kind kind, long id, String permitDeadline, String signature) {
        Awaiting awaiting = awaiting(userId, kind, id);
        if (signature == null || !signature.matches("0x[0-9a-fA-F]{130}")) {
            throw new UserFacingException(null, "job.deposit.error.signature");
        }
        long deadline = permitDeadline == null || !permitDeadline.matches("\\d{1,18}") ? 0 : Long.parseLong(permitDeadline);
        if (deadline <= clock.instant().getEpochSecond()) {
            throw new UserFacingException(null, "job.deposit.error.permit-expired");
        }
        return new Transaction(chain.contracts().jobEscrow(), chain.depositWithPermitCall(id, awaiting.amount(),
                awaiting.timeout().toSeconds(), deadline, signature));
    }

    /** Step 3: the browser sent the deposit; it shows as pending until the chain decides. */
    @Transactional
    public void sent(long userId, Kind kind, long id, String walletAddress, String txHash) {
        if (kind == Kind.JOB) {
            requesterJob(userId, id);
        } else {
            pools.awaitingDeposit(userId, id).orElseThrow(NotFoundException::new);
        }
        String wallet = ownWallet(userId, walletAddress);
        if (txHash == null || !txHash.matches("0x[0-9a-fA-F]{64}")) {
            throw new UserFacingException(null, "job.deposit.error.tx-hash");
        }
        // The log may have been confirmed (and the row written) before the browser reported it. Only the chain's log says
        // whose deposit a transaction is (the confirmation writes the job and wallet it names, review L2): a hash another
        // member reported first is left to the chain, and only one the chain confirmed for another job is refused.
        int inserted = jdbc.sql("""
                        INSERT INTO job_deposits (job_id, wallet, tx_hash, status, created_at) VALUES (?, ?, ?, 'PENDING', ?)
                        ON CONFLICT (tx_hash) DO NOTHING""")
                .params(id, wallet, txHash.toLowerCase(Locale.ROOT), Timestamp.from(clock.instant())).update();
        if (inserted == 0 && jdbc.sql("SELECT job_id <> ? AND status = 'CONFIRMED' FROM job_deposits WHERE tx_hash = ?")
                .params(id, txHash.toLowerCase(Locale.ROOT)).query(Boolean.class).single()) {
            throw new UserFacingException(null, "job.deposit.error.tx-hash");
        }
    }

    private Awaiting awaiting(long userId, Kind kind, long id) {
        if (kind == Kind.JOB) {
            return new Awaiting(awaitingBudget(userId, id), properties.escrow().reclaimAfter());
        }
        TrainingPoolService.Deposit pool = pools.awaitingDeposit(userId, id).orElseThrow(NotFoundException::new);
        if (!chain.enabled() || !chain.contracts().jobsPaidOnChain()) {
            throw new UserFacingException(null, "job.deposit.error.no-chain");
        }
        if (!pool.awaiting()) {
            throw new UserFacingException(null, "pool.error.funded-already");
        }
        if (pool.timeout().compareTo(TrainingPoolService.MAX_TIMEOUT) > 0) {
            throw new UserFacingException(null, "pool.error.too-long",
                    TrainingPoolService.MAX_TIMEOUT.minus(properties.escrow().reclaimAfter()).toDays());
        }
        return new Awaiting(pool.amount(), pool.timeout());
    }

    /** The latest deposit attempt of a job, if any. */
    @Transactional(readOnly = true)
    public Optional<Deposit> latest(long jobId) {
        return jdbc.sql("SELECT tx_hash, status, reason FROM job_deposits WHERE job_id = ? ORDER BY created_at DESC, id DESC LIMIT 1")
                .param(jobId)
                .query((rs, n) -> new Deposit(rs.getString(1), rs.getString(2), rs.getString(3)))
                .optional();
    }

    /** How long a deposit may take before the job is cancelled, and when the requester may reclaim it. */
    public ComputeProperties.Escrow terms() {
        return properties.escrow();
    }

    /**
     * A confirmed deposit. Only the requester's own deposit counts: one from a wallet not linked to
     * the requester, for a job that does not exist, or a second one for a job already funded, is
     * quarantined and changes nothing (its depositor can reclaim it from the escrow after its
     * deadline; the escrow keys deposits by depositor, so it blocks nobody). The requester's deposit
     * queues the job when it covers the budget and cannot be reclaimed before the job had
     * {@code reclaimAfter} to run (measured from the job's creation, before which no deposit for it
     * can have been made); otherwise the job is cancelled and the deposit refunded.
     */
    @ApplicationModuleListener
    void on(ChainLog.JobFunded funded) {
        record Job(long requesterId, String status, BigDecimal budgetAic, Instant createdAt, Long escrowJobId) {
        }
        Optional<Job> job = jdbc.sql("""
                        SELECT j.requester_id, j.status, CASE WHEN j.escrow_job_id IS NULL THEN j.budget_aic ELSE s.budget_aic END,
                               j.created_at, j.escrow_job_id
                        FROM training_jobs j LEFT JOIN training_sweeps s ON s.id = j.sweep_id WHERE j.id = ? FOR UPDATE OF j""")
                .param(funded.jobId())
                .query((rs, n) -> new Job(rs.getLong(1), rs.getString(2), rs.getBigDecimal(3), rs.getTimestamp(4).toInstant(),
                        (Long) rs.getObject(5)))
                .optional();
        if (job.isEmpty() && pools.exists(funded.jobId())) {
            pools.funded(funded);
            return;
        }
        if (job.isEmpty()) {
            quarantine.add(funded, "no job " + funded.jobId() + " here; the depositor can reclaim it after its deadline");
            return;
        }
        Job j = job.get();
        if (j.escrowJobId() != null && j.escrowJobId() != funded.jobId()) {
            quarantine.add(funded, "job " + funded.jobId() + " is paid by its sweep's deposit under job " + j.escrowJobId()
                    + "; the depositor can reclaim this one after its deadline");
            return;
        }
        if (!accounts.wallets(j.requesterId()).contains(funded.requester())) {
            quarantine.add(funded, "deposited from " + funded.requester() + ", a wallet not linked to the job's requester; "
                    + "the job is not affected, the depositor can reclaim it after its deadline");
            return;
        }
        boolean fundedAlready = jdbc.sql("""
                        SELECT EXISTS (SELECT 1 FROM job_deposits WHERE job_id = ? AND status = 'CONFIRMED' AND tx_hash <> ?)""")
                .params(funded.jobId(), funded.txHash()).query(Boolean.class).single();
        if (fundedAlready) {
            quarantine.add(funded, "a second deposit for job " + funded.jobId() + "; its depositor can reclaim it after its deadline");
            return;
        }
        Instant reclaimableAt = Instant.ofEpochSecond(funded.deadline());
        jdbc.sql("""
                        INSERT INTO job_deposits (job_id, wallet, tx_hash, status, amount_wei, log_index, settled_at, reclaimable_at)
                        VALUES (?, ?, ?, 'CONFIRMED', ?, ?, now(), ?)
                        ON CONFLICT (tx_hash) DO UPDATE SET job_id = EXCLUDED.job_id, wallet = EXCLUDED.wallet, status = 'CONFIRMED',
                            reason = NULL, amount_wei = EXCLUDED.amount_wei, log_index = EXCLUDED.log_index, settled_at = now(),
                            reclaimable_at = EXCLUDED.reclaimable_at""")
                .params(funded.jobId(), funded.requester(), funded.txHash(), new BigDecimal(funded.budget()), funded.logIndex(),
                        Timestamp.from(reclaimableAt))
                .update();
        if (!j.status().equals(JobStatus.AWAITING_DEPOSIT.name())) {
            if (j.status().equals(JobStatus.CANCELLED.name())) {
                settlement.refundRequester(funded.jobId(), j.requesterId(), "the deposit arrived after the job was cancelled");
            }
            return;
        }
        String refusal = null;
        if (j.budgetAic() == null || funded.budget().compareTo(Aic.toWei(j.budgetAic())) < 0) {
            refusal = "The deposit of " + Aic.format(funded.budget()) + " AIC is less than the budget; it is refunded";
        } else if (reclaimableAt.isBefore(j.createdAt().plus(properties.escrow().reclaimAfter()).minus(CLOCK_SKEW))) {
            refusal = "The deposit could be reclaimed from " + reclaimableAt + ", before the "
                    + properties.escrow().reclaimAfter().toHours() + " hours the plaza needs to run and settle the job; it is refunded";
        }
        if (refusal == null) {
            jobs.depositConfirmed(funded.jobId());
        } else {
            log.info("Job {}: deposit {} refused: {}", funded.jobId(), funded.txHash(), refusal);
            jobs.cancelUnfunded(funded.jobId(), refusal);
            settlement.refundRequester(funded.jobId(), j.requesterId(), refusal);
        }
    }

    /** A reorganisation dropped the deposit: a job not yet leased waits for it again. */
    @ApplicationModuleListener
    void on(ChainLog.Reverted reverted) {
        if (!reverted.event().equals(ChainLog.JobFunded.class.getSimpleName())) {
            return;
        }
        jdbc.sql("SELECT job_id FROM job_deposits WHERE tx_hash = ? AND log_index = ? AND status = 'CONFIRMED'")
                .params(reverted.txHash(), reverted.logIndex()).query(Long.class).optional().ifPresent(escrowId -> {
                    jobs.depositDropped(escrowId);
                    pools.depositDropped(escrowId);
                });
        jdbc.sql("UPDATE job_deposits SET status = 'PENDING', settled_at = NULL, created_at = now() WHERE tx_hash = ? AND log_index = ?")
                .params(reverted.txHash(), reverted.logIndex()).update();
    }

    /**
     * Deposits whose transaction reverted fail, unconfirmed ones expire, and jobs that waited too
     * long for a deposit are cancelled (nothing is in the escrow for them, or a late deposit is refunded).
     */
    @Transactional
    public void settleStaleDeposits() {
        if (!chain.enabled() || !chain.contracts().jobsPaidOnChain()) {
            return;
        }
        record Pending(String txHash, Instant createdAt) {
        }
        List<Pending> pending = jdbc.sql("SELECT tx_hash, created_at FROM job_deposits WHERE status = 'PENDING' ORDER BY created_at LIMIT 100")
                .query((rs, n) -> new Pending(rs.getString(1), rs.getTimestamp(2).toInstant())).list();
        Instant now = clock.instant();
        try {
            for (Pending p : pending) {
                Chain.TxState state = chain.transactionState(p.txHash());
                if (state == Chain.TxState.REVERTED) {
                    endDeposit(p.txHash(), "FAILED", "reverted");
                } else if (state != Chain.TxState.SUCCEEDED && p.createdAt().plus(chainProperties.pendingTimeout()).isBefore(now)) {
                    endDeposit(p.txHash(), "EXPIRED", state == Chain.TxState.UNKNOWN ? "unknown" : "unconfirmed");
                }
            }
        } catch (ChainUnavailableException e) {
            log.warn("Cannot check pending deposits: {}", e.getMessage());
        }
        List<Long> late = jdbc.sql("SELECT id FROM training_jobs WHERE status = 'AWAITING_DEPOSIT' AND created_at < ? FOR UPDATE SKIP LOCKED")
                .param(Timestamp.from(now.minus(properties.escrow().depositWait()))).query(Long.class).list();
        for (long jobId : late) {
            jobs.cancelUnfunded(jobId, "No deposit was confirmed within " + properties.escrow().depositWait().toMinutes() + " minutes");
        }
        record Stale(long jobId, long requesterId) {
        }
        List<Stale> nearDeadline = jdbc.sql("""
                        SELECT j.id, j.requester_id FROM training_jobs j
                        JOIN job_deposits d ON d.job_id = coalesce(j.escrow_job_id, j.id) AND d.status = 'CONFIRMED'
                        WHERE j.status = 'QUEUED' AND d.reclaimable_at < ? FOR UPDATE OF j SKIP LOCKED""")
                .param(Timestamp.from(now.plus(properties.escrow().leaseMargin())))
                .query((rs, n) -> new Stale(rs.getLong(1), rs.getLong(2))).list();
        for (Stale stale : nearDeadline) {
            String reason = "The job waited in the queue until too little time was left before its deposit can be reclaimed; "
                    + "it is refunded";
            if (jobs.cancelQueued(stale.jobId(), reason)) {
                settlement.refundRequester(stale.jobId(), stale.requesterId(), reason);
            }
        }
    }

    private void endDeposit(String txHash, String status, String reason) {
        jdbc.sql("UPDATE job_deposits SET status = ?, reason = ?, settled_at = now() WHERE tx_hash = ? AND status = 'PENDING'")
                .params(status, reason, txHash).update();
    }

    private long requesterJob(long userId, long jobId) {
        return jdbc.sql("SELECT id FROM training_jobs WHERE id = ? AND requester_id = ?").params(jobId, userId)
                .query(Long.class).optional().orElseThrow(NotFoundException::new);
    }

    /**
     * What the requester deposits for their job awaiting its deposit: its budget, or for the first trial of a sweep paid
     * with one deposit, the sweep's whole budget. Anyone else is told the job does not exist.
     */
    private BigInteger awaitingBudget(long userId, long jobId) {
        record Job(String status, BigDecimal budgetAic, Long escrowJobId) {
        }
        Job job = jdbc.sql("""
                        SELECT j.status, CASE WHEN j.escrow_job_id IS NULL THEN j.budget_aic ELSE s.budget_aic END, j.escrow_job_id
                        FROM training_jobs j LEFT JOIN training_sweeps s ON s.id = j.sweep_id
                        WHERE j.id = ? AND j.requester_id = ?""")
                .params(jobId, userId)
                .query((rs, n) -> new Job(rs.getString(1), rs.getBigDecimal(2), (Long) rs.getObject(3)))
                .optional().orElseThrow(NotFoundException::new);
        if (!chain.enabled() || !chain.contracts().jobsPaidOnChain()) {
            throw new UserFacingException(null, "job.deposit.error.no-chain");
        }
        if (job.escrowJobId() != null && job.escrowJobId() != jobId) {
            throw new UserFacingException(null, "job.deposit.error.sweep-deposit");
        }
        if (!job.status().equals("AWAITING_DEPOSIT") || job.budgetAic() == null) {
            throw new UserFacingException(null, "job.deposit.error.not-awaiting");
        }
        return Aic.toWei(job.budgetAic());
    }

    private String ownWallet(long userId, String address) {
        if (address == null || !address.matches("0x[0-9a-fA-F]{40}")) {
            throw new UserFacingException(null, "job.deposit.error.no-wallet");
        }
        String lower = address.toLowerCase(Locale.ROOT);
        if (!accounts.wallets(userId).contains(lower)) {
            throw new UserFacingException(null, "job.deposit.error.wallet-not-linked", lower);
        }
        return lower;
    }



    public record Permit(String typedData, long deadline, BigInteger budget) {
    }

    public record Transaction(String to, String data) {
    }

    public record Deposit(String txHash, String status, String reason) {

        public boolean pending() {
            return "PENDING".equals(status);
        }
    }
}
