package ai.aicrypto.plaza.compute.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainSends;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.platform.Aic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Pays auditors (security review L7). An audit re-runs an epoch of another provider's job and has no deposit of its
 * own, so the plaza pays it: the escrow operator transfers the settlement's amount in AIC from its own float (a plain
 * ERC-20 transfer) to the auditor's first linked wallet; an auditor without one is HELD_NO_WALLET until they link one.
 * <p>
 * Each payment is one purpose of the chain's sender ({@code audit:<settlement id>}), so it is signed and broadcast
 * once whatever the restarts and instances, asked again until mined (replaced when stuck, re-broadcast when lost). The
 * row is SENT with the purpose's transaction, and DONE only once its receipt has the configured confirmations; a
 * transfer that reverted moved nothing and is due again. A float short of a payment sends nothing for it: the row stays
 * DUE, and one warning a round names the shortfall.
 */
@Component
class AuditPayments {

    private static final Logger log = LoggerFactory.getLogger(AuditPayments.class);
    /** Rows looked at per round. */
    private static final int BATCH = 50;

    private final Chain chain;
    private final Accounts accounts;
    private final ChainSends sends;
    private final JdbcClient jdbc;

    AuditPayments(Chain chain, Accounts accounts, ChainSends sends, JdbcClient jdbc) {
        this.chain = chain;
        this.accounts = accounts;
        this.sends = sends;
        this.jdbc = jdbc;
    }

    @Scheduled(fixedDelayString = "${plaza.compute.escrow.settle-interval:10s}")
    void payOutSoon() {
        sends.run("audit-payments", this::execute);
    }

    /** Synchronized: a test's direct call and the chain-sending thread must not both send (the lease is taken by the latter). */
    synchronized void execute() {
        if (!chain.enabled() || !chain.contracts().jobsPaidOnChain()) {
            return; // jobs are paid on-chain only through JobEscrow; without it audits are recorded like them
        }
        try {
            confirmSent();
            payDue();
        } catch (ChainUnavailableException e) {
            log.warn("Cannot pay audits now: {}", e.getMessage());
        }
    }

    private record Payment(long id, long userId, BigDecimal amountAic, String txHash) {

        String purpose() {
            return "audit:" + id;
        }
    }

    private List<Payment> audits(String state, String order) {
        return jdbc.sql("""
                        SELECT s.id, s.user_id, s.amount_aic, s.tx_hash FROM settlements s JOIN training_jobs j ON j.id = s.job_id
                        WHERE s.state = ? AND s.kind = 'PAY_PROVIDER' AND j.audit_of IS NOT NULL ORDER BY %s LIMIT ?""".formatted(order))
                .params(state, BATCH)
                .query((rs, n) -> new Payment(rs.getLong(1), rs.getLong(2), rs.getBigDecimal(3),
                        rs.getString(4) == null ? null : rs.getString(4).strip()))
                .list();
    }

    /** SENT transfers: DONE once confirmed, due again if reverted, else asked for again (the sender sends nothing twice). */
    private void confirmSent() {
        for (Payment p : audits("SENT", "s.id")) {
            switch (chain.confirmedTransactionState(p.txHash())) {
                case SUCCEEDED -> jdbc.sql("""
                                UPDATE settlements SET state = 'DONE', executed_at = now(), fee_wei = 0
                                WHERE id = ? AND state = 'SENT' AND tx_hash = ?""")
                        .params(p.id(), p.txHash()).update();
                case REVERTED -> {
                    log.warn("Audit payment {}: transfer {} reverted; due again", p.id(), p.txHash());
                    jdbc.sql("UPDATE settlements SET state = 'DUE', tx_hash = NULL, checked_at = NULL WHERE id = ? AND state = 'SENT'")
                            .param(p.id()).update();
                }
                case PENDING, UNKNOWN -> {
                    List<String> wallets = accounts.wallets(p.userId());
                    if (wallets.isEmpty()) {
                        continue; // unlinked meanwhile: the transfer sent stands
                    }
                    try {
                        // Replaces it when stuck, broadcasts it again when lost, or names a replaced one that was mined.
                        String tx = chain.transferAic(p.purpose(), wallets.get(0), Aic.toWei(p.amountAic()));
                        jdbc.sql("UPDATE settlements SET tx_hash = ? WHERE id = ? AND state = 'SENT'").params(tx, p.id()).update();
                    } catch (IllegalStateException e) {
                        log.warn("Audit payment {} cannot be sent again now: {}", p.id(), e.getMessage());
                    }
                }
            }
        }
    }

    /** DUE payments the float covers are sent; the rest wait for it, named in one warning. */
    private void payDue() {
        List<Payment> due = audits("DUE", "s.checked_at NULLS FIRST, s.created_at, s.id");
        if (due.isEmpty()) {
            return;
        }
        // Transfers sent but not confirmed may not have left the balance yet.
        BigDecimal unconfirmed = jdbc.sql("""
                        SELECT coalesce(sum(s.amount_aic), 0) FROM settlements s JOIN training_jobs j ON j.id = s.job_id
                        WHERE s.state = 'SENT' AND s.kind = 'PAY_PROVIDER' AND j.audit_of IS NOT NULL""")
                .query(BigDecimal.class).single();
        BigInteger available = chain.operatorAicBalance().subtract(Aic.toWei(unconfirmed));
        BigInteger waiting = BigInteger.ZERO;
        int waitingCount = 0;
        for (Payment p : due) {
            jdbc.sql("UPDATE settlements SET checked_at = now() WHERE id = ?").param(p.id()).update();
            List<String> wallets = accounts.wallets(p.userId());
            if (wallets.isEmpty()) {
                jdbc.sql("UPDATE settlements SET state = 'HELD_NO_WALLET' WHERE id = ? AND state = 'DUE'").param(p.id()).update();
                continue;
            }
            BigInteger amount = Aic.toWei(p.amountAic());
            if (amount.compareTo(available) > 0) {
                waiting = waiting.add(amount);
                waitingCount++;
                continue;
            }
            try {
                String tx = chain.transferAic(p.purpose(), wallets.get(0), amount);
                jdbc.sql("UPDATE settlements SET state = 'SENT', tx_hash = ? WHERE id = ? AND state = 'DUE'").params(tx, p.id()).update();
                available = available.subtract(amount);
            } catch (IllegalStateException e) {
                log.warn("Audit payment {} cannot be sent now: {}", p.id(), e.getMessage());
            }
        }
        if (waitingCount > 0) {
            log.warn("Audit payments: {} AIC due to {} auditor payment(s), the operator's float has {} AIC for them: {} AIC short; "
                            + "they wait until the float is topped up", Aic.format(waiting), waitingCount, Aic.format(available.max(BigInteger.ZERO)),
                    Aic.format(waiting.subtract(available.max(BigInteger.ZERO))));
        }
    }
}
