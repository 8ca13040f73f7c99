package ai.aicrypto.plaza.market.internal;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.account.WalletLinked;
import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.catalog.ListingChanged;
import ai.aicrypto.plaza.catalog.ListingDocument;
import ai.aicrypto.plaza.market.AssetDelivery;
import ai.aicrypto.plaza.catalog.ListingKind;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainLog;
import ai.aicrypto.plaza.chain.ChainSends;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.compute.TrainingRecords;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.Models;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Asset tokens (ERC-721, token id = listing id). A published dataset or model (a trained model when
 * a verified training job made it) is minted by the
 * plaza to its owner's first linked wallet (or when the owner links one), with the royalty its creator
 * chose at publish paid to that wallet on every resale; from then on the chain says who owns it: a
 * confirmed transfer (a sale on the Marketplace, or any other) moves the listing to the account of the
 * receiving wallet, and to a new wallet-only account when no account has it (the one signing in with
 * that wallet opens), so that the previous owner loses it at once.
 */
@Component
class AssetTokens implements AssetDelivery {

    private static final Logger log = LoggerFactory.getLogger(AssetTokens.class);
    private static final String ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

    private final Chain chain;
    private final Catalog catalog;
    private final Accounts accounts;
    private final Datasets datasets;
    private final Models models;
    private final TrainingRecords trainingRecords;
    private final ChainSends sends;
    private final PurchaseDesk desk;
    private final JdbcClient jdbc;

    AssetTokens(Chain chain, Catalog catalog, Accounts accounts, Datasets datasets, Models models,
                TrainingRecords trainingRecords, ChainSends sends, PurchaseDesk desk, JdbcClient jdbc) {
        this.desk = desk;
        this.sends = sends;
        this.trainingRecords = trainingRecords;
        this.chain = chain;
        this.catalog = catalog;
        this.accounts = accounts;
        this.datasets = datasets;
        this.models = models;
        this.jdbc = jdbc;
    }

    /** The token of a listing as the plaza last saw it on-chain: once its mint is confirmed, not while it is on its way. */
    @Transactional(readOnly = true)
    Optional<Token> token(long listingId) {
        return jdbc.sql("""
                        SELECT owner_address, mint_tx, license_price_wei, coalesce(royalty_bps, 0), royalty_receiver
                        FROM asset_tokens WHERE listing_id = ? AND mint_confirmed""")
                .param(listingId)
                .query((rs, n) -> new Token(rs.getString(1).trim(), rs.getString(2), rs.getBigDecimal(3), rs.getInt(4),
                        rs.getString(5) == null ? null : rs.getString(5).trim()))
                .optional();
    }

