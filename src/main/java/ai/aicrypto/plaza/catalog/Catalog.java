package ai.aicrypto.plaza.catalog;

import java.util.List;

import ai.aicrypto.plaza.account.AccountPrincipal;

/** The catalog's API for feature modules. */
public interface Catalog {

    /**
     * Creates a published listing in the caller's transaction, so that it is stored together with
     * the item it describes or not at all.
     *
     * @throws ai.aicrypto.plaza.platform.UserFacingException when the draft is invalid
     */
    long create(ListingKind kind, long ownerId, ListingDraft draft);

    /**
     * The listing of the given kind as {@code viewer} (null when anonymous) may see it: unpublished
     * listings only for their owner and admins.
     *
     * @throws ai.aicrypto.plaza.platform.NotFoundException otherwise
     */
    ListingView view(long id, ListingKind kind, AccountPrincipal viewer);

    /** The newest published listings of a kind, for the home page. */
    List<ListingCard> latest(ListingKind kind, int limit);
}
