package ai.aicrypto.plaza.catalog;

/**
 * Who may use a listing beyond its public page (download a dataset in full, train on it): its
 * owner and the accounts that hold a license. Implemented by the market module, which keeps the
 * licenses; asked by the modules that serve content.
 */
public interface ListingAccess {

    /** Whether {@code userId} owns the listing or holds a license of it. */
    boolean mayUse(long userId, long listingId);
}
