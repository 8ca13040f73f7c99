package ai.aicrypto.plaza.market.internal;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainProperties;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.platform.Aic;
import ai.aicrypto.plaza.platform.LiveUpdates;
import ai.aicrypto.plaza.platform.UserFacingException;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Paid purchases from the browser's wallet, in three steps: the permit to sign (EIP-2612 typed
 * data for exactly the on-chain price), the transaction to send (calldata of
 * buyLicenseWithPermit), and the hash of the sent transaction, kept as a pending purchase. A
 * pending purchase grants nothing: the license comes from the confirmed log. A purchase whose
 * transaction reverted is marked failed, and one not confirmed within the timeout expired.
 * Purchases of the asset itself ({@link OwnershipSales}) are kept and settled here the same way.
 */
@Service
class PurchaseDesk {

    private static final Logger log = LoggerFactory.getLogger(PurchaseDesk.class);
    /** Long enough to sign in a wallet without hurry; short enough that a stale permit is useless. */
    private static final Duration PERMIT_LIFETIME = Duration.ofMinutes(20);

    private final Chain chain;
    private final ChainProperties properties;
    private final Accounts accounts;
    private final JdbcClient jdbc;
    private final LiveUpdates live;
    private final Clock clock;

    PurchaseDesk(Chain chain, ChainProperties properties, Accounts accounts, JdbcClient jdbc,
                 LiveUpdates live, Clock clock) {
        this.chain = chain;
        this.properties = properties;
        this.accounts = accounts;
        this.jdbc = jdbc;
        this.live = live;
        this.clock = clock;
    }

    static String topic(long purchaseId) {
        return "purchase:" + purchaseId;
    }

    /** Step 1: what the buyer's wallet signs. Checks the wallet, the sale and the balance first. */
    Permit permit(long userId, long listingId, String buyerAddress) {
        String buyer = ownWallet(userId, buyerAddress);
        Chain.LicenseListing sale = onSale(listingId);
        if (sale.owner().equals(buyer)) {
            throw new UserFacingException(null, "market.error.own-asset");
        }
        BigInteger balance = chain.aicBalance(buyer);
        if (balance.compareTo(sale.price()) < 0) {
            throw new UserFacingException(null, "market.error.insufficient-aic", Aic.format(balance), Aic.format(sale.price()));
        }
        long deadline = clock.instant().plus(PERMIT_LIFETIME).getEpochSecond();
        return new Permit(chain.permitTypedData(buyer, chain.contracts().market(), sale.price(), deadline), deadline, sale.price());
    }

    /** Step 2: the transaction for the signed permit. */
    Transaction transaction(long userId, long listingId, long deadline, String signature) {
        if (signature == null || !signature.matches("0x[0-9a-fA-F]{130}")) {
            throw new UserFacingException(null, "market.error.signature");
        }
        if (deadline <= clock.instant().getEpochSecond()) {
            throw new UserFacingException(null, "market.error.permit-expired");
        }
        onSale(listingId);
        return new Transaction(chain.contracts().market(), chain.buyLicenseWithPermitCall(listingId, deadline, signature));
    }

    /** Step 3: the browser sent a transaction; show it as pending until the chain decides. */
    @Transactional
    long sent(long userId, long listingId, String buyerAddress, String txHash, Kind kind) {
        String buyer = ownWallet(userId, buyerAddress);
        if (txHash == null || !txHash.matches("0x[0-9a-fA-F]{64}")) {
            throw new UserFacingException(null, "market.error.tx-hash");
        }
        String tx = txHash.toLowerCase(Locale.ROOT);
        Optional<Long> existing = jdbc.sql("SELECT id FROM purchases WHERE tx_hash = ? AND user_id = ?").params(tx, userId)
                .query(Long.class).optional();
        if (existing.isPresent()) {
            return existing.get();
        }
        long id = jdbc.sql("""
                        INSERT INTO purchases (user_id, listing_id, buyer_address, tx_hash, status, created_at, kind)
                        VALUES (?, ?, ?, ?, 'PENDING', ?, ?) ON CONFLICT (tx_hash, user_id) DO NOTHING RETURNING id""")
                .params(userId, listingId, buyer, tx, java.sql.Timestamp.from(clock.instant()), kind.name())
                .query(Long.class).optional()
                .orElseThrow(() -> new UserFacingException(null, "market.error.tx-hash"));
        // The log may have been confirmed before the browser reported the transaction.
        jdbc.sql("""
                        UPDATE purchases p SET status = 'CONFIRMED', settled_at = now()
                        WHERE p.id = ? AND EXISTS (SELECT 1 FROM licenses l WHERE l.tx_hash = p.tx_hash AND NOT l.revoked
                                                   AND l.listing_id = p.listing_id AND l.buyer_address = p.buyer_address
                                                   AND p.kind = 'LICENSE'
                                                   UNION ALL
                                                   SELECT 1 FROM asset_sales a JOIN asset_tokens t ON t.listing_id = a.listing_id
                                                   WHERE a.tx_hash = p.tx_hash AND NOT a.revoked AND a.listing_id = p.listing_id
                                                   AND a.buyer_address = p.buyer_address AND t.owner_address = p.buyer_address
                                                   AND p.kind = 'OWNERSHIP')""")
                .param(id).update();
        return id;
    }

