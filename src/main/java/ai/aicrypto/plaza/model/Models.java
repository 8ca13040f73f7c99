package ai.aicrypto.plaza.model;

import java.util.List;
import java.util.Optional;

/** The model module's API. */
public interface Models {

    /**
     * Calls in [from, to) by members who hold a license of the model, or charged to the caller's
     * credit (not counted against a free quota), per model, caller and paying wallet: what paying users made of a model.
     */
    java.util.List<LicenseeCalls> licenseeCallsBetween(java.time.Instant from, java.time.Instant to);

    /**
     * {@code calls}: the calls of {@code callerId} paid from {@code payingWallet}; {@code lastAt}: the last one.
     *
     * @param payingWallet the wallet whose UsageCredit deposit the calls were charged to (null: calls that charged nothing,
     *                     a licensee's of a free model)
     */
    record LicenseeCalls(long modelId, long ownerId, long callerId, String payingWallet, long calls, java.time.Instant lastAt) {
    }


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
    Optional<byte[]> contentHash(long listingId);

    /**
     * Model cards {@code userId} may train: their own, and published ones that are free or that they
     * hold a license of (a paid card sells the right to train with it). Theirs first, then the newest.
     */
    List<ModelTemplate> templatesFor(long userId);

    /** The model's card if {@code userId} may train it, else empty (whether or not it exists). */
    Optional<ModelTemplate> templateFor(long userId, long modelId);

    /**
     * A trained model {@code userId} may fine-tune: one with weights (not withheld) that they own or hold a license of
     * (its own listing, or a published one); else empty, whether or not it exists.
     */
    Optional<ModelTemplate> fineTunableBy(long userId, long modelId);

    /** The member's own trained networks (with weights, not withheld; not trees) they may fine-tune, newest first. */
    List<ModelTemplate> fineTunableFor(long userId);

    /**
     * Others' published trained networks (with weights, not withheld; not trees) the member holds a license of, newest
     * license first: those {@link #fineTunableBy} accepts besides the member's own.
     */
    List<LicensedParent> licensedFineTunableFor(long userId);

    /** @param paidAic what the member paid for the license (0 for a free one) */
    record LicensedParent(ModelTemplate model, java.math.BigDecimal paidAic) {
    }

    /**
     * A fine-tuning job's parent weights, decrypted as they are read, for the worker the job is leased to; the caller
     * checked at submission that the requester may use them.
     *
     * @throws ai.aicrypto.plaza.platform.NotFoundException when the model has no weights
     */
    java.io.InputStream parentWeights(long modelId) throws java.io.IOException;

    /** Whether the model is a published paid card {@code userId} may train once they hold a license of it. */
    boolean licenseNeeded(long userId, long modelId);

    /** Like {@link #publish}, but the listing is private (unpublished) until its owner publishes it. */
    long createPrivate(long ownerId, ModelUpload upload);

    /**
     * Like {@link #createPrivate}, but its weights cannot be downloaded until {@link #release}: a
     * model trained through an escrowed job is handed over once the provider's payment is settled.
     */
    long createWithheld(long ownerId, ModelUpload upload);

    /** Hands a withheld model's weights to its owner; nothing happens for a model that is not withheld. */
    void release(long modelId);

    /**
     * Deletes a trained model's weights (a sweep's trial that was not the best): the model keeps its card and training
     * record, and its page says it has no weights. Nothing happens for a model without weights.
     */
    void discardWeights(long modelId);

    /** Withholds the weights again: a reorganisation dropped the payment that {@link #release released} them. */
    void withhold(long modelId);

    /**
     * The model's card as JSON (validated when it was published).
     *
     * @throws ai.aicrypto.plaza.platform.NotFoundException when there is no such model
     */
    String cardJson(long modelId);
}
