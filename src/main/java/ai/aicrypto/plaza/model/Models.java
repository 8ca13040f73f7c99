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
}
