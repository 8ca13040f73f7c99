package ai.aicrypto.plaza.storage.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import ai.aicrypto.plaza.storage.BlobStorageProperties;
import ai.aicrypto.plaza.storage.BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Blobs as objects of one bucket of any S3-compatible service, named by their key. A blob is first written to a
 * temporary file in the data directory while its hash is computed (its key is its hash), then uploaded in one PUT
 * of known length, unless the bucket has it already: a reader never sees a half-written object, and a crash leaves
 * at most a stray temporary file here, nothing in the bucket. Reads stream from the service.
 */
final class S3BlobStore implements BlobStore, AutoCloseable {

    private final S3Client s3;
    private final String bucket;
    private final Path incoming;

    S3BlobStore(S3Client s3, String bucket, Path incoming) throws IOException {
        this.s3 = s3;
        this.bucket = bucket;
        this.incoming = incoming;
        Files.createDirectories(incoming);
    }

    /** A client for the configured service: path-style addressing, which every S3-compatible server serves. */
    static S3Client client(BlobStorageProperties properties) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(properties.region()))
                .forcePathStyle(true)
                // Only where S3 requires them: several compatible servers refuse the SDK's default checksum trailers,
                // and a blob's integrity is its key (SHA-256) and, encrypted, its authentication tags.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(properties.accessKey() == null ? DefaultCredentialsProvider.builder().build()
                        : StaticCredentialsProvider.create(AwsBasicCredentials.create(properties.accessKey(), properties.secretKey())));
        if (properties.endpoint() != null) {
            builder.endpointOverride(URI.create(properties.endpoint()));
        }
        return builder.build();
    }

    @Override
    public StoredBlob write(BlobWriter writer, Consumer<String> beforeStoring) throws IOException {
        try (SpooledBlob spooled = SpooledBlob.write(incoming, writer)) {
            beforeStoring.accept(spooled.key());
            String key = spooled.key();
            if (!exists(key)) {
                try {
                    s3.putObject(put -> put.bucket(bucket).key(key).contentLength(spooled.bytes()), RequestBody.fromFile(spooled.file()));
                } catch (SdkException e) {
                    throw new IOException("Cannot store blob " + key + " in bucket " + bucket + ": " + e.getMessage(), e);
                }
            }
            return new StoredBlob(key, spooled.bytes());
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        BlobKeys.check(key);
        try {
            return s3.getObject(get -> get.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            throw new IOException("No blob " + key, e);
        } catch (SdkException e) {
            throw new IOException("Cannot read blob " + key + " from bucket " + bucket + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean exists(String key) {
        BlobKeys.check(key);
        try {
            s3.headObject(head -> head.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) { // a HEAD answer has no body to name the error
                return false;
            }
            throw unreachable(key, e);
        } catch (SdkException e) {
            throw unreachable(key, e);
        }
    }

    @Override
    public void delete(String key) {
        BlobKeys.check(key);
        try {
            s3.deleteObject(delete -> delete.bucket(bucket).key(key)); // S3 answers an absent key as deleted
        } catch (SdkException e) {
            throw unreachable(key, e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    private UncheckedIOException unreachable(String key, SdkException e) {
        return new UncheckedIOException(new IOException("Bucket " + bucket + " did not answer for blob " + key + ": "
                + e.getMessage(), e));
    }
}
