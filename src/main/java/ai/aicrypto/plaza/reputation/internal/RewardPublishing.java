package ai.aicrypto.plaza.reputation.internal;

import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainLog;
import ai.aicrypto.plaza.chain.ChainLogQuarantine;
import ai.aicrypto.plaza.chain.ChainSends;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.web3j.utils.Numeric;

/**
 * Publishes closed epochs' roots to the RewardsDistributor and expires published epochs whose claim
 * deadline has passed, so that what nobody claimed rolls over to the ecosystem wallet (two chain tasks,
 * through the one sender: once per epoch, the purposes "rewards:N" and "rewards-expire:N"), and learns
 * from confirmed logs what happened on-chain: an epoch published (and its claim deadline), a leaf
 * claimed, an epoch expired. A log that does not match what the plaza closed (another root or amount,
 * a leaf it never allocated) is quarantined.
 */
@Component
class RewardPublishing {

    private static final Logger log = LoggerFactory.getLogger(RewardPublishing.class);

    private final Chain chain;
    private final JdbcClient jdbc;
    private final ChainLogQuarantine quarantine;
    private final ChainSends sends;
    private final Clock clock;

    RewardPublishing(Chain chain, JdbcClient jdbc, ChainLogQuarantine quarantine, ChainSends sends, Clock clock) {
        this.sends = sends;
        this.clock = clock;
        this.chain = chain;
        this.jdbc = jdbc;
        this.quarantine = quarantine;
    }

    /** Asks for the publishing task (again: a root whose send failed, or was dropped, is sent at the next turn). */
    @Scheduled(fixedDelayString = "${plaza.rewards.close-interval:1m}")
    void publishSoon() {
        if (chain.enabled() && chain.contracts().rewardsPaidOnChain()) {
            sends.run("rewards-publish", this::publishClosed);
        }
    }

    /** Chain task: sends every closed, unpublished root (the sender returns the pending hash when asked again). */
    void publishClosed() {
        record Due(long epoch, String root, BigInteger amount, long leaves) {
        }
        List<Due> due = jdbc.sql("""
                        SELECT e.epoch, e.merkle_root, e.allocated_wei,
                               (SELECT count(*) FROM reward_allocations a WHERE a.epoch = e.epoch)
                        FROM reward_epochs e
                        WHERE e.merkle_root IS NOT NULL AND e.published_at IS NULL ORDER BY e.epoch""")
                .query((rs, n) -> new Due(rs.getLong(1), rs.getString(2), rs.getBigDecimal(3).toBigIntegerExact(), rs.getLong(4)))
                .list();
        for (Due d : due) {
            try {
                String tx = chain.publishRewards(d.epoch(), Numeric.hexStringToByteArray(d.root()), d.amount(), d.leaves());
                jdbc.sql("UPDATE reward_epochs SET publish_tx = ? WHERE epoch = ?").params(tx, d.epoch()).update();
            } catch (IllegalStateException e) {
                // Simulated and refused (the ecosystem wallet's allowance or balance is short): nothing was sent.
                log.error("Rewards: epoch {} cannot be published: {}", d.epoch(), e.getMessage());
            }
        }
    }

    /** Asks for the expiry task; claim periods last months (90 days by default), so an hourly look is soon enough. */
    @Scheduled(fixedDelayString = "${plaza.rewards.expire-interval:1h}")
    void expireLapsedSoon() {
        if (chain.enabled() && chain.contracts().rewardsPaidOnChain()) {
            sends.run("rewards-expire", () -> expireLapsed(clock.instant()));
        }
    }

    /**
     * Chain task: sends expire for every published epoch whose claim deadline had passed by {@code now} and that is not
     * expired yet. The epoch shows as expired from the confirmed log, never from the send; until then the sender
     * returns the purpose's transaction when asked again, and sends nothing twice.
     */
    void expireLapsed(Instant now) {
        List<Long> lapsed = jdbc.sql("""
                        SELECT epoch FROM reward_epochs
                        WHERE published_at IS NOT NULL AND NOT expired AND claim_deadline <= ? ORDER BY epoch""")
                .param(Timestamp.from(now))
                .query(Long.class)
                .list();
        for (long epoch : lapsed) {
            try {
                chain.expireRewards(epoch);
            } catch (IllegalStateException e) {
                // Simulated and refused (the chain's clock is behind this one, or someone expired it first): nothing was sent.
                log.warn("Rewards: epoch {} cannot be expired now: {}", epoch, e.getMessage());
            }
        }
    }

    @ApplicationModuleListener
    void on(ChainLog.RewardsPublished published) {
        int matched = jdbc.sql("""
                        UPDATE reward_epochs SET published_at = now(), claim_deadline = ?
                        WHERE epoch = ? AND merkle_root = ? AND allocated_wei = ?""")
                .params(Timestamp.from(Instant.ofEpochSecond(published.claimDeadline())), published.epoch(), published.root(),
                        new java.math.BigDecimal(published.amount()))
                .update();
        if (matched == 0) {
            quarantine.add(published, "no closed epoch " + published.epoch() + " with this root and amount");
        }
    }

    @ApplicationModuleListener
    void on(ChainLog.RewardClaimed claimed) {
        int matched = jdbc.sql("""
                        UPDATE reward_allocations SET claim_tx = ?, claimed_at = now()
                        WHERE epoch = ? AND leaf_index = ? AND wallet = ? AND amount_wei = ?""")
                .params(claimed.txHash(), claimed.epoch(), claimed.index(), claimed.account(), new java.math.BigDecimal(claimed.amount()))
                .update();
        if (matched == 0) {
            quarantine.add(claimed, "no allocation " + claimed.index() + " of epoch " + claimed.epoch() + " to this wallet and amount");
        }
    }

    @ApplicationModuleListener
    void on(ChainLog.RewardsExpired expired) {
        jdbc.sql("UPDATE reward_epochs SET expired = true WHERE epoch = ?").param(expired.epoch()).update();
    }

    @ApplicationModuleListener
    void on(ChainLog.Reverted reverted) {
        if (reverted.original() instanceof ChainLog.RewardsPublished p) {
            jdbc.sql("UPDATE reward_epochs SET published_at = NULL, claim_deadline = NULL WHERE epoch = ?").param(p.epoch()).update();
        } else if (reverted.original() instanceof ChainLog.RewardClaimed c) {
            jdbc.sql("UPDATE reward_allocations SET claim_tx = NULL, claimed_at = NULL WHERE epoch = ? AND leaf_index = ? AND claim_tx = ?")
                    .params(c.epoch(), c.index(), c.txHash()).update();
        } else if (reverted.original() instanceof ChainLog.RewardsExpired x) {
            jdbc.sql("UPDATE reward_epochs SET expired = false WHERE epoch = ?").param(x.epoch()).update();
        }
    }
}
