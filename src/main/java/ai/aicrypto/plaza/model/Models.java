package ai.aicrypto.plaza.model;

/** The model module's API. */
public interface Models {

    /**
     * Validates the card (and the weights, if any) and stores both with a listing, all or nothing.
     *
     * @return the id of the new listing
     * @throws ai.aicrypto.plaza.model.card.InvalidModelCardException naming each invalid field
     * @throws ai.aicrypto.plaza.platform.UserFacingException for other input the user must fix
     */
    long publish(long ownerId, ModelUpload upload);

    /**
     * SHA-256 of the stored model: of its weights as stored (encrypted) when it has weights, else
     * of its card. What the asset token records as its content hash. Empty for an unknown model.
     */
    java.util.Optional<byte[]> contentHash(long listingId);
}
