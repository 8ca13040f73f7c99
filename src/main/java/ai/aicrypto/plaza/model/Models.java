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

    /** Like {@link #publish}, but the listing is private (unpublished) until its owner publishes it. */
    long createPrivate(long ownerId, ModelUpload upload);

    /**
     * The model's card as JSON (validated when it was published).
     *
     * @throws ai.aicrypto.plaza.platform.NotFoundException when there is no such model
     */
    String cardJson(long modelId);
}
