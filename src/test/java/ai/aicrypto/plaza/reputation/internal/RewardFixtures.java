package ai.aicrypto.plaza.reputation.internal;

import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.chain.contracts.AICToken;
import ai.aicrypto.plaza.chain.contracts.Marketplace;
import ai.aicrypto.plaza.support.TestChain;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

/** The rows the rewards tests score: a published listing, and its licenses as the market records them. */
final class RewardFixtures {

    private RewardFixtures() {
    }

    /**
     * Deploys the contracts for the test and sets hourly epochs from {@code genesis} with {@code emissionAic} each, which
     * the test closes itself. The deployer and the tests' bank, which funds every wallet here, are the operator's wallets
     * (ops/run and ops/test name their faucet so): they fund fewer wallets than a hub's count, so only this rule keeps
     * them from linking the members.
     */
    static TestChain hourlyEpochsOnChain(DynamicPropertyRegistry registry, Instant genesis, String emissionAic) {
        return epochsOnChain(registry, genesis, Duration.ofHours(1), emissionAic);
    }

    /** As {@link #hourlyEpochsOnChain}, with epochs of {@code epoch}. */
    static TestChain epochsOnChain(DynamicPropertyRegistry registry, Instant genesis, Duration epoch, String emissionAic) {
        TestChain chain = TestChain.deployFor(registry);
        registry.add("plaza.rewards.epoch", () -> epoch.toSeconds() + "s");
        registry.add("plaza.rewards.genesis", genesis::toString);
        registry.add("plaza.rewards.emission-per-epoch-aic", () -> emissionAic);
        registry.add("plaza.rewards.operator-wallets", () -> TestChain.address(0) + "," + TestChain.address(TestChain.BANK));
        registry.add("plaza.rewards.close-interval", () -> "1h");
        return chain;
    }

    static long listing(JdbcClient jdbc, AccountPrincipal owner, String title) {
        return jdbc.sql("""
                        INSERT INTO listings (kind, owner_id, title, license, price_aic, status)
                        VALUES ('DATASET', ?, ?, 'MIT', 5, 'PUBLISHED') RETURNING id""")
                .params(owner.id(), title).query(Long.class).single();
    }

    /** A license as the market records it from a confirmed purchase (the purchase flow has tests of its own). */
    static void license(JdbcClient jdbc, long listing, AccountPrincipal buyer, int wallet, String txHash, Instant at) {
        jdbc.sql("""
                        INSERT INTO licenses (listing_id, user_id, buyer_address, price_wei, fee_wei, tx_hash, log_index, granted_at)
                        VALUES (?, ?, ?, 5000000000000000000, 125000000000000000, ?, 0, ?)""")
                .params(listing, buyer.id(), TestChain.address(wallet).toLowerCase(Locale.ROOT), txHash, Timestamp.from(at)).update();
    }

    /**
     * A wallet of a test's own, for markets of more members than anvil's dev accounts: the same name gives the same key.
     * It holds 100 ETH for gas and no AIC until a test sends it some.
     */
    record Wallet(Credentials credentials) {

        static Wallet named(TestChain chain, String name) {
            Wallet wallet = new Wallet(Credentials.create(Hash.sha3String("plaza test wallet " + name)));
            chain.fundGas(wallet.address());
            return wallet;
        }

        /** Lower-case, as the plaza keeps wallets. */
        String address() {
            return credentials.getAddress().toLowerCase(Locale.ROOT);
        }

        AICToken token(TestChain chain) {
            return AICToken.load(chain.token.getContractAddress(), chain.web3j, transactions(chain), new DefaultGasProvider());
        }

        Marketplace market(TestChain chain) {
            return Marketplace.load(chain.market.getContractAddress(), chain.web3j, transactions(chain), new DefaultGasProvider());
        }

        /** Sends a transaction the plaza prepared (to, data) and waits for its receipt. */
        TransactionReceipt send(TestChain chain, String to, String data) throws Exception {
            var sent = transactions(chain).sendTransaction(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(300_000), to, data,
                    BigInteger.ZERO);
            if (sent.hasError()) {
                throw new IllegalStateException(sent.getError().getMessage());
            }
            return chain.receipt(sent.getTransactionHash());
        }

        BigInteger aic(TestChain chain) throws Exception {
            return chain.token.balanceOf(address()).send();
        }

        BigInteger eth(TestChain chain) throws Exception {
            return chain.web3j.ethGetBalance(address(), org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send().getBalance();
        }

        private TransactionManager transactions(TestChain chain) {
            return new RawTransactionManager(chain.web3j, credentials, 31337, new PollingTransactionReceiptProcessor(chain.web3j, 100, 100));
        }
    }
}
