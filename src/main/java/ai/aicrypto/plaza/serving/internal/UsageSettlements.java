package ai.aicrypto.plaza.serving.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.account.WalletLinked;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainLog;
import ai.aicrypto.plaza.chain.ChainLogQuarantine;
import ai.aicrypto.plaza.chain.ChainSends;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.serving.CreditProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Settles charged usage on-chain. Each round (on the chain-sending thread, one instance at a time): the charges not in
 * a batch yet whose payee has a linked wallet become one batch, an entry per (payee wallet, payer wallet) ordered by
 * payee, fixed in {@code credit_batch_entries}; every batch not yet confirmed is sent unless UsageCredit says it is
 * settled (its log is on the way); and a member's withdrawal request is released once none of their charges is
 * left unsettled. A batch is DONE only from its confirmed UsageSettled log; a reorganisation that drops the log makes
 * it due again, and it is sent again with the same id and entries, which the escrow pays at most once. A payee's
 * share is one entry; a serving provider's GPU-seconds are another charge of the same call, so another entry.
 */
@Component
class UsageSettlements {

    private static final Logger log = LoggerFactory.getLogger(UsageSettlements.class);
    /** Charges gathered per round at most (a batch holds at most {@code batchEntries} entries of them). */
    private static final int MAX_CHARGES = 20_000;

    private final Chain chain;
    private final CreditLedger ledger;
    private final Accounts accounts;
    private final ChainSends sends;
    private final ChainLogQuarantine quarantine;
    private final CreditProperties properties;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;

