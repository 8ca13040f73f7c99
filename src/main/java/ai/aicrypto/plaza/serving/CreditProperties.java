package ai.aicrypto.plaza.serving;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param settleInterval how often charged usage is gathered into a batch and settled on-chain (and withdrawal
 *                       requests released)
 * @param batchEntries   the most entries (payer, payee) one settlement carries
 */
@ConfigurationProperties("plaza.credit")
public record CreditProperties(Duration settleInterval, int batchEntries) {

    public CreditProperties {
        settleInterval = settleInterval == null ? Duration.ofMinutes(5) : settleInterval;
        batchEntries = batchEntries == 0 ? 200 : batchEntries;
        if (batchEntries < 1 || batchEntries > 1000) {
            throw new IllegalArgumentException("plaza.credit.batch-entries must be 1 to 1000");
        }
    }
}
