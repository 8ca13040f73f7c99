package ai.aicrypto.plaza.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

class DatasetPropertiesTest {

    private static DatasetProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bind("plaza.dataset", DatasetProperties.class).get();
    }

    @Test
    void unsetLimitsFollowTheUploadLimit() {
        // what application.yml gives when the PLAZA_* variables are not set: empty values
        DatasetProperties p = bind(Map.of("plaza.dataset.max-upload-size", "1GB", "plaza.dataset.preview-size", "20",
                "plaza.dataset.max-shard-bytes", "64MB", "plaza.dataset.max-decompressed-size", "",
                "plaza.dataset.max-preprocessed-size", "", "plaza.dataset.storage-quota", "",
                "plaza.dataset.max-columns", "10000", "plaza.dataset.max-rows", "100000000"));
        assertThat(p.maxDecompressedSize()).isEqualTo(DataSize.ofGigabytes(4));
        assertThat(p.maxPreprocessedSize()).isEqualTo(DataSize.ofGigabytes(8));
        assertThat(p.storageQuota()).isEqualTo(DataSize.ofGigabytes(10));
        assertThat(p.limits().maxColumns()).isEqualTo(10_000);
        assertThat(p.limits().maxRows()).isEqualTo(100_000_000L);
    }

    @Test
    void setLimitsAreTaken() {
        DatasetProperties p = bind(Map.of("plaza.dataset.max-upload-size", "2GB", "plaza.dataset.preview-size", "20",
                "plaza.dataset.max-shard-bytes", "64MB", "plaza.dataset.max-decompressed-size", "3GB",
                "plaza.dataset.storage-quota", "50GB", "plaza.dataset.max-columns", "500"));
        assertThat(p.limits().maxDecompressedBytes()).isEqualTo(DataSize.ofGigabytes(3).toBytes());
        assertThat(p.storageQuota()).isEqualTo(DataSize.ofGigabytes(50));
        assertThat(p.limits().maxColumns()).isEqualTo(500);
        assertThat(p.limits().maxShardBytesTotal()).isEqualTo(DataSize.ofGigabytes(16).toBytes());
    }
}
