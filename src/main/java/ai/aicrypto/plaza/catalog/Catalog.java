package ai.aicrypto.plaza.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import ai.aicrypto.plaza.account.AccountPrincipal;

/** The catalog's API for feature modules. */
public interface Catalog {

    /**
     * Creates a published listing in the caller's transaction, so that it is stored together with
     * the item it describes or not at all.
     *
     * @param search what search should know of it beyond its title, description and tags
     * @throws ai.aicrypto.plaza.platform.UserFacingException when the draft is invalid
     */
    long create(ListingKind kind, long ownerId, ListingDraft draft, SearchFacts search);

    /**
     * Like {@link #create}, but the listing starts unpublished: only its owner and admins see it
     * until the owner publishes it (a trained model, for instance).
     */
    long createPrivate(ListingKind kind, long ownerId, ListingDraft draft, SearchFacts search);

    /**
     * The listing of the given kind as {@code viewer} (null when anonymous) may see it: unpublished
     * listings only for their owner and admins.
     *
     * @throws ai.aicrypto.plaza.platform.NotFoundException otherwise
     */
    ListingView view(long id, ListingKind kind, AccountPrincipal viewer);

    /**
     * The owner and status of the listing of the given kind, under the same rule as {@link #view}.
     *
     * @throws ai.aicrypto.plaza.platform.NotFoundException when {@code viewer} may not see it
     */
    ListingHead head(long id, ListingKind kind, AccountPrincipal viewer);

    /** The newest published listings of a kind, for the home page. */
    List<ListingCard> latest(ListingKind kind, int limit);

    /** A member's published listings (every kind), newest first: what their public profile shows. */
    List<ListingCard> publishedBy(long ownerId, int limit);

    /** The listing as search indexes it, or empty if it no longer exists. */
    Optional<ListingDocument> document(long id);

    /**
     * Listing documents in id order, a batch at a time: for rebuilding a search index.
     *
     * @param changedSince only listings changed at or after this instant; null for all
     */
    void forEachDocument(Instant changedSince, int batchSize, Consumer<List<ListingDocument>> batch);

    /**
     * Gives a listing to a new owner, in the caller's transaction. Only for the chain's word: the
     * asset token changed hands on-chain.
     */
    void transferOwnership(long listingId, long newOwnerId);

    /**
     * Publishes a listing under the license and price agreed beforehand, in the caller's transaction. Only for the
     * chain's word: a data request's bounty was paid for it on-chain on these terms.
     *
     * @throws ai.aicrypto.plaza.platform.NotFoundException when there is no such listing
     */
    void publishOnTerms(long listingId, String license, java.math.BigDecimal priceAic);

    /**
     * Takes a listing down, in the caller's transaction. Only for the chain's word: a reorganisation dropped the bounty
     * acceptance that {@linkplain #publishOnTerms published it on agreed terms}, so those terms were never paid for.
     *
     * @throws ai.aicrypto.plaza.platform.NotFoundException when there is no such listing
     */
    void unpublishForChain(long listingId);
}
