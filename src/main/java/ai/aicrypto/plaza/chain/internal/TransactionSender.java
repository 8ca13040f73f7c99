package ai.aicrypto.plaza.chain.internal;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.sql.DataSource;

import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainProperties;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthFeeHistory;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.utils.Numeric;

/**
 * Sends the plaza's own transactions, each at most once per purpose ("settle job 42 of this
 * requester"). A transaction is simulated first (a call that would revert is refused with its reason
 * and costs no gas), priced from {@code eth_feeHistory} (EIP-1559: twice the next base fee plus the
 * median tip, capped by {@code plaza.chain.max-fee-per-gas}), signed, recorded, and only then
 * broadcast: a crash after the broadcast finds the record and does not send again. Asked for the
 * same purpose again, it returns the recorded hash while the transaction is pending, replaces it with
 * the same nonce and fees at least 25% higher once it has waited {@code replace-after} unmined, and
 * broadcasts it again as signed if the node lost it. A transaction it replaced that was mined instead of its
 * replacement is the purpose's transaction from then on (never signed anew: a plain transfer would pay twice).
 * <p>
 * The signer's nonce manager is a PostgreSQL advisory lock on its address, held by a connection of its
 * own from before the nonce is read until the broadcast has been answered: every instance sharing the
 * database takes its nonces one after another from the node's pending count, which then includes what
 * the last holder broadcast, so two never sign the same nonce. Held by a session rather than a
 * transaction because the record commits before the broadcast; a crashed holder's session ends, and
 * with it the lock.
 */
@Component
class TransactionSender {

    private static final Logger log = LoggerFactory.getLogger(TransactionSender.class);
    /** EIP-1559 replacement: nodes want at least +10% on both fees; +25% gets it mined sooner. */
    private static final BigDecimal REPLACEMENT_BUMP = new BigDecimal("1.25");
    private static final BigInteger MIN_PRIORITY_FEE = BigInteger.valueOf(1_000_000_000L);

    private final ChainProperties properties;
    private final Web3j web3j;
    private final JdbcClient jdbc;
    private final DataSource dataSource;
    private final TransactionTemplate transaction;
    private final Clock clock;