    /**
     * The chain confirmed what the purchases sent in transaction {@code txHash} by {@code buyer} bought (a license,
     * or the listing itself once it has moved to the buyer): their pages are told at once.
     */
    @Transactional
    void confirmed(String txHash, long listingId, String buyer, Kind kind) {
        jdbc.sql("""
                        UPDATE purchases SET status = 'CONFIRMED', reason = NULL, settled_at = now()
                        WHERE tx_hash = ? AND listing_id = ? AND buyer_address = ? AND kind = ? AND status <> 'CONFIRMED'
                        RETURNING id""")
                .params(txHash, listingId, buyer, kind.name())
                .query(Long.class).list()
                .forEach(purchase -> live.publish(topic(purchase), "purchase", "CONFIRMED"));
    }

    /** The latest purchase of the kind of the listing by the account, if any. */
    @Transactional(readOnly = true)
    Optional<Purchase> latest(long userId, long listingId, Kind kind) {
        return jdbc.sql("""
                        SELECT id, tx_hash, status, reason, created_at FROM purchases
                        WHERE user_id = ? AND listing_id = ? AND kind = ? ORDER BY created_at DESC, id DESC LIMIT 1""")
                .params(userId, listingId, kind.name())
                .query((rs, n) -> new Purchase(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant()))
                .optional();
    }

    /** The purchase, if it is the account's. */
    @Transactional(readOnly = true)
    Optional<Long> owned(long purchaseId, long userId) {
        return jdbc.sql("SELECT id FROM purchases WHERE id = ? AND user_id = ?").params(purchaseId, userId).query(Long.class).optional();
    }

    /** Settles pending purchases the chain has decided against, or that waited too long. */
    /*
     * Lease, at most one interval: up to 100 purchases, two RPC calls each, take well under it; a slower round beside
     * another instance's settles each purchase once (settle changes only a PENDING row).
     */
    @Scheduled(fixedDelayString = "${plaza.market.pending-check-interval:5s}")
    @SchedulerLock(name = "stale-purchases", lockAtMostFor = "${plaza.market.pending-check-interval:5s}",
            lockAtLeastFor = "${plaza.market.pending-check-interval:5s}")
    void settleStalePurchases() {
        if (!chain.enabled()) {
            return;
        }
        record Pending(long id, String txHash, Instant createdAt) {
        }
        List<Pending> pending = jdbc.sql("SELECT id, tx_hash, created_at FROM purchases WHERE status = 'PENDING' ORDER BY created_at LIMIT 100")
                .query((rs, n) -> new Pending(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant())).list();
        Instant now = clock.instant();
        for (Pending p : pending) {
            try {
                Chain.TxState state = chain.transactionState(p.txHash());
                if (state == Chain.TxState.REVERTED) {
                    settle(p.id(), "FAILED", "reverted");
                } else if (p.createdAt().plus(properties.pendingTimeout()).isBefore(now)) {
                    // a transaction that succeeded yet bought nothing for this report's wallet (another member's, reported as
                    // theirs) ends too; a confirmation that comes after all still confirms it
                    settle(p.id(), "EXPIRED", state == Chain.TxState.UNKNOWN ? "unknown" : "unconfirmed");
                }
            } catch (ChainUnavailableException e) {
                log.warn("Cannot check pending purchases: {}", e.getMessage());
                return;
            }
        }
    }

    private void settle(long purchaseId, String status, String reason) {
        int changed = jdbc.sql("UPDATE purchases SET status = ?, reason = ?, settled_at = now() WHERE id = ? AND status = 'PENDING'")
                .params(status, reason, purchaseId).update();
        if (changed > 0) {
            live.publish(topic(purchaseId), "purchase", status);
        }
    }

    /** The address (lower-case) if it is a wallet linked to the account; otherwise a message saying what is wrong. */
    String ownWallet(long userId, String address) {
        if (address == null || !address.matches("0x[0-9a-fA-F]{40}")) {
            throw new UserFacingException(null, "market.error.no-wallet");
        }
        String lower = address.toLowerCase(Locale.ROOT);
        if (!accounts.wallets(userId).contains(lower)) {
            throw new UserFacingException(null, "market.error.wallet-not-linked", lower);
        }
        return lower;
    }

    private Chain.LicenseListing onSale(long listingId) {
        if (!chain.enabled()) {
            throw new UserFacingException(null, "market.error.no-chain");
        }
        Chain.LicenseListing sale = chain.licenseListing(listingId);
        if (!sale.active()) {
            throw new UserFacingException(null, "market.error.not-on-sale");
        }
        return sale;
    }

    /** What a purchase buys. */
    enum Kind { LICENSE, OWNERSHIP }

    record Permit(String typedData, long deadline, BigInteger price) {
    }

    record Transaction(String to, String data) {
    }

    record Purchase(long id, String txHash, String status, String reason, Instant createdAt) {

        public boolean pending() {
            return "PENDING".equals(status);
        }
    }
}
