package ai.aicrypto.plaza.storage;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param masterKey base64 of 32 random bytes that wrap every data key; when empty a key is
 *                  generated into {@code data/master.key} on first start
 */
@ConfigurationProperties("plaza.crypto")
public record StorageProperties(String masterKey) {

    /** Never the key. */
    @Override
    public String toString() {
        return "StorageProperties[masterKey=" + (masterKey == null || masterKey.isBlank() ? "generated" : "configured") + "]";
    }
}