    TransactionSender(ChainProperties properties, Web3j web3j, JdbcClient jdbc, DataSource dataSource,
                      PlatformTransactionManager transactions, Clock clock) {
        this.properties = properties;
        this.dataSource = dataSource;
        // Its own transaction, committed before the broadcast, even when the caller has one open.
        this.transaction = new TransactionTemplate(transactions);
        this.transaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.web3j = web3j;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Sends {@code data} to {@code to} from {@code signer} for {@code purpose}, unless it was sent for
     * that purpose already (see the class comment).
     *
     * @return the hash of the purpose's transaction (sent now, or before)
     * @throws IllegalStateException when the call would revert (with the reason)
     */
    String send(String purpose, Credentials signer, String to, String data) {
        try (SignerLock ignored = SignerLock.take(dataSource, address(signer))) {
            Signed signed = transaction.execute(status -> sign(purpose, signer, to, data));
            if (signed.raw() != null) {
                broadcast(purpose, signed);
            }
            return signed.txHash();
        }
    }

    /** Under the signer's lock: what to send for the purpose now (nothing, the recorded bytes, or a new signature). */
    private Signed sign(String purpose, Credentials signer, String to, String data) {
        Optional<Sent> sent = jdbc.sql("""
                        SELECT nonce, gas_limit, max_fee_per_gas, max_priority_fee_per_gas, raw, tx_hash, sent_at, replaced
                        FROM chain_transactions WHERE purpose = ? FOR UPDATE""")
                .param(purpose)
                .query((rs, n) -> new Sent(rs.getLong(1), rs.getBigDecimal(2).toBigInteger(), rs.getBigDecimal(3).toBigInteger(),
                        rs.getBigDecimal(4).toBigInteger(), rs.getString(5), rs.getString(6), rs.getTimestamp(7),
                        List.of((String[]) rs.getArray(8).getArray())))
                .optional();
        if (sent.isPresent()) {
            Sent s = sent.get();
            Chain.TxState state = state(web3j, s.txHash());
            if (state == Chain.TxState.SUCCEEDED) {
                return new Signed(s.txHash(), null);
            }
            if (state == Chain.TxState.PENDING) {
                if (s.sentAt().toInstant().plus(properties.replaceAfter()).isAfter(clock.instant())) {
                    return new Signed(s.txHash(), null);
                }
                Fees fees = fees().atLeast(bump(s.maxFee()), bump(s.priorityFee())).capped(properties.maxFeePerGas());
                log.warn("{}: {} not mined after {}; replacing it (nonce {}) at {} wei per gas", purpose, s.txHash(),
                        properties.replaceAfter(), s.nonce(), fees.maxFee());
                Signed replacement = record(purpose, signer, to, data, BigInteger.valueOf(s.nonce()), s.gasLimit(), fees);
                jdbc.sql("UPDATE chain_transactions SET replaced = array_append(replaced, ?) WHERE purpose = ?")
                        .params(s.txHash(), purpose).update();
                return replacement;
            }
            if (state == Chain.TxState.UNKNOWN) {
                // Pending, not latest: a nonce that another purpose's transaction waits with is taken too.
                if (BigInteger.valueOf(s.nonce()).compareTo(nonce(signer, DefaultBlockParameterName.PENDING)) >= 0) {
                    return new Signed(s.txHash(), s.raw()); // lost by the node (or never broadcast), its nonce still free: as signed
                }
                // Its nonce taken: by a transaction it replaced, mined after all? That one is the purpose's.
                for (String earlier : s.replaced()) {
                    if (state(web3j, earlier.strip()) == Chain.TxState.SUCCEEDED) {
                        jdbc.sql("UPDATE chain_transactions SET tx_hash = ? WHERE purpose = ?").params(earlier, purpose).update();
                        return new Signed(earlier.strip(), null);
                    }
                }
            }
            // Reverted, or its nonce taken: the caller has checked that it is still wanted; sign it anew.
        }
        BigInteger gasLimit = simulate(signer, to, data);
        return record(purpose, signer, to, data, nonce(signer, DefaultBlockParameterName.PENDING), gasLimit, fees());
    }

    private Signed record(String purpose, Credentials signer, String to, String data, BigInteger nonce, BigInteger gasLimit,
                          Fees fees) {
        RawTransaction tx = RawTransaction.createTransaction(properties.chainId(), nonce, gasLimit, to, BigInteger.ZERO, data,
                fees.priorityFee(), fees.maxFee());
        String raw = Numeric.toHexString(TransactionEncoder.signMessage(tx, properties.chainId(), signer));
        String hash = Hash.sha3(raw);
        jdbc.sql("""
                        INSERT INTO chain_transactions (purpose, signer, nonce, to_address, data, gas_limit, max_fee_per_gas,
                                                        max_priority_fee_per_gas, raw, tx_hash, sent_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (purpose) DO UPDATE SET signer = EXCLUDED.signer, nonce = EXCLUDED.nonce,
                            to_address = EXCLUDED.to_address, data = EXCLUDED.data, gas_limit = EXCLUDED.gas_limit,
                            max_fee_per_gas = EXCLUDED.max_fee_per_gas, max_priority_fee_per_gas = EXCLUDED.max_priority_fee_per_gas,
                            raw = EXCLUDED.raw, tx_hash = EXCLUDED.tx_hash, sends = chain_transactions.sends + 1,
                            sent_at = EXCLUDED.sent_at""")
                .params(purpose, address(signer), nonce.longValueExact(), to.toLowerCase(Locale.ROOT), data,
                        new BigDecimal(gasLimit), new BigDecimal(fees.maxFee()), new BigDecimal(fees.priorityFee()), raw, hash,
                        Timestamp.from(clock.instant()))
                .update();
        return new Signed(hash, raw);
    }

    private void broadcast(String purpose, Signed signed) {
        EthSendTransaction answer = Rpc.call(() -> web3j.ethSendRawTransaction(signed.raw()).send());
        if (answer.hasError()) {
            String message = answer.getError().getMessage();
            // A replacement whose original was mined meanwhile, or a second instance's broadcast of the same bytes.
            if (message != null && (message.contains("already known") || message.contains("nonce too low"))) {
                log.info("{}: {} ({})", purpose, message, signed.txHash());
                return;
            }
            throw new ChainUnavailableException(new IOException(purpose + ": " + message));
        }
    }

    /** Runs the call as the signer would send it: a revert is refused here, with its reason; else the gas it needs. */
    private BigInteger simulate(Credentials signer, String to, String data) {
        var estimate = Rpc.call(() -> web3j.ethEstimateGas(Transaction.createEthCallTransaction(signer.getAddress(), to, data)).send());
        if (estimate.hasError()) {
            throw new IllegalStateException("the transaction would revert: " + estimate.getError().getMessage()
                    + (estimate.getError().getData() == null ? "" : " " + estimate.getError().getData()));
        }
        // Room for state that changes between the estimate and the block (a cold slot written first by another).
        return estimate.getAmountUsed().multiply(BigInteger.valueOf(12)).divide(BigInteger.TEN).add(BigInteger.valueOf(10_000));
    }

    /** Twice the next block's base fee plus the median tip of the last blocks, at least 1 gwei of tip, capped. */
    private Fees fees() {
        EthFeeHistory answer = Rpc.call(() -> web3j.ethFeeHistory(5, DefaultBlockParameterName.LATEST, List.of(50.0)).send());
        if (answer.hasError() || answer.getFeeHistory() == null) {
            throw new ChainUnavailableException(new IOException("eth_feeHistory: "
                    + (answer.hasError() ? answer.getError().getMessage() : "no answer")));
        }
        List<BigInteger> baseFees = answer.getFeeHistory().getBaseFeePerGas();
        BigInteger baseFee = baseFees.isEmpty() ? BigInteger.ZERO : baseFees.get(baseFees.size() - 1);
        List<BigInteger> tips = answer.getFeeHistory().getReward() == null ? List.of()
                : answer.getFeeHistory().getReward().stream().filter(r -> !r.isEmpty()).map(r -> r.get(0)).sorted().toList();
        BigInteger tip = tips.isEmpty() ? MIN_PRIORITY_FEE : tips.get(tips.size() / 2).max(MIN_PRIORITY_FEE);
        return new Fees(baseFee.shiftLeft(1).add(tip), tip).capped(properties.maxFeePerGas());
    }

    /** What the node says of a transaction now. */
    static Chain.TxState state(Web3j web3j, String txHash) {
        var receipt = Rpc.call(() -> web3j.ethGetTransactionReceipt(txHash).send()).getTransactionReceipt();
        if (receipt.isPresent()) {
            return receipt.get().isStatusOK() ? Chain.TxState.SUCCEEDED : Chain.TxState.REVERTED;
        }
        return Rpc.call(() -> web3j.ethGetTransactionByHash(txHash).send()).getTransaction().isPresent() ? Chain.TxState.PENDING
                : Chain.TxState.UNKNOWN;
    }

    private BigInteger nonce(Credentials signer, DefaultBlockParameterName block) {
        return Rpc.call(() -> web3j.ethGetTransactionCount(signer.getAddress(), block).send()).getTransactionCount();
    }

    private static BigInteger bump(BigInteger fee) {
        return new BigDecimal(fee).multiply(REPLACEMENT_BUMP).toBigInteger().add(BigInteger.ONE);
    }

    private static String address(Credentials signer) {
        return signer.getAddress().toLowerCase(Locale.ROOT);
    }

    /** The signer's advisory lock, on a connection of its own (see the class comment); released on close. */
    private record SignerLock(Connection connection, String signer) implements AutoCloseable {

        static SignerLock take(DataSource dataSource, String signer) {
            try {
                Connection connection = dataSource.getConnection();
                try {
                    connection.setAutoCommit(true);
                    call(connection, "SELECT pg_advisory_lock(hashtextextended(?, 0))", signer);
                    return new SignerLock(connection, signer);
                } catch (SQLException | RuntimeException e) {
                    connection.close();
                    throw e;
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot take the nonce lock of " + signer, e);
            }
        }

        @Override
        public void close() {
            try (connection) {
                call(connection, "SELECT pg_advisory_unlock(hashtextextended(?, 0))", signer);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot release the nonce lock of " + signer, e);
            }
        }

        private static void call(Connection connection, String sql, String signer) throws SQLException {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, "chain-signer:" + signer);
                statement.execute();
            }
        }
    }

    /** @param replaced the transactions of the purpose this one replaced, oldest first */
    private record Sent(long nonce, BigInteger gasLimit, BigInteger maxFee, BigInteger priorityFee, String raw, String txHash,
                        Timestamp sentAt, List<String> replaced) {
    }

    /** @param raw the signed transaction to broadcast; null when nothing is to be sent now */
    private record Signed(String txHash, String raw) {
    }

    private record Fees(BigInteger maxFee, BigInteger priorityFee) {

        Fees atLeast(BigInteger maxFee, BigInteger priorityFee) {
            return new Fees(this.maxFee.max(maxFee), this.priorityFee.max(priorityFee));
        }

        /** A fee above the cap is sent at the cap (it waits for cheaper blocks); the tip never exceeds the fee. */
        Fees capped(BigInteger cap) {
            if (maxFee.compareTo(cap) > 0) {
                log.warn("Fees of {} wei per gas are above the cap of {}; sending at the cap", maxFee, cap);
                return new Fees(cap, priorityFee.min(cap));
            }
            return this;
        }
    }
}
