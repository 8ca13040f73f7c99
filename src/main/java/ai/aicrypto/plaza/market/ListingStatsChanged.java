package ai.aicrypto.plaza.market;

/**
 * What a listing is sorted by changed: a license was granted or revoked, or a review written,
 * edited or removed (the counts themselves are in {@code listing_stats}, kept by the database in
 * the same transaction). Published in that transaction, like
 * {@link ai.aicrypto.plaza.catalog.ListingChanged}, so search re-reads the listing exactly when
 * the change committed.
 */
public record ListingStatsChanged(long listingId) {
}
