package ai.aicrypto.plaza.platform;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings shared across modules.
 *
 * @param dataDir where the embedded database, blobs and generated keys live (kept between runs)
 * @param demoData whether to seed demo users and listings on an empty database
 */
@ConfigurationProperties("plaza")
public record PlazaProperties(Path dataDir, boolean demoData) {
}
