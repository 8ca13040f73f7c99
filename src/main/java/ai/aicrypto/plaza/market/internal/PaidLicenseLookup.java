package ai.aicrypto.plaza.market.internal;

import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import ai.aicrypto.plaza.market.PaidLicenses;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

@Component
class PaidLicenseLookup implements PaidLicenses {

    private final JdbcClient jdbc;

    PaidLicenseLookup(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<PaidLicense> grantedBetween(Instant from, Instant to) {
        return jdbc.sql("""
                        SELECT l.listing_id, li.owner_id, l.user_id, l.buyer_address, coalesce(l.seller_address, t.owner_address),
                               l.price_wei, l.tx_hash, l.granted_at
                        FROM licenses l JOIN listings li ON li.id = l.listing_id
                        LEFT JOIN asset_tokens t ON t.listing_id = l.listing_id
                        WHERE l.tx_hash IS NOT NULL AND NOT l.revoked AND l.granted_at >= ? AND l.granted_at < ?
                        ORDER BY l.granted_at, l.id""")
                .params(java.sql.Timestamp.from(from), java.sql.Timestamp.from(to))
                .query((rs, n) -> new PaidLicense(rs.getLong(1), rs.getLong(2), (Long) rs.getObject(3),
                        trim(rs.getString(4)), trim(rs.getString(5)), rs.getBigDecimal(6).toBigIntegerExact(), rs.getString(7).trim(),
                        rs.getTimestamp(8).toInstant()))
                .list();
    }

    @Override
    public Set<String> purchasesAmong(Collection<String> txHashes) {
        if (txHashes.isEmpty()) {
            return Set.of();
        }
        // Cast to the columns' type, so that their (tx_hash, log_index) indexes serve.
        return new HashSet<>(jdbc.sql("""
                        SELECT tx_hash FROM licenses WHERE tx_hash = ANY (CAST(:txs AS bpchar[])) AND NOT revoked
                        UNION
                        SELECT tx_hash FROM asset_sales WHERE tx_hash = ANY (CAST(:txs AS bpchar[])) AND NOT revoked""")
                .param("txs", txHashes.toArray(String[]::new))
                .query((rs, n) -> rs.getString(1).strip())
                .list());
    }

    private static String trim(String address) {
        return address == null ? null : address.trim();
    }
}
