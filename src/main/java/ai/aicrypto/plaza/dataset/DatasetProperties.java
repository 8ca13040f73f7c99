package ai.aicrypto.plaza.dataset;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * @param maxUploadSize largest accepted upload (default 2 GiB)
 * @param previewSize   records shown to anyone as a preview
 * @param maxShardBytes upper bound of one preprocessed shard
 */
@ConfigurationProperties("plaza.dataset")
public record DatasetProperties(DataSize maxUploadSize, int previewSize, DataSize maxShardBytes) {
}
