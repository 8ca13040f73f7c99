package ai.aicrypto.plaza.reputation.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Unclaimed rewards roll over (issue 17): an epoch of 900 AIC is published on anvil with two allocations, 600 AIC that
 * its owner claims and 300 AIC left unclaimed. Within the claim period (a day on the tests' RewardsDistributor) the
 * upkeep sends nothing; past it, the upkeep sends expire from the operator, the ecosystem wallet gets exactly the
 * 300 AIC back, the epoch shows as expired once the log is confirmed, a late claim is refused, and the Coin Payroll no
 * longer counts the expired allocation as pending.
 */
class RewardsExpiryOnChainTest extends IntegrationTest {

    private static final Duration EPOCH = Duration.ofHours(1);
    private static final Instant GENESIS = Instant.now().minus(Duration.ofMinutes(5));
    private static final int CLAIMING_OWNER = 1, IDLE_OWNER = 2, ECOSYSTEM_WALLET = 0;
    private static final BigInteger EMISSION = TestChain.AIC.multiply(BigInteger.valueOf(900));
    private static final BigInteger CLAIMED = TestChain.AIC.multiply(BigInteger.valueOf(600));
    private static final BigInteger UNCLAIMED = TestChain.AIC.multiply(BigInteger.valueOf(300));
    private static TestChain chain;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        chain = RewardFixtures.hourlyEpochsOnChain(registry, GENESIS, "900");
        registry.add("plaza.rewards.expire-interval", () -> "1h"); // the test runs the upkeep itself, with the chain's time
    }

    @Autowired
    TestUsers users;
    @Autowired
    RewardEpochs epochs;
    @Autowired
    RewardPublishing publishing;
    @Autowired
    JsonMapper json;

    /** The test moves the shared chain's clock past the claim period; later tests sign permits by the wall clock. */
    @AfterEach
    void resetTheChainsClock() {
        chain.resetClock();
    }

    @Test
    void anEpochPastItsClaimDeadlineReturnsExactlyWhatWasNotClaimedToTheEcosystemWallet() throws Exception {
        AccountPrincipal claimer = users.withWallet(CLAIMING_OWNER), idle = users.withWallet(IDLE_OWNER);
        // The claimer's listing is licensed by two members, the idle owner's by one: 600 and 300 of the 900 AIC.
        long claimersListing = RewardFixtures.listing(jdbc, claimer, "Claimed data");
        long idleListing = RewardFixtures.listing(jdbc, idle, "Forgotten data");
        Instant boughtAt = GENESIS.plus(Duration.ofMinutes(1));
        RewardFixtures.license(jdbc, claimersListing, users.withWallet(3), 3, "0x" + "a1".repeat(32), boughtAt);
        RewardFixtures.license(jdbc, claimersListing, users.withWallet(4), 4, "0x" + "b2".repeat(32), boughtAt.plusSeconds(1));
        RewardFixtures.license(jdbc, idleListing, users.withWallet(5), 5, "0x" + "c3".repeat(32), boughtAt.plusSeconds(2));

        BigInteger ecosystemBefore = chain.balance(ECOSYSTEM_WALLET);
        assertThat(epochs.closeEndedBy(GENESIS.plus(EPOCH).plusSeconds(1))).isEqualTo(1);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            chain.mine(1);
            return jdbc.sql("SELECT published_at IS NOT NULL FROM reward_epochs WHERE epoch = 1").query(Boolean.class).single();
        });
        assertThat(chain.balance(ECOSYSTEM_WALLET)).isEqualTo(ecosystemBefore.subtract(EMISSION));
        assertThat(jdbc.sql("SELECT amount_wei FROM reward_allocations WHERE epoch = 1 ORDER BY leaf_index")
                .query((rs, n) -> rs.getBigDecimal(1).toBigIntegerExact()).list()).containsExactly(CLAIMED, UNCLAIMED);
        Instant deadline = jdbc.sql("SELECT claim_deadline FROM reward_epochs WHERE epoch = 1").query(Timestamp.class).single()
                .toInstant();
        mvc.perform(get("/rewards").with(user(idle)).locale(Locale.ENGLISH)).andExpect(status().isOk())
                .andExpect(content().string(containsString("datetime=\"" + deadline + "\"")))
                .andExpect(content().string(containsString("id=\"claim-1\"")));

        // One owner claims; the other leaves their allocation unclaimed (its transaction is kept for a late try).
        JsonNode claim = claimTransaction(claimer);
        JsonNode lateClaim = claimTransaction(idle);
        var claimed = chain.send(CLAIMING_OWNER, claim.get("to").asString(), claim.get("data").asString());
        assertThat(claimed.isStatusOK()).isTrue();
        assertThat(chain.balance(CLAIMING_OWNER)).isEqualTo(CLAIMED);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            chain.mine(1);
            return jdbc.sql("SELECT claim_tx IS NOT NULL FROM reward_allocations WHERE epoch = 1 AND user_id = ?")
                    .param(claimer.id()).query(Boolean.class).single();
        });
        assertThat(earningsCsv(idle)).anySatisfy(row -> assertThat(row).contains(",REWARD,,epoch 1,300,0,300,PENDING,,,"));

        // Within the claim period the upkeep sends nothing: by the plaza's clock the deadline is a day away, and when
        // the plaza's clock is ahead of the chain's, the contract would refuse it (simulated, never sent).
        publishing.expireLapsed(Instant.now());
        publishing.expireLapsed(deadline);
        assertThat(jdbc.sql("SELECT count(*) FROM chain_transactions WHERE purpose LIKE 'rewards-expire:%'").query(Long.class).single())
                .isZero();
        assertThat(chain.rewards.outstanding(BigInteger.ONE).send()).isEqualTo(UNCLAIMED);

        // Past the deadline on the chain, the upkeep sends expire from the operator and the ecosystem wallet gets the rest.
        chain.warp(deadline.getEpochSecond() - chain.now() + 5);
        Instant chainNow = Instant.ofEpochSecond(chain.now());
        publishing.expireLapsed(chainNow);
        record Sent(String signer, String txHash) {
        }
        Sent expiry = jdbc.sql("SELECT signer, tx_hash FROM chain_transactions WHERE purpose = 'rewards-expire:1'")
                .query((rs, n) -> new Sent(rs.getString(1).strip(), rs.getString(2).strip())).single();
        assertThat(expiry.signer()).isEqualToIgnoringCase(TestChain.address(TestChain.ESCROW_OPERATOR));
        assertThat(chain.receipt(expiry.txHash()).isStatusOK()).isTrue();
        assertThat(chain.balance(ECOSYSTEM_WALLET)).isEqualTo(ecosystemBefore.subtract(EMISSION).add(UNCLAIMED));
        assertThat(chain.rewards.outstanding(BigInteger.ONE).send()).isZero();
        assertThat(expired()).as("expired from the confirmed log, not from the send").isFalse();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            chain.mine(1);
            return expired();
        });

        // Asked again, the upkeep has nothing left to send.
        publishing.expireLapsed(chainNow);
        assertThat(jdbc.sql("SELECT count(*), sum(sends) FROM chain_transactions WHERE purpose LIKE 'rewards-expire:%'")
                .query((rs, n) -> rs.getLong(1) + "/" + rs.getLong(2)).single()).isEqualTo("1/1");

        // A late claim is refused, on-chain and by the page.
        var late = chain.send(IDLE_OWNER, lateClaim.get("to").asString(), lateClaim.get("data").asString());
        assertThat(late.isStatusOK()).isFalse();
        assertThat(chain.balance(IDLE_OWNER)).isZero();
        assertThat(chain.balance(ECOSYSTEM_WALLET)).isEqualTo(ecosystemBefore.subtract(CLAIMED));
        mvc.perform(post("/rewards/1/claim/transaction").with(user(idle)).with(csrf()).locale(Locale.ENGLISH))
                .andExpect(status().isBadRequest())
                .andExpect(content().string(containsString("cannot be claimed now")));

        // The Coin Payroll no longer owes the expired allocation; the claimed one stays paid.
        assertThat(earningsCsv(idle)).noneSatisfy(row -> assertThat(row).contains(",REWARD,"));
        assertThat(earningsCsv(claimer)).anySatisfy(row -> assertThat(row).contains(",REWARD,,epoch 1,600,0,600,PAID,"
                + claimed.getTransactionHash() + ","));

        // The rewards page states the deadline and where the unclaimed rewards went.
        mvc.perform(get("/rewards").with(user(idle)).locale(Locale.ENGLISH)).andExpect(status().isOk())
                .andExpect(content().string(containsString("datetime=\"" + deadline + "\"")))
                .andExpect(content().string(containsString("unclaimed rewards went back to the Ecosystem Incentive pool")))
                .andExpect(content().string(not(containsString("id=\"claim-1\""))));
        mvc.perform(get("/rewards").with(user(idle)).locale(Locale.KOREAN)).andExpect(status().isOk())
                .andExpect(content().string(containsString("생태계 인센티브 풀로 돌아갔습니다")));
        mvc.perform(get("/rewards").with(user(claimer)).locale(Locale.ENGLISH)).andExpect(status().isOk())
                .andExpect(content().string(containsString("class=\"reward-claimed\"")))
                .andExpect(content().string(containsString("class=\"reward-expired\"")));
    }

    private boolean expired() {
        return jdbc.sql("SELECT expired FROM reward_epochs WHERE epoch = 1").query(Boolean.class).single();
    }

    private JsonNode claimTransaction(AccountPrincipal owner) throws Exception {
        return json.readTree(mvc.perform(post("/rewards/1/claim/transaction").with(user(owner)).with(csrf()))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString());
    }

}
