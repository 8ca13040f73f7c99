package ai.aicrypto.plaza.reputation.internal;

import java.math.BigInteger;
import java.util.List;

import ai.aicrypto.plaza.earnings.Earning;
import ai.aicrypto.plaza.earnings.EarningsSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Proof of Value rewards: a member's allocation of each closed epoch, pending until their claim's confirmed log (a
 * reorganisation that drops the claim reopens it). No fee is taken. An allocation not claimed before its epoch expired
 * went back to the ecosystem wallet and is no longer owed.
 */
@Component
class RewardEarnings implements EarningsSource {

    private final JdbcClient jdbc;

    RewardEarnings(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<Earning> earningsOf(long userId) {
        return jdbc.sql("""
                        SELECT a.epoch, e.ends_at, a.amount_wei, a.claim_tx, a.claimed_at
                        FROM reward_allocations a JOIN reward_epochs e ON e.epoch = a.epoch
                        WHERE a.user_id = ? AND (a.claim_tx IS NOT NULL OR NOT e.expired)""")
                .param(userId)
                .query((rs, n) -> new Earning(Earning.Kind.REWARD, null, "epoch " + rs.getLong(1), rs.getTimestamp(2).toInstant(),
                        rs.getBigDecimal(3).toBigIntegerExact(), BigInteger.ZERO,
                        rs.getString(4) == null ? null : rs.getString(4).strip(),
                        rs.getTimestamp(5) == null ? null : rs.getTimestamp(5).toInstant()))
                .list();
    }
}
