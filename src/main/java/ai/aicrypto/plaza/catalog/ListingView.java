package ai.aicrypto.plaza.catalog;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.account.AccountPrincipal;

/**
 * A listing as its detail page shows it; {@code descriptionHtml} is already sanitised.
 *
 * @param royaltyFixed whether the royalty can no longer change (the listing was published: its token may be minted)
 */
public record ListingView(long id, ListingKind kind, long ownerId, String ownerName, String title, String description,
                          String descriptionHtml, List<String> tags, String license, BigDecimal priceAic,
                          ListingStatus status, Instant createdAt, Instant updatedAt, int royaltyBps, boolean royaltyFixed) {

    public boolean free() {
        return priceAic.signum() == 0;
    }

    public boolean published() {
        return status == ListingStatus.PUBLISHED;
    }

    /** Owners and admins may edit, unpublish and see unpublished listings. */
    public boolean manageableBy(AccountPrincipal viewer) {
        return viewer != null && (viewer.id() == ownerId || viewer.isAdmin());
    }

    public boolean ownedBy(AccountPrincipal viewer) {
        return viewer != null && viewer.id() == ownerId;
    }
}
