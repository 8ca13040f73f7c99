package ai.aicrypto.plaza.storage;

import java.net.URI;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where blobs live: the data directory (the default), or an S3-compatible service when a bucket is named.
 *
 * @param endpoint  the service's URL (http or https); empty for Amazon S3's own regional endpoint
 * @param bucket    the bucket, which must exist; empty keeps blobs in the data directory
 * @param region    the bucket's region (default us-east-1, which most S3-compatible servers accept)
 * @param accessKey with the secret key, the credentials; both empty for the AWS SDK's default chain
 *                  (environment, instance profile)
 * @param secretKey never printed
 */
@ConfigurationProperties("plaza.blob.s3")
public record BlobStorageProperties(String endpoint, String bucket, String region, String accessKey, String secretKey) {

    /** S3's bucket naming rules: 3 to 63 lower-case letters, digits, dots and hyphens, a letter or digit at each end. */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,64}");

    public BlobStorageProperties {
        endpoint = blankToNull(endpoint);
        bucket = blankToNull(bucket);
        region = blankToNull(region) == null ? "us-east-1" : region.strip();
        accessKey = blankToNull(accessKey);
        secretKey = blankToNull(secretKey);
        if (bucket != null && !BUCKET.matcher(bucket).matches()) {
            throw new IllegalArgumentException("PLAZA_BLOB_S3_BUCKET: \"" + bucket + "\" is not a bucket name (3 to 63 "
                    + "lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)");
        }
        if (!REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("PLAZA_BLOB_S3_REGION: \"" + region + "\" is not a region name (such as us-east-1)");
        }
        if (endpoint != null) {
            URI uri;
            try {
                uri = URI.create(endpoint);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("PLAZA_BLOB_S3_ENDPOINT: \"" + endpoint + "\" is not a URL");
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("PLAZA_BLOB_S3_ENDPOINT: \"" + endpoint + "\" is not an http(s) URL with a host");
            }
        }
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("PLAZA_BLOB_S3_ACCESS_KEY and PLAZA_BLOB_S3_SECRET_KEY come together: set both, "
                    + "or neither for the AWS SDK's default credentials");
        }
        if (bucket == null && (endpoint != null || accessKey != null)) {
            throw new IllegalArgumentException("PLAZA_BLOB_S3_BUCKET is not set: name the bucket, or unset PLAZA_BLOB_S3_* to keep "
                    + "blobs in the data directory");
        }
    }

    /** Whether blobs go to S3 rather than the data directory. */
    public boolean configured() {
        return bucket != null;
    }

    /** Never the keys, nor more of the endpoint than its host and port. */
    @Override
    public String toString() {
        String host = endpoint == null ? null : URI.create(endpoint).getHost() + ":" + URI.create(endpoint).getPort();
        return "BlobStorageProperties[endpoint=" + host + ", bucket=" + bucket + ", region=" + region + ", credentials="
                + (accessKey == null ? "default chain" : "configured") + "]";
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
