package ai.aicrypto.plaza.compute.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.account.WalletLinked;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainLog;
import ai.aicrypto.plaza.chain.ChainLogQuarantine;
import ai.aicrypto.plaza.chain.ChainSends;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.platform.Aic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Executes the recorded {@code settlements} of jobs deposited in JobEscrow: the operator settles
 * (assigns the job to the provider's first linked wallet on-chain, then pays it the agreed amount
 * capped at the budget) or refunds, always the requester's own deposit. Only DUE rows
 * are picked, those looked at least recently first, so rows that cannot be sent yet never block
 * the ones behind them. A settlement is DONE only from its confirmed JobSettled / JobRefunded log;
 * before sending, the escrow's own record is read, so a transaction already mined is never sent
 * twice while its log waits for confirmations. A provider without a linked wallet is HELD_NO_WALLET
 * until they link one; a job whose escrow the requester reclaimed is ABANDONED (and cancelled).
 * The trained model of a paid job is handed to its requester when the provider's payment is settled.
 * <p>
 * The trials of an on-chain sweep share one deposit (made under the first trial's id, {@code escrow_job_id}): each
 * trial's payment is released from it to its own provider ({@code release}, the trial's id as the part, capped at the
 * trial's share), and the rest is refunded once every trial has ended and every payment is settled, so a refund never
 * overtakes a payment. The escrow pays each part at most once, whatever the plaza sends.
 */
@Component
class EscrowSettlements {

    private static final Logger log = LoggerFactory.getLogger(EscrowSettlements.class);
    /** Rows looked at per round. */
    private static final int BATCH = 50;

    private final Chain chain;
    private final Accounts accounts;
    private final JobQueue jobs;
    private final Models models;
    private final ChainLogQuarantine quarantine;
    private final ChainSends sends;
    private final JdbcClient jdbc;

    EscrowSettlements(Chain chain, Accounts accounts, JobQueue jobs, Models models, ChainLogQuarantine quarantine,
                      ChainSends sends, JdbcClient jdbc) {
        this.sends = sends;
        this.chain = chain;
        this.accounts = accounts;
        this.jobs = jobs;
        this.models = models;
        this.quarantine = quarantine;
        this.jdbc = jdbc;
    }

    @Scheduled(fixedDelayString = "${plaza.compute.escrow.settle-interval:10s}")
    void executeSoon() {
        sends.run("job-settlements", this::execute);
    }

    /** Synchronized: a test's direct call and the chain-sending thread must not both send (the lease is taken by the latter). */
    synchronized void execute() {
        if (!chain.enabled() || !chain.contracts().jobsPaidOnChain()) {
            return;
        }
        List<Due> due = jdbc.sql("""
                        SELECT s.id, s.job_id, s.kind, s.user_id, s.amount_aic, d.wallet, j.escrow_job_id, j.budget_aic,
                               EXISTS (SELECT 1 FROM training_jobs t WHERE t.escrow_job_id = j.escrow_job_id
                                         AND t.status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED'))
                               OR EXISTS (SELECT 1 FROM settlements p JOIN training_jobs t ON t.id = p.job_id
                                          WHERE t.escrow_job_id = j.escrow_job_id AND p.kind = 'PAY_PROVIDER'
                                            AND p.state IN ('DUE', 'HELD_NO_WALLET')) AS parts_open
                        FROM settlements s JOIN training_jobs j ON j.id = s.job_id
                        JOIN job_deposits d ON d.job_id = coalesce(j.escrow_job_id, j.id) AND d.status = 'CONFIRMED'
                        WHERE s.state = 'DUE' AND j.audit_of IS NULL -- audits are paid by the plaza (AuditPayments)
                        ORDER BY s.checked_at NULLS FIRST, s.created_at, s.id LIMIT ?""")
                .param(BATCH)
                .query((rs, n) -> new Due(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getBigDecimal(5),
                        rs.getString(6), (Long) rs.getObject(7), rs.getBigDecimal(8), rs.getBoolean(9)))
                .list();
        for (Due d : due) {
            jdbc.sql("UPDATE settlements SET checked_at = now() WHERE id = ?").param(d.id()).update();
            try {
                if (d.escrowJobId() != null) {
                    executeSharedDeposit(d);
                    continue;
                }
                Chain.EscrowedJob escrowed = chain.escrowedJob(d.requester(), d.jobId());
                if (escrowed.status() != Chain.EscrowStatus.FUNDED) {
                    continue; // sent already (its log is on the way), or reclaimed (its log abandons the row)
                }
                if (d.kind().equals("REFUND_REQUESTER")) {
                    chain.refundJob(d.requester(), d.jobId());
                    continue;
                }
                List<String> wallets = accounts.wallets(d.userId());
                if (wallets.isEmpty()) {
                    jdbc.sql("UPDATE settlements SET state = 'HELD_NO_WALLET' WHERE id = ? AND state = 'DUE'").param(d.id()).update();
                    continue;
                }
                BigInteger amount = Aic.toWei(d.amountAic()).min(escrowed.budget());
                String provider = wallets.get(0);
                if (!provider.equals(escrowed.provider())) {
                    // The escrow pays only the provider the operator assigned the job to: assigned now, settled
                    // at a later round, once the assignment is mined (the settlement's simulation needs it).
                    chain.assignJob(d.requester(), d.jobId(), provider);
                    continue;
                }
                chain.settleJob(d.requester(), d.jobId(), amount);
            } catch (ChainUnavailableException e) {
                log.warn("Cannot execute settlements now: {}", e.getMessage());
                return;
            } catch (RuntimeException e) {
                log.warn("Settlement {} of job {} failed; trying again later: {}", d.kind(), d.jobId(), e.getMessage());
            }
        }
    }

    /**
     * @param escrowJobId the job whose deposit pays this one (a sweep's shared deposit), or null for its own
     * @param budgetAic   the job's own budget (a sweep trial's share)
     * @param partsOpen   for a shared deposit: whether a job it pays has not ended or a payment from it is not settled
     */
    private record Due(long id, long jobId, String kind, long userId, BigDecimal amountAic, String requester, Long escrowJobId,
                       BigDecimal budgetAic, boolean partsOpen) {
    }

    /**
     * A settlement of a sweep trial paid from the sweep's one deposit: its payment is released to its provider, capped at
     * the trial's share; a refund returns what is left, once nothing it pays is still open.
     */
    private void executeSharedDeposit(Due d) {
        Chain.EscrowedJob escrowed = chain.escrowedJob(d.requester(), d.escrowJobId());
        if (escrowed.status() != Chain.EscrowStatus.FUNDED) {
            return; // refunded already (its log is on the way), or reclaimed (its log abandons the row)
        }
        if (d.kind().equals("REFUND_REQUESTER")) {
            if (!d.partsOpen()) {
                chain.refundJob(d.requester(), d.escrowJobId());
            }
            return;
        }
        if (chain.jobPartReleased(d.requester(), d.escrowJobId(), d.jobId())) {
            return; // sent already: its log is on the way
        }
        List<String> wallets = accounts.wallets(d.userId());
        if (wallets.isEmpty()) {
            jdbc.sql("UPDATE settlements SET state = 'HELD_NO_WALLET' WHERE id = ? AND state = 'DUE'").param(d.id()).update();
            return;
        }
        BigInteger amount = Aic.toWei(d.amountAic()).min(Aic.toWei(d.budgetAic())).min(escrowed.budget());
        chain.releaseJobPart(d.requester(), d.escrowJobId(), d.jobId(), wallets.get(0), amount);
    }

    /**
     * Records on-chain, right after a lease, which provider the job's escrow may pay: the leased
     * worker's provider's wallet (none yet: assigned before the settlement instead). On the
     * chain-sending thread; a later lease of the job to another provider assigns it again.
     */
    void leased(long jobId) {
        if (chain.enabled() && chain.contracts().jobsPaidOnChain()) {
            sends.run("assign-at-lease:" + jobId, () -> assignToLeaseHolder(jobId));
        }
    }

    private void assignToLeaseHolder(long jobId) {
        record Holder(String requester, long providerId) {
        }
        Optional<Holder> holder = jdbc.sql("""
                        SELECT d.wallet, o.provider_id FROM training_jobs j
                        JOIN job_deposits d ON d.job_id = j.id AND d.status = 'CONFIRMED'
                        JOIN workers w ON w.id = j.worker_id JOIN gpu_offers o ON o.id = w.offer_id
                        WHERE j.id = ? AND j.status = 'LEASED' AND j.escrow_job_id IS NULL""")
                .param(jobId).query((rs, n) -> new Holder(rs.getString(1), rs.getLong(2))).optional();
        if (holder.isEmpty()) {
            return;
        }
        List<String> wallets = accounts.wallets(holder.get().providerId());
        if (wallets.isEmpty()) {
            return;
        }
        Chain.EscrowedJob escrowed = chain.escrowedJob(holder.get().requester(), jobId);
        if (escrowed.status() == Chain.EscrowStatus.FUNDED && !wallets.get(0).equals(escrowed.provider())) {
            chain.assignJob(holder.get().requester(), jobId, wallets.get(0));
        }
    }

    @ApplicationModuleListener
    void on(WalletLinked linked) {
        jdbc.sql("UPDATE settlements SET state = 'DUE', checked_at = NULL WHERE user_id = ? AND state = 'HELD_NO_WALLET'")
                .param(linked.userId()).update();
        executeSoon();
    }

    @ApplicationModuleListener
    void on(ChainLog.JobSettled settled) {
        if (executed(settled.jobId(), settled.requester(), "PAY_PROVIDER", settled.txHash(), settled.logIndex())) {
            jdbc.sql("UPDATE settlements SET fee_wei = ? WHERE job_id = ? AND kind = 'PAY_PROVIDER'")
                    .params(new BigDecimal(settled.fee()), settled.jobId()).update();
            trainedModel(settled.jobId()).ifPresent(models::release);
            jobs.paymentSettled(settled.jobId());
        }
    }

    private Optional<Long> trainedModel(long jobId) {
        return jdbc.sql("SELECT trained_model_id FROM training_records WHERE job_id = ?").param(jobId).query(Long.class).optional();
    }

    /** A sweep trial's payment from the sweep's deposit: only a release from the deposit that pays that trial counts. */
    @ApplicationModuleListener
    void on(ChainLog.JobReleased released) {
        int done = jdbc.sql("""
                        UPDATE settlements SET state = 'DONE', executed_at = now(), tx_hash = ?, log_index = ?, fee_wei = ?
                        WHERE job_id = ? AND kind = 'PAY_PROVIDER' AND state <> 'DONE'
                          AND EXISTS (SELECT 1 FROM training_jobs t WHERE t.id = ? AND t.escrow_job_id = ?)
                          AND EXISTS (SELECT 1 FROM job_deposits d WHERE d.job_id = ? AND d.wallet = ? AND d.status = 'CONFIRMED')""")
                .params(released.txHash(), released.logIndex(), new BigDecimal(released.fee()), released.partId(), released.partId(),
                        released.jobId(), released.jobId(), released.requester())
                .update();
        if (done == 1) {
            trainedModel(released.partId()).ifPresent(models::release);
            jobs.paymentSettled(released.partId());
        }
    }

    /** A refund of a sweep's deposit ends the refunds recorded for each of its trials too. */
    @ApplicationModuleListener
    void on(ChainLog.JobRefunded refunded) {
        jdbc.sql("""
                        UPDATE settlements SET state = 'DONE', executed_at = now(), tx_hash = ?, log_index = ?
                        WHERE job_id IN (SELECT id FROM training_jobs WHERE id = ? OR escrow_job_id = ?)
                          AND kind = 'REFUND_REQUESTER' AND state <> 'DONE'
                          AND EXISTS (SELECT 1 FROM job_deposits d WHERE d.job_id = ? AND d.wallet = ? AND d.status = 'CONFIRMED')""")
                .params(refunded.txHash(), refunded.logIndex(), refunded.jobId(), refunded.jobId(), refunded.jobId(),
                        refunded.requester())
                .update();
    }

    /**
     * The requester took the budget back after the escrow's deadline: the job ends at once (a lease
     * is revoked), its open settlements are abandoned, and a trained model stays withheld.
     */
    @ApplicationModuleListener
    void on(ChainLog.JobReclaimed reclaimed) {
        boolean ours = jdbc.sql("SELECT EXISTS (SELECT 1 FROM job_deposits WHERE job_id = ? AND wallet = ? AND status = 'CONFIRMED')")
                .params(reclaimed.jobId(), reclaimed.requester()).query(Boolean.class).single();
        if (!ours) {
            quarantine.add(reclaimed, "a reclaim of a deposit the plaza did not accept for job " + reclaimed.jobId());
            return;
        }
        String reason = "The requester reclaimed the escrowed budget (" + Aic.format(reclaimed.amount())
                + " AIC) after its deadline";
        boolean stopped = jobs.escrowReclaimed(reclaimed.jobId(), reason);
        int abandoned = jdbc.sql("""
                        UPDATE settlements SET state = 'ABANDONED', tx_hash = ?, log_index = ?
                        WHERE job_id IN (SELECT id FROM training_jobs WHERE id = ? OR escrow_job_id = ?)
                          AND state IN ('DUE', 'HELD_NO_WALLET')""")
                .params(reclaimed.txHash(), reclaimed.logIndex(), reclaimed.jobId(), reclaimed.jobId()).update();
        log.warn("Job {}: {}; {} settlement(s) abandoned{}", reclaimed.jobId(), reason, abandoned,
                stopped ? ", the job cancelled" : "");
    }

    /**
     * A reorganisation dropped the log: the settlement is due again (and the escrow says whether to resend). A
     * dropped payment of the provider withholds the trained model again until it is settled anew.
     */
    @ApplicationModuleListener
    void on(ChainLog.Reverted reverted) {
        jdbc.sql("""
                        WITH reopened AS (
                            UPDATE settlements SET state = 'DUE', checked_at = NULL, executed_at = NULL, tx_hash = NULL, log_index = NULL,
                                fee_wei = NULL
                            WHERE tx_hash = ? AND log_index = ? RETURNING job_id, kind)
                        SELECT job_id FROM reopened WHERE kind = 'PAY_PROVIDER'""")
                .params(reverted.txHash(), reverted.logIndex()).query(Long.class).list()
                .forEach(jobId -> {
                    trainedModel(jobId).ifPresent(models::withhold);
                    jobs.paymentDropped(jobId);
                });
    }

    /** @return whether the settlement of the requester's deposit was open until now */
    private boolean executed(long jobId, String requester, String kind, String txHash, int logIndex) {
        return jdbc.sql("""
                        UPDATE settlements SET state = 'DONE', executed_at = now(), tx_hash = ?, log_index = ?
                        WHERE job_id = ? AND kind = ? AND state <> 'DONE'
                          AND EXISTS (SELECT 1 FROM job_deposits d WHERE d.job_id = ? AND d.wallet = ? AND d.status = 'CONFIRMED')""")
                .params(txHash, logIndex, jobId, kind, jobId, requester).update() == 1;
    }
}