    /** Whether the plaza sent the listing's mint and the chain has not confirmed it yet. */
    @Transactional(readOnly = true)
    boolean minting(long listingId) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM asset_tokens WHERE listing_id = ? AND NOT mint_confirmed)")
                .param(listingId).query(Boolean.class).single();
    }

    /**
     * A listing published (or changed): its token is minted by the leased minting round, never here, so that of
     * several instances one sends (and an event delivered again never mints beside a round that is still at work).
     */
    @ApplicationModuleListener
    void on(ListingChanged changed) {
        mintWhatIsMissingSoon();
    }

    @ApplicationModuleListener
    void on(WalletLinked linked) {
        mintWhatIsMissingSoon();
    }

    /** Mints what is missing: asked for by the events above, and now and then to catch up with mints that failed (chain down, say). */
    @Scheduled(fixedDelayString = "${plaza.market.mint-retry-interval:30s}", initialDelayString = "${plaza.market.mint-retry-interval:30s}")
    void mintWhatIsMissingSoon() {
        sends.run("asset-mints", this::mintWhatIsMissing);
    }

    @Override
    public void mintForDelivery(long listingId) {
        sends.run("asset-mint-" + listingId, () -> {
            if (chain.enabled()) {
                mintIfReady(listingId, true);
            }
        });
    }

    /** One mint that cannot succeed (its simulation reverts) does not hold up the others. */
    void mintWhatIsMissing() {
        if (!chain.enabled()) {
            return;
        }
        for (long listingId : unminted()) {
            try {
                mintIfReady(listingId, false);
            } catch (ChainUnavailableException e) {
                log.warn("Cannot mint asset tokens now: {}", e.getMessage());
                return;
            } catch (IllegalStateException e) {
                log.warn("Asset token of listing {} cannot be minted: {}", listingId, e.getMessage());
            }
        }
    }

    /** Published datasets and models of owners with a wallet that have no token yet. */
    private List<Long> unminted() {
        return jdbc.sql("""
                        SELECT l.id FROM listings l
                        WHERE l.status = 'PUBLISHED' AND l.kind IN ('DATASET', 'MODEL')
                          AND EXISTS (SELECT 1 FROM wallet_links w WHERE w.user_id = l.owner_id)
                          AND NOT EXISTS (SELECT 1 FROM asset_tokens t WHERE t.listing_id = l.id)
                        ORDER BY l.id LIMIT 500""")
                .query(Long.class).list();
    }

    /**
     * Mints unless already minted (on the chain-sending thread, under a minting lease; the signer's nonce lock orders
     * the sends of both leases): published listings, and an unpublished one when it is to be delivered.
     */
    private void mintIfReady(long listingId, boolean evenUnpublished) {
        if (!chain.enabled() || jdbc.sql("SELECT EXISTS (SELECT 1 FROM asset_tokens WHERE listing_id = ?)").param(listingId)
                .query(Boolean.class).single()) {
            return;
        }
        ListingDocument listing = catalog.document(listingId).orElse(null);
        if (listing == null || !(listing.published() || evenUnpublished)) {
            return;
        }
        Chain.AssetKind kind = switch (listing.kind()) {
            case DATASET -> Chain.AssetKind.DATASET;
            case MODEL -> trainingRecords.isTrainedModel(listingId) ? Chain.AssetKind.TRAINED_MODEL : Chain.AssetKind.MODEL;
            default -> null;
        };
        List<String> wallets = accounts.wallets(listing.ownerId());
        Optional<byte[]> contentHash = listing.kind() == ListingKind.DATASET ? datasets.contentHash(listingId) : models.contentHash(listingId);
        if (kind == null || wallets.isEmpty() || contentHash.isEmpty()) {
            return; // minted when the owner links a wallet
        }
        String owner = wallets.get(0);
        int royaltyBps = listing.royaltyBps();
        String tx = chain.mintAsset(listingId, kind, contentHash.get(), owner, royaltyBps).orElse(null);
        // The mint's own Transfer log may have been recorded first (a row without mint_tx): complete it.
        jdbc.sql("""
                        INSERT INTO asset_tokens (listing_id, owner_address, mint_tx, royalty_bps, royalty_receiver)
                        VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (listing_id) DO UPDATE SET mint_tx = EXCLUDED.mint_tx, royalty_bps = EXCLUDED.royalty_bps,
                            royalty_receiver = EXCLUDED.royalty_receiver
                        WHERE asset_tokens.mint_tx IS NULL AND EXCLUDED.mint_tx IS NOT NULL""")
                .params(listingId, chain.ownerOf(listingId).orElse(owner), tx, royaltyBps, royaltyBps == 0 ? null : owner)
                .update();
    }

    @ApplicationModuleListener
    void on(ChainLog.AssetTransferred transfer) {
        boolean known = jdbc.sql("SELECT EXISTS (SELECT 1 FROM listings WHERE id = ?)").param(transfer.assetId())
                .query(Boolean.class).single();
        if (!known) {
            return;
        }
        // A mint's own log completes its row whoever sent it: an instance that died between sending the mint and
        // recording it leaves the minting round nothing to record (the token is on the chain by then), so the log gives
        // the transaction and the royalty it was minted with is the listing's, as the mint wrote it.
        boolean mint = transfer.from().equals(ZERO_ADDRESS);
        int royaltyBps = mint ? catalog.document(transfer.assetId()).map(ListingDocument::royaltyBps).orElse(0) : 0;
        // A new owner's license listing lapses on-chain (the market checks the lister still owns it).
        jdbc.sql("""
                        INSERT INTO asset_tokens (listing_id, owner_address, mint_tx, royalty_bps, royalty_receiver, mint_confirmed)
                        VALUES (?, ?, ?, ?, ?, true)
                        ON CONFLICT (listing_id) DO UPDATE SET owner_address = EXCLUDED.owner_address, mint_confirmed = true,
                            license_price_wei = CASE WHEN asset_tokens.owner_address = EXCLUDED.owner_address
                                                     THEN asset_tokens.license_price_wei END,
                            mint_tx = coalesce(asset_tokens.mint_tx, EXCLUDED.mint_tx),
                            royalty_bps = coalesce(asset_tokens.royalty_bps, EXCLUDED.royalty_bps),
                            royalty_receiver = coalesce(asset_tokens.royalty_receiver, EXCLUDED.royalty_receiver),
                            updated_at = now()""")
                .params(transfer.assetId(), transfer.to(), mint ? transfer.txHash() : null, mint ? royaltyBps : null,
                        mint && royaltyBps > 0 ? transfer.to() : null)
                .update();
        if (!mint) {
            catalog.transferOwnership(transfer.assetId(), accounts.accountOfWalletOrNew(transfer.to()));
            // A purchase on the Marketplace moves the token in its own transaction.
            desk.confirmed(transfer.txHash(), transfer.assetId(), transfer.to(), PurchaseDesk.Kind.OWNERSHIP);
        }
    }

    @ApplicationModuleListener
    void on(ChainLog.LicenseListed listed) {
        jdbc.sql("UPDATE asset_tokens SET license_price_wei = ?, updated_at = now() WHERE listing_id = ? AND owner_address = ?")
                .params(listed.price().signum() == 0 ? null : new BigDecimal(listed.price()), listed.assetId(), listed.owner())
                .update();
    }

    /**
     * A reorganisation dropped a transfer or a license listing: the token's owner and license price
     * are read again from the chain as it is now (and the listing follows the owner back).
     */
    @ApplicationModuleListener
    void on(ChainLog.Reverted reverted) {
        long assetId;
        if (reverted.original() instanceof ChainLog.AssetTransferred t) {
            assetId = t.assetId();
        } else if (reverted.original() instanceof ChainLog.LicenseListed l) {
            assetId = l.assetId();
        } else {
            return;
        }
        Optional<String> owner = chain.ownerOf(assetId);
        if (owner.isEmpty()) {
            // The mint itself was dropped: the minting round sends it again (the same transaction, if still pending).
            jdbc.sql("DELETE FROM asset_tokens WHERE listing_id = ?").param(assetId).update();
            return;
        }
        Chain.LicenseListing listing = chain.licenseListing(assetId);
        BigDecimal price = listing.active() && listing.price().signum() > 0 ? new BigDecimal(listing.price()) : null;
        jdbc.sql("UPDATE asset_tokens SET owner_address = ?, license_price_wei = ?, updated_at = now() WHERE listing_id = ?")
                .params(owner.get(), price, assetId).update();
        if (reverted.original() instanceof ChainLog.AssetTransferred) {
            catalog.transferOwnership(assetId, accounts.accountOfWalletOrNew(owner.get()));
        }
        log.warn("A chain reorganisation dropped {} of asset {}: owner {} and license price read again", reverted.event(),
                assetId, owner.get());
    }

    /**
     * @param licensePriceWei the license price the owner set on-chain; null when not for sale
     * @param royaltyBps      the creator's royalty on resales the token was minted with (0: none)
     * @param royaltyReceiver the creator's wallet it is paid to; null when none
     */
    record Token(String ownerAddress, String mintTx, BigDecimal licensePriceWei, int royaltyBps, String royaltyReceiver) {
    }
}
