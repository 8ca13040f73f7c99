package ai.aicrypto.plaza.bounty.internal;

import java.util.List;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.earnings.Earning;
import ai.aicrypto.plaza.earnings.EarningsSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Bounties of data requests: a creator earned the bounty minus the escrow's fee when the confirmed BountyAccepted log paid
 * one of their wallets. Nothing is pending: the requester decides acceptance and pays in the same transaction.
 */
@Component
class BountyEarnings implements EarningsSource {

    private final JdbcClient jdbc;
    private final Accounts accounts;

    BountyEarnings(JdbcClient jdbc, Accounts accounts) {
        this.jdbc = jdbc;
        this.accounts = accounts;
    }

    @Override
    public List<Earning> earningsOf(long userId) {
        String[] wallets = accounts.wallets(userId).toArray(String[]::new);
        return jdbc.sql("""
                        SELECT accepted_listing, title, paid_wei + fee_wei, fee_wei, closed_tx, closed_at FROM bounties
                        WHERE status = 'ACCEPTED' AND creator_wallet = ANY(?)""")
                .param(wallets)
                .query((rs, n) -> new Earning(Earning.Kind.BOUNTY, rs.getObject(1, Long.class), rs.getString(2),
                        rs.getTimestamp(6).toInstant(), rs.getBigDecimal(3).toBigIntegerExact(),
                        rs.getBigDecimal(4).toBigIntegerExact(), rs.getString(5).strip(), rs.getTimestamp(6).toInstant()))
                .list();
    }
}
