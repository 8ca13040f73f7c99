package ai.aicrypto.plaza.compute.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.account.WalletLinked;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainLog;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Executes the recorded {@code settlements} of jobs deposited in JobEscrow: the operator settles
 * (provider's first linked wallet, the agreed amount capped at the budget) or refunds. A settlement
 * counts as executed only from its confirmed JobSettled / JobRefunded log; before sending, the
 * escrow's own record is read, so a transaction already mined is never sent twice while its log
 * waits for confirmations. A provider without a linked wallet is held until they link one.
 */
@Component
class EscrowSettlements {

    private static final Logger log = LoggerFactory.getLogger(EscrowSettlements.class);

    private final Chain chain;
    private final Accounts accounts;
    private final JdbcClient jdbc;

    EscrowSettlements(Chain chain, Accounts accounts, JdbcClient jdbc) {
        this.chain = chain;
        this.accounts = accounts;
        this.jdbc = jdbc;
    }

    /** Synchronized: the scheduler and a wallet link must not both find a job FUNDED and send twice. */
    @Scheduled(fixedDelayString = "${plaza.compute.escrow.settle-interval:10s}")
    synchronized void execute() {
        if (!chain.enabled() || !chain.contracts().jobsPaidOnChain()) {
            return;
        }
        record Due(long jobId, String kind, long userId, BigDecimal amountAic) {
        }
        List<Due> due = jdbc.sql("""
                        SELECT s.job_id, s.kind, s.user_id, s.amount_aic FROM settlements s
                        JOIN job_deposits d ON d.job_id = s.job_id AND d.status = 'CONFIRMED'
                        WHERE s.executed_at IS NULL ORDER BY s.created_at, s.id LIMIT 50""")
                .query((rs, n) -> new Due(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getBigDecimal(4))).list();
        for (Due d : due) {
            try {
                Chain.EscrowedJob escrowed = chain.escrowedJob(d.jobId());
                if (escrowed.status() != Chain.EscrowStatus.FUNDED) {
                    continue; // sent already (its log is on the way), or reclaimed by the requester
                }
                if (d.kind().equals("REFUND_REQUESTER")) {
                    chain.refundJob(d.jobId());
                    continue;
                }
                List<String> wallets = accounts.wallets(d.userId());
                if (wallets.isEmpty()) {
                    continue; // held until the provider links a wallet
                }
                BigInteger amount = JobDeposits.toWei(d.amountAic()).min(escrowed.budget());
                chain.settleJob(d.jobId(), wallets.get(0), amount);
            } catch (ChainUnavailableException e) {
                log.warn("Cannot execute settlements now: {}", e.getMessage());
                return;
            } catch (RuntimeException e) {
                log.warn("Settlement {} of job {} failed; trying again later: {}", d.kind(), d.jobId(), e.getMessage());
            }
        }
    }

    @ApplicationModuleListener
    void on(WalletLinked linked) {
        execute();
    }

    @ApplicationModuleListener
    void on(ChainLog.JobSettled settled) {
        executed(settled.jobId(), "PAY_PROVIDER", settled.txHash(), settled.logIndex());
    }

    @ApplicationModuleListener
    void on(ChainLog.JobRefunded refunded) {
        executed(refunded.jobId(), "REFUND_REQUESTER", refunded.txHash(), refunded.logIndex());
    }

    @ApplicationModuleListener
    void on(ChainLog.JobReclaimed reclaimed) {
        log.warn("The requester reclaimed the deposit of job {} ({} AIC): the plaza did not settle it in time",
                reclaimed.jobId(), JobDeposits.aic(reclaimed.amount()));
    }

    /** A reorganisation dropped the log: the settlement is due again (and the escrow says whether to resend). */
    @ApplicationModuleListener
    void on(ChainLog.Reverted reverted) {
        jdbc.sql("UPDATE settlements SET executed_at = NULL, tx_hash = NULL, log_index = NULL WHERE tx_hash = ? AND log_index = ?")
                .params(reverted.txHash(), reverted.logIndex()).update();
    }

    private void executed(long jobId, String kind, String txHash, int logIndex) {
        jdbc.sql("""
                        UPDATE settlements SET executed_at = now(), tx_hash = ?, log_index = ?
                        WHERE job_id = ? AND kind = ? AND executed_at IS NULL""")
                .params(txHash, logIndex, jobId, kind).update();
    }
}
