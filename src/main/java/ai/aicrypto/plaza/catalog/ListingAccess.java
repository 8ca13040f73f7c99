package ai.aicrypto.plaza.catalog;

/**
 * Who may use a listing beyond its public page (download a dataset in full, train on it): its
 * owner and the accounts that hold a license. Implemented by the market module, which keeps the
 * licenses; asked by the modules that serve content.
 */
public interface ListingAccess {

    /** Whether {@code userId} owns the listing or holds a license of it. */
    boolean mayUse(long userId, long listingId);

    /**
     * The listings of others that {@code userId} holds a license of (bought by the account or a wallet linked to it),
     * each with the most paid for one of its licenses, newest first, at most {@code limit}.
     */
    java.util.List<HeldLicense> heldBy(long userId, int limit);

    /** @param paidAic what the license cost, fee included (0 for a free one) */
    record HeldLicense(long listingId, java.math.BigDecimal paidAic) {
    }
}
