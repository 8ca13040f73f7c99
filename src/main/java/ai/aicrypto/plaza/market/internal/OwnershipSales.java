package ai.aicrypto.plaza.market.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import ai.aicrypto.plaza.catalog.ListingDocument;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainLog;
import ai.aicrypto.plaza.platform.Aic;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Sales of the assets themselves (their tokens) on the Marketplace: the owner offers the asset for a
 * price (offerAsset, after approving the market for the token) or cancels the offer; a buyer approves
 * the market for exactly the price and calls buyAsset, which pays the treasury its fee, the creator the
 * royalty the token was minted with, and the seller the rest. This class prepares those transactions
 * for the browser's wallet after checking what can be checked before anything is sent, and keeps the
 * offer and the sales as the confirmed logs tell them; the listing itself follows the token's Transfer
 * log ({@link AssetTokens}), never what a browser says.
 */
@Service
class OwnershipSales {

    private static final Logger log = LoggerFactory.getLogger(OwnershipSales.class);
    /** A sane ceiling for an asking price, far below what the market stores (2^96 wei, about 79 billion AIC). */
    static final BigDecimal MAX_PRICE_AIC = new BigDecimal("1000000000");
    private static final BigInteger BPS = BigInteger.valueOf(10_000);

    private final Chain chain;
    private final AssetTokens tokens;
    private final PurchaseDesk desk;
    private final JdbcClient jdbc;

    OwnershipSales(Chain chain, AssetTokens tokens, PurchaseDesk desk, JdbcClient jdbc) {
        this.chain = chain;
        this.tokens = tokens;
        this.desk = desk;
        this.jdbc = jdbc;
    }

    /** The open offer as the confirmed logs say: made by the wallet that owns the token now. */
    @Transactional(readOnly = true)
    Optional<Offer> openOffer(long listingId) {
        return jdbc.sql("""
                        SELECT o.owner_address, o.price_wei FROM asset_offers o
                        JOIN asset_tokens t ON t.listing_id = o.listing_id AND t.owner_address = o.owner_address
                        WHERE o.listing_id = ? AND o.price_wei IS NOT NULL""")
                .param(listingId)
                .query((rs, n) -> new Offer(rs.getString(1).trim(), rs.getBigDecimal(2).toBigIntegerExact()))
                .optional();
    }

    /** The latest confirmed sales of the asset, newest first. */
    @Transactional(readOnly = true)
    List<Sale> recentSales(long listingId, int limit) {
        return jdbc.sql("""
                        SELECT buyer_address, seller_address, price_wei, fee_wei, royalty_wei, sold_at FROM asset_sales
                        WHERE listing_id = ? AND NOT revoked ORDER BY sold_at DESC, id DESC LIMIT ?""")
                .params(listingId, limit)
                .query((rs, n) -> new Sale(rs.getString(1).trim(), rs.getString(2).trim(), rs.getBigDecimal(3).toBigIntegerExact(),
                        rs.getBigDecimal(4).toBigIntegerExact(), rs.getBigDecimal(5).toBigIntegerExact(),
                        rs.getTimestamp(6).toInstant()))
                .list();
    }

    /** Who gets what of {@code price} if {@code seller} sells the token, as Marketplace.buyAsset splits it. */
    Split split(BigInteger price, String seller, AssetTokens.Token token) {
        BigInteger fee = price.multiply(BigInteger.valueOf(chain.marketFeeBps())).divide(BPS);
        BigInteger royalty = BigInteger.ZERO;
        if (token.royaltyReceiver() != null && !token.royaltyReceiver().equals(seller)) {
            royalty = price.multiply(BigInteger.valueOf(token.royaltyBps())).divide(BPS).min(price.subtract(fee));
        }
        return new Split(price, fee, royalty, price.subtract(fee).subtract(royalty));
    }

    /**
     * The owner's transactions that offer the asset for {@code priceText} AIC: approving the market for the
     * token when it may not transfer it yet, then offerAsset; sent from the wallet that holds the token.
     */
    Steps offer(long userId, ListingDocument listing, String priceText) {
        String holder = ownersWallet(userId, listing);
        BigInteger price = Aic.toWei(askingPrice(priceText));
        long id = listing.id();
        Steps.Builder steps = new Steps.Builder(holder);
        if (!chain.marketMayTransfer(id)) {
            steps.call(chain.contracts().registry(), chain.approveMarketForAssetCall(id));
        }
        return steps.call(chain.contracts().market(), chain.offerAssetCall(id, price)).build();
    }

