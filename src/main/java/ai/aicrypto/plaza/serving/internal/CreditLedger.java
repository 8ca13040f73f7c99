package ai.aicrypto.plaza.serving.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.account.WalletLinked;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainLog;
import ai.aicrypto.plaza.platform.Aic;
import ai.aicrypto.plaza.serving.Credit;
import ai.aicrypto.plaza.serving.InsufficientCreditException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The one owner of {@code credit_accounts}: confirmed UsageCredit logs add deposits, withdrawal requests and
 * withdrawals (each log once, by transaction hash and log index, undone when a reorganisation drops it), and
 * {@link #charge} takes charges by a conditional update, so two instances charging one member at once never take
 * more than is available. Settled amounts are written by {@link UsageSettlements} through {@link #settled}.
 */
@Service
class CreditLedger implements Credit {

    private final Chain chain;
    private final Accounts accounts;
    private final JdbcClient jdbc;

    CreditLedger(Chain chain, Accounts accounts, JdbcClient jdbc) {
        this.chain = chain;
        this.accounts = accounts;
        this.jdbc = jdbc;
    }

    @Override
    public boolean enabled() {
        return chain.enabled() && chain.contracts().creditOnChain();
    }

    @Override
    @Transactional
    public String charge(long payerId, long payeeId, long modelId, BigInteger amountWei) {
        if (amountWei.signum() <= 0) {
            throw new IllegalArgumentException("a charge is positive: " + amountWei);
        }
        requireEnabled();
        BigDecimal amount = new BigDecimal(amountWei);
        // The sub-select locks the first account that covers the amount; a concurrent charge that got there first is
        // re-checked after its commit (PostgreSQL re-evaluates a locked row's condition), so the sum never overdraws.
        Optional<String> wallet = jdbc.sql("""
                        UPDATE credit_accounts SET debited_wei = debited_wei + :amount, updated_at = now()
                        WHERE wallet = (SELECT wallet FROM credit_accounts
                                        WHERE user_id = :payer AND deposited_wei - withdrawn_wei - debited_wei - pending_withdrawal_wei >= :amount
                                        ORDER BY wallet LIMIT 1 FOR UPDATE)
                          AND deposited_wei - withdrawn_wei - debited_wei - pending_withdrawal_wei >= :amount
                        RETURNING wallet""")
                .param("amount", amount).param("payer", payerId).query(String.class).optional();
        if (wallet.isEmpty()) {
            throw insufficient(payerId, amountWei);
        }
        jdbc.sql("INSERT INTO credit_charges (payer_wallet, payee_id, model_id, amount_wei) VALUES (?, ?, ?, ?)")
                .params(wallet.get(), payeeId, modelId, amount).update();
        return wallet.get();
    }

    @Override
    @Transactional(readOnly = true)
    public boolean covers(long payerId, BigInteger amountWei) {
        return enabled() && jdbc.sql("""
                        SELECT EXISTS (SELECT 1 FROM credit_accounts WHERE user_id = ?
                                       AND deposited_wei - withdrawn_wei - debited_wei - pending_withdrawal_wei >= ?)""")
                .params(payerId, new BigDecimal(amountWei)).query(Boolean.class).single();
    }

    @Override
    public void requireAvailable(long payerId, BigInteger amountWei) {
        requireEnabled();
        if (!covers(payerId, amountWei)) {
            throw insufficient(payerId, amountWei);
        }
    }

    private void requireEnabled() {
        if (!enabled()) {
            throw new InsufficientCreditException("credit.error.no-chain");
        }
    }

    private InsufficientCreditException insufficient(long payerId, BigInteger amountWei) {
        BigInteger best = accounts(payerId).stream().map(CreditAccount::available).max(BigInteger::compareTo)
                .orElse(BigInteger.ZERO).max(BigInteger.ZERO);
        return new InsufficientCreditException("credit.error.insufficient", Aic.format(amountWei), Aic.format(best));
    }

    /** The member's accounts, one per wallet that deposited, oldest wallet first. */
    @Transactional(readOnly = true)
    List<CreditAccount> accounts(long userId) {
        return jdbc.sql("""
                        SELECT wallet, deposited_wei, withdrawn_wei, debited_wei, settled_wei, pending_withdrawal_wei, withdrawable_at
                        FROM credit_accounts WHERE user_id = ? ORDER BY wallet""")
                .param(userId)
                .query((rs, n) -> new CreditAccount(rs.getString(1), wei(rs.getBigDecimal(2)), wei(rs.getBigDecimal(3)),
                        wei(rs.getBigDecimal(4)), wei(rs.getBigDecimal(5)), wei(rs.getBigDecimal(6)),
                        rs.getTimestamp(7) == null ? null : rs.getTimestamp(7).toInstant()))
                .list();
    }

    /** The newest deposits, withdrawal requests and withdrawals of the member's wallets. */
    @Transactional(readOnly = true)
    List<CreditMovement> movements(long userId, int limit) {
        return jdbc.sql("""
                        SELECT l.wallet, l.kind, l.amount_wei, l.tx_hash, l.created_at FROM credit_logs l
                        JOIN credit_accounts a ON a.wallet = l.wallet WHERE a.user_id = ?
                        ORDER BY l.created_at DESC, l.tx_hash, l.log_index LIMIT ?""")
                .params(userId, limit)
                .query((rs, n) -> new CreditMovement(rs.getString(1), rs.getString(2), wei(rs.getBigDecimal(3)), rs.getString(4),
                        rs.getTimestamp(5).toInstant()))
                .list();
    }

    @ApplicationModuleListener
    void on(ChainLog.CreditDeposited deposited) {
        if (applied(deposited, deposited.member(), "DEPOSIT", deposited.amount())) {
            jdbc.sql("UPDATE credit_accounts SET deposited_wei = deposited_wei + ?, updated_at = now() WHERE wallet = ?")
                    .params(new BigDecimal(deposited.amount()), deposited.member()).update();
        }
    }

    /** From now on nothing more is charged to the wallet than its credit minus the request; see {@link UsageSettlements}. */
    @ApplicationModuleListener
    void on(ChainLog.CreditWithdrawalRequested requested) {
        if (applied(requested, requested.member(), "REQUEST", requested.amount())) {
            jdbc.sql("""
                            UPDATE credit_accounts SET pending_withdrawal_wei = ?, withdrawable_at = ?, withdrawal_request_tx = ?,
                                updated_at = now() WHERE wallet = ?""")
                    .params(new BigDecimal(requested.amount()), Timestamp.from(Instant.ofEpochSecond(requested.withdrawableAt())),
                            requested.txHash(), requested.member())
                    .update();
        }
    }

    @ApplicationModuleListener
    void on(ChainLog.CreditWithdrawn withdrawn) {
        if (applied(withdrawn, withdrawn.member(), "WITHDRAWAL", withdrawn.amount())) {
            jdbc.sql("""
                            UPDATE credit_accounts SET withdrawn_wei = withdrawn_wei + ?, pending_withdrawal_wei = 0,
                                withdrawable_at = NULL, withdrawal_request_tx = NULL, updated_at = now() WHERE wallet = ?""")
                    .params(new BigDecimal(withdrawn.amount()), withdrawn.member()).update();
        }
    }

    /**
     * A reorganisation dropped a log applied here: its effect is undone (a dropped withdrawal keeps its amount
     * reserved as a request, so nothing is charged against it until the chain decides again).
     */
    @ApplicationModuleListener
    void on(ChainLog.Reverted reverted) {
        record Applied(String wallet, String kind, BigDecimal amount) {
        }
        jdbc.sql("DELETE FROM credit_logs WHERE tx_hash = ? AND log_index = ? RETURNING wallet, kind, amount_wei")
                .params(reverted.txHash(), reverted.logIndex())
                .query((rs, n) -> new Applied(rs.getString(1), rs.getString(2), rs.getBigDecimal(3))).optional()
                .ifPresent(a -> {
                    String undo = switch (a.kind()) {
                        case "DEPOSIT" -> "UPDATE credit_accounts SET deposited_wei = deposited_wei - :amount WHERE wallet = :wallet";
                        case "WITHDRAWAL" -> """
                                UPDATE credit_accounts SET withdrawn_wei = withdrawn_wei - :amount,
                                    pending_withdrawal_wei = GREATEST(pending_withdrawal_wei, :amount) WHERE wallet = :wallet""";
                        default -> """
                                UPDATE credit_accounts SET pending_withdrawal_wei = 0, withdrawable_at = NULL, withdrawal_request_tx = NULL
                                WHERE wallet = :wallet AND withdrawal_request_tx = :tx""";
                    };
                    jdbc.sql(undo).param("amount", a.amount()).param("wallet", a.wallet()).param("tx", reverted.txHash())
                            .update();
                });
    }

    /** A wallet that deposited before it was linked brings its credit to the member who links it. */
    @ApplicationModuleListener
    void on(WalletLinked linked) {
        jdbc.sql("UPDATE credit_accounts SET user_id = ? WHERE wallet = ? AND user_id IS NULL")
                .params(linked.userId(), linked.address()).update();
    }

    /** Books a batch's entries as settled (called once per confirmed batch, in its transaction). */
    void settled(long batchId, int sign) {
        jdbc.sql("""
                        UPDATE credit_accounts a SET settled_wei = settled_wei + :sign * e.amount, updated_at = now()
                        FROM (SELECT payer_wallet, sum(amount_wei) AS amount FROM credit_batch_entries WHERE batch_id = :batch
                              GROUP BY payer_wallet) e
                        WHERE a.wallet = e.payer_wallet""")
                .param("sign", sign).param("batch", batchId).update();
    }

    /** Records a log once; its wallet gets an account (of the member it is linked to, if any). */
    private boolean applied(ChainLog log, String wallet, String kind, BigInteger amount) {
        jdbc.sql("INSERT INTO credit_accounts (wallet, user_id) VALUES (?, ?) ON CONFLICT (wallet) DO NOTHING")
                .params(wallet, accounts.accountOfWallet(wallet).orElse(null)).update();
        return jdbc.sql("""
                        INSERT INTO credit_logs (tx_hash, log_index, wallet, kind, amount_wei) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (tx_hash, log_index) DO NOTHING""")
                .params(log.txHash(), log.logIndex(), wallet, kind, new BigDecimal(amount)).update() == 1;
    }

    private static BigInteger wei(BigDecimal value) {
        return value.toBigIntegerExact();
    }

    /**
     * A wallet's credit in wei. {@code settled}: charges whose batch is confirmed on-chain; the on-chain balance is
     * {@code deposited - withdrawn - settled}.
     */
    record CreditAccount(String wallet, BigInteger deposited, BigInteger withdrawn, BigInteger debited, BigInteger settled,
                         BigInteger pendingWithdrawal, Instant withdrawableAt) {

        BigInteger available() {
            return deposited.subtract(withdrawn).subtract(debited).subtract(pendingWithdrawal);
        }

        BigInteger confirmedBalance() {
            return deposited.subtract(withdrawn).subtract(settled);
        }

        BigInteger unsettled() {
            return debited.subtract(settled);
        }
    }

    record CreditMovement(String wallet, String kind, BigInteger amount, String txHash, Instant at) {

        public String aic() {
            return Aic.format(amount);
        }
    }
}
