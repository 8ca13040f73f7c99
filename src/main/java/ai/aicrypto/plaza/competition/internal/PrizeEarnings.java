package ai.aicrypto.plaza.competition.internal;

import java.math.BigInteger;
import java.util.List;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.earnings.Earning;
import ai.aicrypto.plaza.earnings.EarningsSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Competition prizes: a place's prize is the member's whose wallet its confirmed PrizePaid log paid (no fee). A prize
 * held for a team without a wallet is pending for the team's earliest member, whose first linked wallet it will be
 * assigned to (the team's wallet rule). A place no team reached, paid back to the host, is nobody's prize.
 */
@Component
class PrizeEarnings implements EarningsSource {

    private final JdbcClient jdbc;
    private final Accounts accounts;

    PrizeEarnings(JdbcClient jdbc, Accounts accounts) {
        this.jdbc = jdbc;
        this.accounts = accounts;
    }

    @Override
    public List<Earning> earningsOf(long userId) {
        String[] wallets = accounts.wallets(userId).stream().map(String::toLowerCase).toArray(String[]::new);
        return jdbc.sql("""
                        SELECT c.title, p.place, p.amount_wei, p.tx_hash, p.paid_at, c.ends_at
                        FROM prize_payouts p JOIN competitions c ON c.id = p.competition_id
                        WHERE p.amount_wei > 0 AND p.team_id IS NOT NULL
                          AND ((p.paid_at IS NOT NULL AND p.wallet = ANY(:wallets))
                               OR (p.held AND p.paid_at IS NULL AND :user = (SELECT m.user_id FROM participants m WHERE m.team_id = p.team_id
                                                                             ORDER BY m.joined_at, m.user_id LIMIT 1)))""")
                .param("wallets", wallets).param("user", userId)
                .query((rs, n) -> new Earning(Earning.Kind.PRIZE, null, rs.getString(1) + " · #" + (rs.getInt(2) + 1),
                        rs.getTimestamp(5) != null ? rs.getTimestamp(5).toInstant() : rs.getTimestamp(6).toInstant(),
                        rs.getBigDecimal(3).toBigIntegerExact(), BigInteger.ZERO,
                        rs.getString(4) == null ? null : rs.getString(4).strip(),
                        rs.getTimestamp(5) == null ? null : rs.getTimestamp(5).toInstant()))
                .list();
    }
}