    /** The owner's transaction that withdraws the open offer. */
    Steps cancel(long userId, ListingDocument listing) {
        String holder = ownersWallet(userId, listing);
        if (!chain.assetOffer(listing.id()).active()) {
            throw new UserFacingException(null, "ownership.error.no-offer");
        }
        return new Steps.Builder(holder).call(chain.contracts().market(), chain.offerAssetCall(listing.id(), BigInteger.ZERO)).build();
    }

    /**
     * The buyer's transactions: approving the market for exactly the price, then buyAsset with that price as its
     * maximum (an offer raised before it is mined reverts it, whatever allowance the wallet has left). Refused unless the
     * offer on-chain is the confirmed one the page showed ({@code shownPriceWei}), made by the token's owner, the
     * buyer is not the seller and the buyer's wallet holds the price.
     */
    Steps buy(long userId, ListingDocument listing, String buyerAddress, String shownPriceWei) {
        if (listing.ownerId() == userId) {
            throw new UserFacingException(null, "market.error.own-asset");
        }
        String buyer = desk.ownWallet(userId, buyerAddress);
        requireChain();
        long id = listing.id();
        Offer confirmed = openOffer(id).orElseThrow(() -> new UserFacingException(null, "ownership.error.not-for-sale"));
        Chain.AssetOffer now = chain.assetOffer(id);
        if (!now.active()) {
            throw new UserFacingException(null, "ownership.error.not-for-sale");
        }
        if (!now.owner().equals(confirmed.seller()) || !now.price().equals(confirmed.price())) {
            throw new UserFacingException(null, "ownership.error.offer-changing");
        }
        if (!confirmed.price().toString().equals(shownPriceWei)) {
            throw new UserFacingException(null, "ownership.error.price-changed", Aic.format(confirmed.price()));
        }
        if (confirmed.seller().equals(buyer)) {
            throw new UserFacingException(null, "market.error.own-asset");
        }
        BigInteger balance = chain.aicBalance(buyer);
        if (balance.compareTo(confirmed.price()) < 0) {
            throw new UserFacingException(null, "ownership.error.insufficient-aic", Aic.format(balance), Aic.format(confirmed.price()));
        }
        return new Steps.Builder(buyer)
                .call(chain.contracts().token(), chain.approveMarketForAicCall(confirmed.price()))
                .call(chain.contracts().market(), chain.buyAssetCall(id, confirmed.price()))
                .build();
    }

    /** The wallet holding the listing's token, if it is linked to its owner here: it alone can offer the token. */
    private String ownersWallet(long userId, ListingDocument listing) {
        if (listing.ownerId() != userId) {
            throw new UserFacingException(null, "ownership.error.not-owner");
        }
        if (!listing.published()) {
            throw new UserFacingException(null, "ownership.error.unpublished");
        }
        requireChain();
        if (tokens.token(listing.id()).isEmpty()) {
            throw new UserFacingException(null, "market.error.not-minted");
        }
        String holder = chain.ownerOf(listing.id()).orElseThrow(() -> new UserFacingException(null, "market.error.not-minted"));
        try {
            return desk.ownWallet(userId, holder);
        } catch (UserFacingException e) {
            // The token moved and the watcher has not confirmed it yet: the listing is about to change hands.
            throw new UserFacingException(null, "ownership.error.token-elsewhere", holder);
        }
    }

    private void requireChain() {
        if (!chain.enabled()) {
            throw new UserFacingException(null, "market.error.no-chain");
        }
    }

    /** An asking price as typed: a number of AIC above 0, at most {@link #MAX_PRICE_AIC}, with at most 18 decimals. */
    static BigDecimal askingPrice(String text) {
        BigDecimal price;
        try {
            price = new BigDecimal(text == null ? "" : text.strip());
        } catch (NumberFormatException e) {
            throw new UserFacingException("price", "ownership.error.price-format", text == null ? "" : text);
        }
        if (price.signum() <= 0) {
            throw new UserFacingException("price", "ownership.error.price-positive");
        }
        if (price.compareTo(MAX_PRICE_AIC) > 0) {
            throw new UserFacingException("price", "ownership.error.price-too-high", MAX_PRICE_AIC.toPlainString());
        }
        if (price.stripTrailingZeros().scale() > 18) {
            throw new UserFacingException("price", "listing.error.price-precision", 18);
        }
        return price;
    }

    @ApplicationModuleListener
    void on(ChainLog.AssetOffered offered) {
        record(offered.assetId(), offered.owner(), offered.price(), offered.blockNumber(), offered.logIndex());
    }

