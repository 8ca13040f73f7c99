package ai.aicrypto.plaza.dataset.format;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/** The {@code __metadata__} of every shard. Safetensors metadata values must be strings, so lists are JSON text. */
final class ShardMetadata {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ShardMetadata() {
    }

    static Map<String, String> of(DatasetProfile profile, List<String> featureNames) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "aiplaza-dataset-v1");
        metadata.put("source_format", profile.format().name());
        metadata.put("task", profile.regression() ? "regression" : "classification");
        metadata.put("label_column", profile.labelColumn());
        metadata.put("classes", JSON.writeValueAsString(profile.classes()));
        if (profile.imageShape() != null) {
            metadata.put("image_shape", JSON.writeValueAsString(profile.imageShape()));
        } else {
            metadata.put("feature_names", JSON.writeValueAsString(featureNames));
        }
        return metadata;
    }
}
