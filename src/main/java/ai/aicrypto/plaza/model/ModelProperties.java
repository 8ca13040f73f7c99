package ai.aicrypto.plaza.model;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param freeCallsPerDay predictions a member who is neither owner nor licensee may ask of a published model in any
 *                        24 hours, through its page or the API
 * @param maxInstances    the most records or images one prediction request may carry
 */
@ConfigurationProperties("plaza.models")
public record ModelProperties(int freeCallsPerDay, int maxInstances) {

    public ModelProperties {
        if (freeCallsPerDay < 0 || maxInstances < 1 || maxInstances > 10_000) {
            throw new IllegalArgumentException("plaza.models.free-calls-per-day must be >= 0 and max-instances in 1..10000");
        }
    }
}
