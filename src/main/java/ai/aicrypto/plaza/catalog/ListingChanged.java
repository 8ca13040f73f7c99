package ai.aicrypto.plaza.catalog;

/**
 * A listing was created or changed (text, price, status or search terms). Published in the same
 * transaction as the change, so the event publication registry (the outbox) holds it exactly
 * when the change committed.
 */
public record ListingChanged(long listingId) {
}
