package ai.aicrypto.plaza.model;

import java.nio.file.Path;
import java.util.List;

/**
 * A model to publish. Title, description, license and price come from the card itself, so the
 * card stays the one description of the model.
 *
 * @param weightsFile safetensors weights on local disk, or null
 */
public record ModelUpload(String cardJson, List<String> tags, Path weightsFile) {
}
