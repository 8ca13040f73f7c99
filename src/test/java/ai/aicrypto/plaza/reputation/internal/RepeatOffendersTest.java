package ai.aicrypto.plaza.reputation.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.reputation.RewardsProperties;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Repeat offenders through the closing of epochs: an owner with two uses refused for self-dealing in an epoch (circular
 * trades with a partner) is excluded for the next two epochs, as configured; an honest member's licenses of their
 * listing then count zero naming the rule, and count again after. The partner, with one refused use, is no offender.
 * No chain: without one nobody is linked by funding, and circular trades need none.
 */
class RepeatOffendersTest extends IntegrationTest {

    // The real time lies in epoch 1 while the context starts, so the scheduled close finds no ended epoch; the test
    // closes epochs itself, at the instants it names.
    private static final Instant GENESIS = Instant.now().minus(Duration.ofMinutes(5));

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("plaza.rewards.epoch", () -> "1h");
        registry.add("plaza.rewards.genesis", GENESIS::toString);
        registry.add("plaza.rewards.emission-per-epoch-aic", () -> "1000");
        registry.add("plaza.rewards.offender-uses", () -> "2");
        registry.add("plaza.rewards.exclusion-epochs", () -> "2");
        registry.add("plaza.rewards.close-interval", () -> "1h");
    }

    @Autowired
    TestUsers users;
    @Autowired
    Accounts accounts;
    @Autowired
    RewardEpochs epochs;
    @Autowired
    RewardsProperties rewards;

    private int purchases;

    @Test
    void anOwnerRefusedTwiceForSelfDealingIsExcludedForTheConfiguredEpochsThenCountsAgain() throws Exception {
        AccountPrincipal owner = users.withWallet(1), partner = users.withWallet(2), honest = users.withWallet(3);
        long ownersListing = listing(owner), partnersListing = listing(partner);
        license(1, ownersListing, partner);
        license(1, ownersListing, partner);
        license(1, partnersListing, owner);
        license(1, ownersListing, honest);

        assertThat(epochs.closeEndedBy(rewards.endOf(1).plusSeconds(1))).isEqualTo(1);

        assertThat(jdbc.sql("SELECT user_id || ':' || from_epoch || '-' || until_epoch || ':' || uses FROM reward_exclusions")
                .query(String.class).list())
                .as("the owner, from the next epoch for two, with the two refused uses; not the partner with one")
                .containsExactly(owner.id() + ":2-3:2");
        assertThat(rulesOf(ownersListing, partner)).containsExactly("1:CIRCULAR_TRADE", "1:CIRCULAR_TRADE");

        for (long epoch = 2; epoch <= 4; epoch++) {
            license(epoch, ownersListing, honest);
            license(epoch, partnersListing, honest);
        }
        assertThat(epochs.closeEndedBy(rewards.endOf(4).plusSeconds(1))).isEqualTo(3);

        assertThat(rulesOf(ownersListing, honest)).as("counted in the epoch of the offence, excluded in the next two, counted after")
                .containsExactly("1:1000", "2:EXCLUDED_OWNER", "3:EXCLUDED_OWNER", "4:1000");
        assertThat(scoredEpochs(ownersListing)).containsExactly(1L, 4L);
        assertThat(scoredEpochs(partnersListing)).as("the exclusion is the owner's alone").containsExactly(2L, 3L, 4L);
        assertThat(jdbc.sql("SELECT epoch FROM reward_allocations WHERE user_id = ? ORDER BY epoch").param(owner.id())
                .query(Long.class).list()).as("the owner's rewards").containsExactly(1L, 4L);
        assertThat(count("reward_exclusions")).as("nothing refused since: no further exclusion").isEqualTo(1);
        mvc.perform(get("/contributions/LISTING/" + ownersListing + "/epochs/2"))
                .andExpect(status().isOk())
                .andExpect(content().string(Matchers.containsString("data-rule=\"EXCLUDED_OWNER\"")));
    }

    private long listing(AccountPrincipal owner) {
        return jdbc.sql("""
                        INSERT INTO listings (kind, owner_id, title, license, price_aic, status)
                        VALUES ('DATASET', ?, 'Rated data', 'MIT', 5, 'PUBLISHED') RETURNING id""")
                .param(owner.id()).query(Long.class).single();
    }

    /** A license bought in the epoch from the buyer's wallet, as the market records it from a confirmed purchase. */
    private void license(long epoch, long listing, AccountPrincipal buyer) {
        int purchase = ++purchases;
        jdbc.sql("""
                        INSERT INTO licenses (listing_id, user_id, buyer_address, price_wei, fee_wei, tx_hash, log_index, granted_at)
                        VALUES (?, ?, ?, 5000000000000000000, 125000000000000000, ?, 0, ?)""")
                .params(listing, buyer.id(), accounts.wallets(buyer.id()).get(0), "0x%064x".formatted(purchase),
                        Timestamp.from(rewards.startOf(epoch).plusSeconds(purchase)))
                .update();
    }

    /** The member's uses of the listing, oldest first, as "epoch:points" when counted and "epoch:RULE" when not. */
    private List<String> rulesOf(long listing, AccountPrincipal member) {
        return jdbc.sql("""
                        SELECT epoch || ':' || coalesce(rule, points::text) FROM contribution_uses
                        WHERE contribution_type = 'LISTING' AND contribution_id = ? AND user_id = ? ORDER BY used_at""")
                .params(listing, member.id()).query(String.class).list();
    }

    private List<Long> scoredEpochs(long listing) {
        return jdbc.sql("SELECT epoch FROM contribution_scores WHERE contribution_type = 'LISTING' AND contribution_id = ? ORDER BY epoch")
                .param(listing).query(Long.class).list();
    }
}
