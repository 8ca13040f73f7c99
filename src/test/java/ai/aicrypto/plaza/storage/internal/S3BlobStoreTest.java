package ai.aicrypto.plaza.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import ai.aicrypto.plaza.storage.BlobStorageProperties;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.support.TestS3;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The blob store contract against a real S3 server (S3Proxy, started by the tests), each test with a bucket of its
 * own; and what is particular to S3: the bucket must answer, and wrong credentials are an error, not a missing blob.
 */
class S3BlobStoreTest extends BlobStoreContract {

    private static int buckets;
    private S3BlobStore store;
    private String bucket;

    @Override
    BlobStore store() throws IOException {
        bucket = "plaza-contract-" + ProcessHandle.current().pid() + "-" + (++buckets);
        S3Client client = S3BlobStore.client(properties(bucket, TestS3.SECRET_KEY));
        client.createBucket(create -> create.bucket(bucket));
        store = new S3BlobStore(client, bucket, incoming());
        return store;
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private Path incoming() {
        return dataDir.resolve("blobs/incoming");
    }

    @Override
    void flipBit(String key, long offset) throws IOException {
        try (S3Client client = S3BlobStore.client(properties(bucket, TestS3.SECRET_KEY))) {
            byte[] bytes = client.getObjectAsBytes(get -> get.bucket(bucket).key(key)).asByteArray();
            bytes[(int) offset] ^= 0x01;
            client.putObject(put -> put.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
        }
    }

    @Override
    long strayTemporaryFiles() throws IOException {
        return regularFiles(incoming());
    }

    @Test
    void wrongCredentialsAreAnErrorNotAMissingBlob() throws Exception {
        String key = store().put(new ByteArrayInputStream(random(100, 6))).key();
        try (var wrong = new S3BlobStore(S3BlobStore.client(properties(bucket, "not-the-secret")), bucket, incoming())) {
            assertThatThrownBy(() -> wrong.exists(key)).isInstanceOf(UncheckedIOException.class).hasMessageContaining(bucket);
            assertThatThrownBy(() -> wrong.open(key)).isInstanceOf(IOException.class).hasMessageContaining("Cannot read blob " + key);
            assertThatThrownBy(() -> wrong.put(new ByteArrayInputStream(random(100, 7)))).isInstanceOf(RuntimeException.class);
        }
        assertThat(store.exists(key)).isTrue();
        assertThat(strayTemporaryFiles()).isZero();
    }

    private static BlobStorageProperties properties(String bucket, String secretKey) {
        return new BlobStorageProperties(TestS3.get().endpoint, bucket, null, TestS3.ACCESS_KEY, secretKey);
    }
}