    UsageSettlements(Chain chain, CreditLedger ledger, Accounts accounts, ChainSends sends, ChainLogQuarantine quarantine,
                     CreditProperties properties, JdbcClient jdbc, TransactionTemplate transaction) {
        this.chain = chain;
        this.ledger = ledger;
        this.accounts = accounts;
        this.sends = sends;
        this.quarantine = quarantine;
        this.properties = properties;
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    @Scheduled(fixedDelayString = "${plaza.credit.settle-interval:5m}")
    void executeSoon() {
        sends.run("usage-settlements", this::execute);
    }

    /** Synchronized: a test's direct call and the chain-sending thread must not both send. */
    synchronized void execute() {
        if (!ledger.enabled()) {
            return;
        }
        transaction.executeWithoutResult(status -> batchCharges());
        try {
            sendDueBatches();
            releaseWithdrawals();
        } catch (ChainUnavailableException e) {
            log.warn("Cannot settle usage now: {}", e.getMessage());
        }
    }

    /** Gathers the charges not in a batch yet, of payees with a wallet, into one batch. */
    private void batchCharges() {
        record Charge(long id, String payer, long payeeId, BigInteger amount) {
        }
        List<Charge> open = jdbc.sql("""
                        SELECT id, payer_wallet, payee_id, amount_wei FROM credit_charges WHERE batch_id IS NULL
                        ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED""")
                .param(MAX_CHARGES)
                .query((rs, n) -> new Charge(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getBigDecimal(4).toBigIntegerExact()))
                .list();
        Map<Long, String> payeeWallets = new HashMap<>();
        // (payee wallet, payer wallet) -> amount, in the order the escrow pays best: one run per payee.
        TreeMap<String, BigInteger> entries = new TreeMap<>();
        List<Long> included = new ArrayList<>();
        for (Charge c : open) {
            String payee = payeeWallets.computeIfAbsent(c.payeeId(), id -> accounts.wallets(id).stream().findFirst().orElse(""));
            if (payee.isEmpty()) {
                continue; // held until the payee links a wallet
            }
            String key = payee + " " + c.payer();
            if (!entries.containsKey(key) && entries.size() == properties.batchEntries()) {
                continue; // the next batch takes it
            }
            entries.merge(key, c.amount(), BigInteger::add);
            included.add(c.id());
        }
        if (entries.isEmpty()) {
            return;
        }
        BigInteger total = entries.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
        long batchId = jdbc.sql("INSERT INTO credit_batches (total_wei) VALUES (?) RETURNING id")
                .param(new BigDecimal(total)).query(Long.class).single();
        int position = 0;
        for (Map.Entry<String, BigInteger> e : entries.entrySet()) {
            String[] payeePayer = e.getKey().split(" ");
            jdbc.sql("INSERT INTO credit_batch_entries (batch_id, position, payer_wallet, payee_wallet, amount_wei) VALUES (?, ?, ?, ?, ?)")
                    .params(batchId, position++, payeePayer[1], payeePayer[0], new BigDecimal(e.getValue())).update();
        }
        jdbc.sql("UPDATE credit_charges SET batch_id = ? WHERE id = ANY(?)")
                .params(batchId, included.toArray(Long[]::new)).update();
        log.info("Usage batch {}: {} charges, {} entries, {} wei", batchId, included.size(), entries.size(), total);
    }

    private void sendDueBatches() {
        List<Long> due = jdbc.sql("SELECT id FROM credit_batches WHERE state = 'DUE' ORDER BY checked_at NULLS FIRST, id LIMIT 20")
                .query(Long.class).list();
        for (long batchId : due) {
            jdbc.sql("UPDATE credit_batches SET checked_at = now() WHERE id = ?").param(batchId).update();
            if (chain.usageBatchSettled(batchId)) {
                continue; // mined; its log is on the way
            }
            List<Chain.UsageEntry> entries = jdbc.sql("""
                            SELECT payer_wallet, payee_wallet, amount_wei FROM credit_batch_entries WHERE batch_id = ? ORDER BY position""")
                    .param(batchId)
                    .query((rs, n) -> new Chain.UsageEntry(rs.getString(1), rs.getString(2), rs.getBigDecimal(3).toBigIntegerExact()))
                    .list();
            try {
                chain.settleUsage(batchId, entries);
            } catch (IllegalStateException e) {
                log.warn("Usage batch {} was not sent; trying again later: {}", batchId, e.getMessage());
            }
        }
    }

    /** Pays each open withdrawal request whose wallet has no charge left unsettled (the request caps it on-chain). */
    private void releaseWithdrawals() {
        record Request(String wallet, String tx) {
        }
        List<Request> requests = jdbc.sql("""
                        SELECT a.wallet, a.withdrawal_request_tx FROM credit_accounts a
                        WHERE a.pending_withdrawal_wei > 0 AND a.withdrawal_request_tx IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM credit_charges c LEFT JOIN credit_batches b ON b.id = c.batch_id
                                          WHERE c.payer_wallet = a.wallet AND (b.id IS NULL OR b.state <> 'DONE'))
                        ORDER BY a.updated_at LIMIT 50""")
                .query((rs, n) -> new Request(rs.getString(1), rs.getString(2))).list();
        for (Request r : requests) {
            if (chain.creditAccount(r.wallet()).pendingWithdrawal().signum() == 0) {
                continue; // paid already; its log is on the way
            }
            try {
                chain.releaseCreditWithdrawal(r.wallet(), r.tx());
            } catch (IllegalStateException e) {
                log.warn("The withdrawal of {} was not released; trying again later: {}", r.wallet(), e.getMessage());
            }
        }
    }

    @ApplicationModuleListener
    void on(ChainLog.UsageSettled settled) {
        int done = jdbc.sql("""
                        UPDATE credit_batches SET state = 'DONE', fee_wei = ?, shortfall_wei = ?, tx_hash = ?, log_index = ?, settled_at = now()
                        WHERE id = ? AND state = 'DUE'""")
                .params(new BigDecimal(settled.fee()), new BigDecimal(settled.shortfall()), settled.txHash(), settled.logIndex(),
                        settled.batchId())
                .update();
        if (done == 1) {
            ledger.settled(settled.batchId(), 1);
            if (settled.shortfall().signum() > 0) {
                log.warn("Usage batch {}: {} wei could not be taken (a member withdrew without the operator first)",
                        settled.batchId(), settled.shortfall());
            }
            executeSoon(); // withdrawal requests waiting for this batch
        } else if (!jdbc.sql("SELECT EXISTS (SELECT 1 FROM credit_batches WHERE id = ?)").param(settled.batchId())
                .query(Boolean.class).single()) {
            quarantine.add(settled, "a settlement of usage batch " + settled.batchId() + ", which the plaza never made");
        }
    }

    /** A request to withdraw is released as soon as the wallet's usage is settled, so settle at once. */
    @ApplicationModuleListener
    void on(ChainLog.CreditWithdrawalRequested requested) {
        executeSoon();
    }

    /** Charges held for a payee without a wallet can be batched now. */
    @ApplicationModuleListener
    void on(WalletLinked linked) {
        executeSoon();
    }

    /** A reorganisation dropped a settlement: the batch is due again (the escrow says whether to resend). */
    @ApplicationModuleListener
    void on(ChainLog.Reverted reverted) {
        jdbc.sql("""
                        UPDATE credit_batches SET state = 'DUE', checked_at = NULL, settled_at = NULL, tx_hash = NULL, log_index = NULL,
                            fee_wei = NULL, shortfall_wei = NULL
                        WHERE tx_hash = ? AND log_index = ? AND state = 'DONE' RETURNING id""")
                .params(reverted.txHash(), reverted.logIndex()).query(Long.class).optional()
                .ifPresent(batchId -> ledger.settled(batchId, -1));
    }
}