    @ApplicationModuleListener
    void on(ChainLog.AssetPurchased sold) {
        if (!listingExists(sold.assetId())) {
            log.warn("Asset {} sold on-chain in {}, which is no listing here; ignored", sold.assetId(), sold.txHash());
            return;
        }
        jdbc.sql("""
                        INSERT INTO asset_sales (listing_id, buyer_address, seller_address, price_wei, fee_wei, royalty_receiver,
                                                 royalty_wei, tx_hash, log_index)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (tx_hash, log_index) DO UPDATE SET revoked = false""")
                .params(sold.assetId(), sold.buyer(), sold.seller(), new BigDecimal(sold.price()), new BigDecimal(sold.fee()),
                        sold.royaltyReceiver(), new BigDecimal(sold.royalty()), sold.txHash(), sold.logIndex())
                .update();
        // The sale ends the offer (the market deletes it). The purchase is confirmed when the listing has moved
        // (AssetTokens, from the sale's Transfer log), so that the buyer's page then shows it theirs.
        record(sold.assetId(), sold.seller(), BigInteger.ZERO, sold.blockNumber(), sold.logIndex());
    }

    /**
     * A reorganisation dropped an offer or a sale: the sale no longer counts, and the offer is read again from the
     * chain as it is now. (The purchase waits again through the license ledger's undo, which covers every purchase
     * of a dropped transaction; the listing moves back with the token's dropped Transfer.)
     */
    @ApplicationModuleListener
    void on(ChainLog.Reverted reverted) {
        long assetId;
        if (reverted.original() instanceof ChainLog.AssetPurchased sold) {
            jdbc.sql("UPDATE asset_sales SET revoked = true WHERE tx_hash = ? AND log_index = ?")
                    .params(sold.txHash(), sold.logIndex()).update();
            assetId = sold.assetId();
        } else if (reverted.original() instanceof ChainLog.AssetOffered offered) {
            assetId = offered.assetId();
        } else {
            return;
        }
        Chain.AssetOffer now = chain.assetOffer(assetId);
        // Position 0: the logs mined again (read once this undo is done) are all later than it.
        jdbc.sql("""
                        UPDATE asset_offers SET owner_address = ?, price_wei = ?, block_number = 0, log_index = 0, updated_at = now()
                        WHERE listing_id = ?""")
                .params(now.owner(), now.active() ? new BigDecimal(now.price()) : null, assetId).update();
        log.warn("A chain reorganisation dropped {} of asset {}: its offer read again from the chain", reverted.event(), assetId);
    }

    /** Applies an offer log unless a later one about the asset was applied already. */
    private void record(long assetId, String owner, BigInteger price, long blockNumber, int logIndex) {
        if (!listingExists(assetId)) {
            return;
        }
        jdbc.sql("""
                        INSERT INTO asset_offers (listing_id, owner_address, price_wei, block_number, log_index) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (listing_id) DO UPDATE SET owner_address = EXCLUDED.owner_address, price_wei = EXCLUDED.price_wei,
                            block_number = EXCLUDED.block_number, log_index = EXCLUDED.log_index, updated_at = now()
                        WHERE (asset_offers.block_number, asset_offers.log_index) < (EXCLUDED.block_number, EXCLUDED.log_index)""")
                .params(assetId, owner, price.signum() == 0 ? null : new BigDecimal(price), blockNumber, logIndex)
                .update();
    }

    private boolean listingExists(long id) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM listings WHERE id = ?)").param(id).query(Boolean.class).single();
    }

    /** @param seller the wallet that made the offer (the token's owner) */
    record Offer(String seller, BigInteger price) {
    }

    record Sale(String buyer, String seller, BigInteger price, BigInteger fee, BigInteger royalty, Instant soldAt) {
    }

    /** A price split as the market pays it: the treasury's fee, the creator's royalty, and what the seller receives. */
    record Split(BigInteger price, BigInteger fee, BigInteger royalty, BigInteger seller) {
    }

    /** Transactions for the wallet {@code from} to send in order, each mined before the next. */
    record Steps(String from, List<Call> calls) {

        record Call(String to, String data) {
        }

        static final class Builder {
            private final String from;
            private final List<Call> calls = new ArrayList<>();

            Builder(String from) {
                this.from = from;
            }

            Builder call(String to, String data) {
                calls.add(new Call(to, data));
                return this;
            }

            Steps build() {
                return new Steps(from, List.copyOf(calls));
            }
        }
    }
}
