package ai.aicrypto.plaza.storage.internal;

import java.io.IOException;
import java.nio.file.Path;

import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.storage.BlobStorageProperties;
import ai.aicrypto.plaza.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The blob store: the data directory's by default, an S3 bucket when one is configured (every instance of a
 * cluster must then name the same bucket, since each reads what another wrote).
 */
@Configuration(proxyBeanMethods = false)
class BlobStoreConfiguration {

    private static final Logger log = LoggerFactory.getLogger(BlobStoreConfiguration.class);

    @Bean
    BlobStore blobStore(BlobStorageProperties s3, PlazaProperties plaza) throws IOException {
        Path blobs = plaza.dataDir().resolve("blobs");
        if (!s3.configured()) {
            return new FilesystemBlobStore(blobs);
        }
        log.info("Blobs are stored in S3: {}", s3);
        // Uploads are spooled in the data directory while their key is computed.
        return new S3BlobStore(S3BlobStore.client(s3), s3.bucket(), blobs.resolve("incoming"));
    }
}
