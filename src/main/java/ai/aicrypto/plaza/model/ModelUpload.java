package ai.aicrypto.plaza.model;

import java.nio.file.Path;
import java.util.List;

/**
 * A model to publish. Title, description, license and price come from the card itself, so the
 * card stays the one description of the model.
 *
 * @param weightsFile safetensors weights on local disk, or null
 * @param royaltyBps  the creator's royalty on resales of its asset token (see ListingDraft#royaltyBps)
 * @param parentModelId the model whose weights a fine-tuning job started from, or null
 */
public record ModelUpload(String cardJson, List<String> tags, Path weightsFile, int royaltyBps, Long parentModelId) {

    /** A model that is no fine-tuning of another. */
    public ModelUpload(String cardJson, List<String> tags, Path weightsFile, int royaltyBps) {
        this(cardJson, tags, weightsFile, royaltyBps, null);
    }


    /** A model without a royalty (0). */
    public ModelUpload(String cardJson, List<String> tags, Path weightsFile) {
        this(cardJson, tags, weightsFile, 0);
    }
}
