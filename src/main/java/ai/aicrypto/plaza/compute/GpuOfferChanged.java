package ai.aicrypto.plaza.compute;

/**
 * A GPU offer was registered or its public facts changed (a new measured score), for search to
 * index it. Published in the same transaction as the change, so the outbox holds it exactly when
 * the change committed.
 */
public record GpuOfferChanged(long offerId) {
}
