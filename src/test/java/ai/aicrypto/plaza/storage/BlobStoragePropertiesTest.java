package ai.aicrypto.plaza.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** PLAZA_BLOB_S3_*: nothing set keeps the data directory; a bucket selects S3; settings that cannot work stop the start. */
class BlobStoragePropertiesTest {

    @Test
    void withoutABucketBlobsStayInTheDataDirectory() {
        var none = new BlobStorageProperties("", " ", "", null, null);
        assertThat(none.configured()).isFalse();
        assertThat(none.region()).isEqualTo("us-east-1");
        var s3 = new BlobStorageProperties("http://127.0.0.1:9000", "plaza-blobs", "eu-west-1", "access", "secret");
        assertThat(s3.configured()).isTrue();
        assertThat(new BlobStorageProperties(null, "plaza.blobs-1", null, null, null).configured())
                .as("Amazon S3 itself, with the SDK's default credentials").isTrue();
    }

    @Test
    void settingsThatCannotWorkAreRefusedSayingWhichAndWhy() {
        assertThatThrownBy(() -> new BlobStorageProperties(null, "Plaza_Blobs", null, null, null))
                .hasMessageContaining("PLAZA_BLOB_S3_BUCKET").hasMessageContaining("not a bucket name");
        assertThatThrownBy(() -> new BlobStorageProperties(null, "ab", null, null, null)).hasMessageContaining("3 to 63");
        assertThatThrownBy(() -> new BlobStorageProperties("ftp://host", "plaza-blobs", null, null, null))
                .hasMessageContaining("PLAZA_BLOB_S3_ENDPOINT").hasMessageContaining("http(s)");
        assertThatThrownBy(() -> new BlobStorageProperties("http://host:9000", "plaza-blobs", "us east", null, null))
                .hasMessageContaining("PLAZA_BLOB_S3_REGION");
        assertThatThrownBy(() -> new BlobStorageProperties(null, "plaza-blobs", null, "access", null))
                .hasMessageContaining("PLAZA_BLOB_S3_ACCESS_KEY and PLAZA_BLOB_S3_SECRET_KEY come together");
        assertThatThrownBy(() -> new BlobStorageProperties("http://host:9000", null, null, "access", "secret"))
                .hasMessageContaining("PLAZA_BLOB_S3_BUCKET is not set");
    }
}
