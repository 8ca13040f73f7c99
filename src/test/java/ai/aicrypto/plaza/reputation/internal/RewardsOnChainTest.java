package ai.aicrypto.plaza.reputation.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An epoch on anvil with the real contracts: an honest buyer (who bought from the owner before, a repeat customer), a
 * buyer the owner funded in AIC, a buyer funded by the member who funded the owner, and that member buy the owner's
 * listing; the operator's faucet funded the owner and the honest buyer too, which links nobody. The epoch closes once,
 * the funded buyers' and the funding member's uses count zero (the why page names the rules), the root is published
 * through the plaza's sender, and the owner claims exactly the emission with the proof the rewards page prepares; a
 * second claim is refused on-chain and by the page.
 */
class RewardsOnChainTest extends IntegrationTest {

    private static final Duration EPOCH = Duration.ofHours(1);
    private static final Instant GENESIS = Instant.now().minus(Duration.ofMinutes(5));
    private static TestChain chain;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        chain = RewardFixtures.hourlyEpochsOnChain(registry, GENESIS, "1000");
    }

    @Autowired
    TestUsers users;
    @Autowired
    Accounts accounts;
    @Autowired
    RewardEpochs epochs;
    @Autowired
    JsonMapper json;

    @Test
    void anEpochClosesOncePublishesItsRootAndPaysTheClaimExactlyOnce() throws Exception {
        AccountPrincipal owner = users.member(), honest = users.member(), funded = users.member(), cousin = users.member(),
                patron = users.member();
        link(owner, 1);
        link(honest, 2);
        link(funded, 3);
        link(cousin, 4);
        link(patron, 5);
        // The faucet funds the owner, the honest buyer and the patron; the owner funds one buyer, and the patron, a member
        // like any other, funds both the owner and another buyer.
        for (int wallet : new int[] {1, 2, 5}) {
            chain.fund(TestChain.address(wallet), TestChain.AIC.multiply(BigInteger.valueOf(100)));
        }
        chain.tokenAs(1).transfer(TestChain.address(3), TestChain.AIC.multiply(BigInteger.valueOf(10))).send();
        chain.tokenAs(5).transfer(TestChain.address(1), TestChain.AIC.multiply(BigInteger.valueOf(10))).send();
        chain.tokenAs(5).transfer(TestChain.address(4), TestChain.AIC.multiply(BigInteger.valueOf(10))).send();
        // The honest buyer paid the owner before, for a license of an earlier epoch the plaza recorded: a repeat customer,
        // whose purchase funds nobody (the market paid the owner from her wallet so, the fee apart).
        long listing = RewardFixtures.listing(jdbc, owner, "Rated data");
        String earlier = chain.tokenAs(2).transfer(TestChain.address(1), TestChain.AIC.multiply(BigInteger.valueOf(5))).send()
                .getTransactionHash();
        RewardFixtures.license(jdbc, listing, honest, 2, earlier, GENESIS.minus(Duration.ofDays(1)));
        chain.mine(3);

        Instant boughtAt = GENESIS.plus(Duration.ofMinutes(1));
        RewardFixtures.license(jdbc, listing, honest, 2, "0x" + "a1".repeat(32), boughtAt);
        RewardFixtures.license(jdbc, listing, funded, 3, "0x" + "b2".repeat(32), boughtAt.plusSeconds(1));
        RewardFixtures.license(jdbc, listing, funded, 3, "0x" + "c3".repeat(32), boughtAt.plusSeconds(2));
        RewardFixtures.license(jdbc, listing, cousin, 4, "0x" + "d4".repeat(32), boughtAt.plusSeconds(3));
        // The patron sent the owner AIC as a gift, not for a purchase, and buys too.
        RewardFixtures.license(jdbc, listing, patron, 5, "0x" + "e5".repeat(32), boughtAt.plusSeconds(4));

        Instant after = GENESIS.plus(EPOCH).plusSeconds(1);
        assertThat(epochs.closeEndedBy(after)).isEqualTo(1);
        assertThat(epochs.closeEndedBy(after)).as("an epoch closes once").isZero();
        assertThat(count("reward_epochs")).isEqualTo(1);

        assertThat(jdbc.sql("SELECT score FROM contribution_scores WHERE contribution_id = ?").param(listing).query(Long.class).single())
                .as("only the honest buyer's license counts: the faucet that funded both links nobody, nor her earlier payment").isEqualTo(1000);
        assertThat(jdbc.sql("SELECT rule FROM contribution_uses WHERE user_id = ? ORDER BY used_at").param(funded.id())
                .query(String.class).list()).containsExactly("FUNDING_LINK", "FUNDING_LINK");
        assertThat(jdbc.sql("SELECT rule FROM contribution_uses WHERE user_id = ?").param(cousin.id()).query(String.class).list())
                .as("a member who funded both the owner and the buyer links them, as a common funder").containsExactly("COMMON_FUNDER");
        assertThat(jdbc.sql("SELECT rule FROM contribution_uses WHERE user_id = ?").param(patron.id()).query(String.class).list())
                .as("a member who funded the owner, other than by buying, is refused").containsExactly("MEMBER_FUNDED_OWNER");
        assertThat(jdbc.sql("SELECT uses FROM reward_exclusions WHERE user_id = ?").param(owner.id()).query(Integer.class).list())
                .as("the owner's own funding of a buyer is held against them (twice); the patron's is not").containsExactly(2);
        mvc.perform(get("/contributions/LISTING/" + listing + "/epochs/1").locale(Locale.ENGLISH))
                .andExpect(status().isOk())
                .andExpect(content().string(org.hamcrest.Matchers.containsString("data-rule=\"FUNDING_LINK\"")))
                .andExpect(content().string(org.hamcrest.Matchers.containsString("funding link")))
                .andExpect(content().string(org.hamcrest.Matchers.containsString("data-rule=\"COMMON_FUNDER\"")))
                .andExpect(content().string(org.hamcrest.Matchers.containsString("data-rule=\"MEMBER_FUNDED_OWNER\"")))
                .andExpect(content().string(org.hamcrest.Matchers.containsString("other than by buying from them")));
        // The pages name the listing by its title, while it is published (issue 17: they said "Listing #N").
        for (String page : new String[] {"/contributions/LISTING/" + listing + "/epochs/1", "/members/" + owner.getUsername()}) {
            mvc.perform(get(page).locale(Locale.ENGLISH)).andExpect(status().isOk())
                    .andExpect(content().string(org.hamcrest.Matchers.containsString("Rated data")))
                    .andExpect(content().string(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("Listing #" + listing))));
        }
        mvc.perform(get("/contributions/LISTING/" + listing).locale(Locale.ENGLISH))
                .andExpect(content().string(org.hamcrest.Matchers.containsString("id=\"contribution-name\">Rated data<")));
        jdbc.sql("UPDATE listings SET status = 'UNPUBLISHED' WHERE id = ?").param(listing).update();
        mvc.perform(get("/contributions/LISTING/" + listing + "/epochs/1").locale(Locale.ENGLISH))
                .andExpect(content().string(org.hamcrest.Matchers.containsString("Listing #" + listing)))
                .andExpect(content().string(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("Rated data"))));
        jdbc.sql("UPDATE listings SET status = 'PUBLISHED' WHERE id = ?").param(listing).update();

        // Published by the plaza's sender, learnt from the confirmed log.
        BigInteger emission = TestChain.AIC.multiply(BigInteger.valueOf(1000));
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            chain.mine(1);
            return jdbc.sql("SELECT published_at IS NOT NULL FROM reward_epochs WHERE epoch = 1").query(Boolean.class).single();
        });
        assertThat(chain.rewards.outstanding(BigInteger.ONE).send()).isEqualTo(emission);

        // The Coin Payroll shows the allocation as pending until the claim (issue 17).
        assertThat(earningsCsv(owner)).anySatisfy(row -> assertThat(row).contains(",REWARD,,epoch 1,1000,0,1000,PENDING,,,"));

        // The owner claims from the rewards page's transaction, with their wallet.
        mvc.perform(get("/rewards").with(user(owner))).andExpect(status().isOk())
                .andExpect(content().string(org.hamcrest.Matchers.containsString("id=\"claim-1\"")));
        JsonNode tx = json.readTree(mvc.perform(post("/rewards/1/claim/transaction").with(user(owner)).with(csrf()))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString());
        mvc.perform(post("/rewards/1/claim/transaction").with(user(honest)).with(csrf())).andExpect(status().isNotFound());
        BigInteger before = chain.balance(1);
        String beforeClaim = chain.snapshot();
        var dropped = chain.send(1, tx.get("to").asString(), tx.get("data").asString());
        assertThat(dropped.isStatusOK()).isTrue();
        awaitClaimTx(dropped.getTransactionHash());

        // A reorganisation drops the claim: the allocation is unclaimed again, on the chain and on the plaza's pages.
        chain.revert(beforeClaim);
        chain.mine(5);
        awaitClaimTx(null);
        assertThat(chain.balance(1)).isEqualTo(before);
        assertThat(earningsCsv(owner)).anySatisfy(row -> assertThat(row).contains(",REWARD,,epoch 1,1000,0,1000,PENDING,,,"));
        mvc.perform(get("/rewards").with(user(owner))).andExpect(status().isOk())
                .andExpect(content().string(org.hamcrest.Matchers.containsString("id=\"claim-1\"")));

        // Sent again after the reorganisation, the claim is mined and recorded once more.
        var receipt = chain.send(1, tx.get("to").asString(), tx.get("data").asString());
        assertThat(receipt.isStatusOK()).isTrue();
        assertThat(chain.balance(1)).isEqualTo(before.add(emission));
        var again = chain.send(1, tx.get("to").asString(), tx.get("data").asString());
        assertThat(again.isStatusOK()).as("a second claim reverts").isFalse();
        assertThat(chain.balance(1)).isEqualTo(before.add(emission));

        awaitClaimTx(receipt.getTransactionHash());
        assertThat(earningsCsv(owner)).anySatisfy(row -> assertThat(row).contains(",REWARD,,epoch 1,1000,0,1000,PAID,"
                + receipt.getTransactionHash() + "," + receipt.getBlockNumber() + ","));
        mvc.perform(post("/rewards/1/claim/transaction").with(user(owner)).with(csrf()).locale(Locale.ENGLISH))
                .andExpect(status().isBadRequest())
                .andExpect(content().string(org.hamcrest.Matchers.containsString("claimed already")));
    }

    /** Waits until the plaza records {@code txHash} as the claim of epoch 1's allocation (null: as unclaimed). */
    private void awaitClaimTx(String txHash) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            chain.mine(1);
            return java.util.Objects.equals(txHash,
                    jdbc.sql("SELECT claim_tx FROM reward_allocations WHERE epoch = 1").query(String.class).optional().orElse(null));
        });
    }

    private void link(AccountPrincipal member, int account) {
        accounts.linkWalletTrusted(member.id(), TestChain.address(account).toLowerCase(Locale.ROOT));
    }
}
