package ai.aicrypto.plaza.catalog;

import ai.aicrypto.plaza.account.AccountPrincipal;

/**
 * What an access decision needs of a listing, read in one statement: its owner and status (no description, tags or
 * owner's name). For paths that run on every call, such as a model's predict API.
 */
public record ListingHead(long id, long ownerId, ListingStatus status) {

    public boolean published() {
        return status == ListingStatus.PUBLISHED;
    }

    public boolean ownedBy(AccountPrincipal viewer) {
        return viewer != null && viewer.id() == ownerId;
    }

    /** Whether {@code viewer} may see the listing at all: a published one, or their own, or any for an admin. */
    public boolean visibleTo(AccountPrincipal viewer) {
        return published() || ownedBy(viewer) || viewer != null && viewer.isAdmin();
    }
}
