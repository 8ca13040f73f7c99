package ai.aicrypto.plaza.market.internal;

import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.earnings.Earning;
import ai.aicrypto.plaza.earnings.EarningsSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What the Marketplace paid a member, from the confirmed logs the market recorded: license prices (to the wallet that
 * held the token, less the fee), ownership sales (to the seller, less the fee and the creator's royalty) and royalties
 * (to the creator). The Marketplace pays in the purchase's own transaction, so nothing here is ever pending; a
 * purchase a reorganisation dropped is revoked and no longer counts.
 */
@Component
class MarketEarnings implements EarningsSource {

    private final JdbcClient jdbc;
    private final Accounts accounts;

    MarketEarnings(JdbcClient jdbc, Accounts accounts) {
        this.jdbc = jdbc;
        this.accounts = accounts;
    }

    @Override
    public List<Earning> earningsOf(long userId) {
        String[] wallets = accounts.wallets(userId).stream().map(String::toLowerCase).toArray(String[]::new);
        List<Earning> earnings = new ArrayList<>(jdbc.sql("""
                        SELECT l.listing_id, li.title, l.price_wei, l.fee_wei, l.tx_hash, l.granted_at
                        FROM licenses l JOIN listings li ON li.id = l.listing_id
                        WHERE l.tx_hash IS NOT NULL AND NOT l.revoked AND l.seller_address = ANY(:wallets)
                        UNION ALL
                        SELECT l.listing_id, li.title, l.price_wei, l.fee_wei, l.tx_hash, l.granted_at
                        FROM listings li JOIN licenses l ON l.listing_id = li.id
                        WHERE li.owner_id = :user AND l.tx_hash IS NOT NULL AND NOT l.revoked AND l.seller_address IS NULL""")
                .param("wallets", wallets).param("user", userId)
                .query((rs, n) -> paid(Earning.Kind.LICENSE, rs, wei(rs, 3), wei(rs, 4)))
                .list());
        earnings.addAll(jdbc.sql("""
                        SELECT s.listing_id, li.title, s.price_wei - s.royalty_wei, s.fee_wei, s.tx_hash, s.sold_at
                        FROM asset_sales s JOIN listings li ON li.id = s.listing_id
                        WHERE s.seller_address = ANY(?) AND NOT s.revoked""")
                .param(wallets)
                .query((rs, n) -> paid(Earning.Kind.OWNERSHIP_SALE, rs, wei(rs, 3), wei(rs, 4)))
                .list());
        earnings.addAll(jdbc.sql("""
                        SELECT s.listing_id, li.title, s.royalty_wei, s.tx_hash, s.sold_at
                        FROM asset_sales s JOIN listings li ON li.id = s.listing_id
                        WHERE s.royalty_receiver = ANY(?) AND s.royalty_wei > 0 AND NOT s.revoked""")
                .param(wallets)
                .query((rs, n) -> new Earning(Earning.Kind.ROYALTY, rs.getLong(1), rs.getString(2), rs.getTimestamp(5).toInstant(),
                        wei(rs, 3), BigInteger.ZERO, rs.getString(4).strip(), rs.getTimestamp(5).toInstant()))
                .list());
        return earnings;
    }

    /** Columns: listing, title, (gross, fee as given), tx hash (5), time (6). */
    private static Earning paid(Earning.Kind kind, ResultSet rs, BigInteger gross, BigInteger fee) throws SQLException {
        return new Earning(kind, rs.getLong(1), rs.getString(2), rs.getTimestamp(6).toInstant(), gross, fee,
                rs.getString(5).strip(), rs.getTimestamp(6).toInstant());
    }

    private static BigInteger wei(ResultSet rs, int column) throws SQLException {
        return rs.getBigDecimal(column).toBigIntegerExact();
    }
}
