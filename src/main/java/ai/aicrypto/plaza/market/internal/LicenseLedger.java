package ai.aicrypto.plaza.market.internal;

import java.math.BigDecimal;
import java.util.List;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.catalog.ListingAccess;
import ai.aicrypto.plaza.chain.ChainLog;
import ai.aicrypto.plaza.market.DeliveredLicenses;
import ai.aicrypto.plaza.market.ListingStatsChanged;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The licenses: a free one by a click, a paid one bought on-chain by the account or by a wallet
 * linked to it (also one linked after the purchase). Paid ones are written only here, from confirmed LicensePurchased logs, keyed by
 * (tx hash, log index): the same log seen twice (a restart, a redelivery) changes nothing, and a
 * log a reorganisation dropped revokes its license until it comes back.
 */
@Service
class LicenseLedger implements ListingAccess, DeliveredLicenses {

    private static final Logger log = LoggerFactory.getLogger(LicenseLedger.class);

    private final JdbcClient jdbc;
    private final Accounts accounts;
    private final PurchaseDesk desk;
    private final ApplicationEventPublisher events;

    LicenseLedger(JdbcClient jdbc, Accounts accounts, PurchaseDesk desk, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.accounts = accounts;
        this.desk = desk;
        this.events = events;
    }

    /** One statement outside a transaction: it runs on every call of a licensed model's API. */
    @Override
    public boolean mayUse(long userId, long listingId) {
        return jdbc.sql("""
                        SELECT EXISTS (SELECT 1 FROM listings WHERE id = :listing AND owner_id = :user)
                            OR EXISTS (SELECT 1 FROM licenses l
                                       WHERE l.listing_id = :listing AND NOT l.revoked
                                         AND (l.user_id = :user
                                              OR l.buyer_address IN (SELECT address FROM wallet_links WHERE user_id = :user)))""")
                .param("listing", listingId).param("user", userId)
                .query(Boolean.class).single();
    }

    @Override
    public List<HeldLicense> heldBy(long userId, int limit) {
        return jdbc.sql("""
                        SELECT l.listing_id, max(l.price_wei) AS paid_wei, max(l.granted_at) AS granted_at
                        FROM licenses l JOIN listings s ON s.id = l.listing_id
                        WHERE NOT l.revoked AND s.owner_id <> :user
                          AND (l.user_id = :user OR l.buyer_address IN (SELECT address FROM wallet_links WHERE user_id = :user))
                        GROUP BY l.listing_id
                        ORDER BY granted_at DESC, l.listing_id DESC
                        LIMIT :limit""")
                .param("user", userId).param("limit", limit)
                .query((rs, n) -> new HeldLicense(rs.getLong("listing_id"),
                        rs.getBigDecimal("paid_wei").movePointLeft(18).stripTrailingZeros()))
                .list();
    }

    /** A free license for a free listing; taking it twice keeps one. */
    @Transactional
    void grantFree(long userId, long listingId) {
        jdbc.sql("""
                        INSERT INTO licenses (listing_id, user_id) VALUES (?, ?)
                        ON CONFLICT (listing_id, user_id) WHERE tx_hash IS NULL DO NOTHING""")
                .params(listingId, userId).update();
        events.publishEvent(new ListingStatsChanged(listingId));
    }

    /** A license without a purchase row of its own: the same row a free license takes, so one per member and listing. */
    @Override
    @Transactional
    public void grant(long userId, long listingId) {
        jdbc.sql("""
                        INSERT INTO licenses (listing_id, user_id) VALUES (?, ?)
                        ON CONFLICT (listing_id, user_id) WHERE tx_hash IS NULL DO UPDATE SET revoked = false""")
                .params(listingId, userId).update();
        events.publishEvent(new ListingStatsChanged(listingId));
    }

    @Override
    @Transactional
    public void revoke(long userId, long listingId) {
        jdbc.sql("UPDATE licenses SET revoked = true WHERE listing_id = ? AND user_id = ? AND tx_hash IS NULL")
                .params(listingId, userId).update();
        events.publishEvent(new ListingStatsChanged(listingId));
    }

    @ApplicationModuleListener
    void on(ChainLog.LicensePurchased bought) {
        boolean listingExists = jdbc.sql("SELECT EXISTS (SELECT 1 FROM listings WHERE id = ?)").param(bought.assetId())
                .query(Boolean.class).single();
        if (!listingExists) {
            log.warn("License {} bought on-chain for asset {}, which is no listing here; ignored", bought.licenseId(), bought.assetId());
            return;
        }
        Long userId = accounts.accountOfWallet(bought.buyer()).orElse(null);
        jdbc.sql("""
                        INSERT INTO licenses (listing_id, user_id, buyer_address, seller_address, price_wei, fee_wei, tx_hash, log_index,
                                              chain_license)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (tx_hash, log_index) DO UPDATE SET revoked = false""")
                .params(bought.assetId(), userId, bought.buyer(), bought.owner(), new BigDecimal(bought.price()), new BigDecimal(bought.fee()),
                        bought.txHash(), bought.logIndex(), bought.licenseId())
                .update();
        events.publishEvent(new ListingStatsChanged(bought.assetId()));
        desk.confirmed(bought.txHash(), bought.assetId(), bought.buyer(), PurchaseDesk.Kind.LICENSE);
    }

    @ApplicationModuleListener
    void on(ChainLog.Reverted reverted) {
        List<Long> revoked = jdbc.sql("""
                        UPDATE licenses SET revoked = true WHERE tx_hash = ? AND log_index = ? AND NOT revoked
                        RETURNING listing_id""")
                .params(reverted.txHash(), reverted.logIndex()).query(Long.class).list();
        revoked.forEach(listingId -> events.publishEvent(new ListingStatsChanged(listingId)));
        jdbc.sql("UPDATE purchases SET status = 'PENDING', settled_at = NULL WHERE tx_hash = ? AND status = 'CONFIRMED'")
                .param(reverted.txHash()).update();
        if (!revoked.isEmpty()) {
            log.warn("License from {}#{} revoked: a chain reorganisation dropped its purchase", reverted.txHash(), reverted.logIndex());
        }
    }
}
