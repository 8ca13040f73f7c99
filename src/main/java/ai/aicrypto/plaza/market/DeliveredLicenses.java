package ai.aicrypto.plaza.market;

/**
 * Licenses the market grants without a purchase of its own, because the data was paid for elsewhere on-chain: the
 * requester of a data request who paid its bounty for a dataset may use it like a licensee. Granted and revoked only
 * from the chain's word (the confirmed log that paid, and a reorganisation that drops it).
 */
public interface DeliveredLicenses {

    /** Grants {@code userId} the use of the listing; granting it again (or after a revocation) keeps one license. */
    void grant(long userId, long listingId);

    /** Withdraws a license {@link #grant granted} here (the payment it stood for was dropped from the chain). */
    void revoke(long userId, long listingId);
}
