package ai.aicrypto.plaza.model;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param freeCallsPerDay predictions a member who is neither owner nor licensee may ask of a published model in any
 *                        24 hours, through its page or the API
 * @param maxInstances    the most records or images one prediction request may carry
 * @param cacheSize       memory for the weights of models run lately (decrypted, in memory only)
 */
@ConfigurationProperties("plaza.models")
public record ModelProperties(int freeCallsPerDay, int maxInstances, org.springframework.util.unit.DataSize cacheSize) {

    public ModelProperties {
        cacheSize = cacheSize == null ? org.springframework.util.unit.DataSize.ofMegabytes(256) : cacheSize;
        if (freeCallsPerDay < 0 || maxInstances < 1 || maxInstances > 10_000) {
            throw new IllegalArgumentException("plaza.models.free-calls-per-day must be >= 0 and max-instances in 1..10000");
        }
    }
}
