package ai.aicrypto.plaza.market;

/**
 * Asset tokens minted for a delivery rather than a publication: a developer's own model, private as trained models are,
 * offered to an AI commission must exist on the chain before its token can move to the requester.
 */
public interface AssetDelivery {

    /**
     * Mints the token of the owner's listing, published or not, to the owner's first linked wallet, on the chain-sending
     * thread (soon, not before this returns); nothing when it exists already or the owner has no wallet.
     */
    void mintForDelivery(long listingId);
}
