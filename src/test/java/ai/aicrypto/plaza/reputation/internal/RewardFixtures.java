package ai.aicrypto.plaza.reputation.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Locale;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.support.TestChain;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;

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
        TestChain chain = TestChain.deployFor(registry);
        registry.add("plaza.rewards.epoch", () -> "1h");
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
}
