package ai.aicrypto.plaza.earnings.internal;

import java.net.URI;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param explorerUrl a block explorer of the plaza's chain (e.g. {@code https://etherscan.io}): payments link to
 *                    {@code explorerUrl/tx/HASH}; unset (a local chain has none), the hash and block are shown alone
 */
@ConfigurationProperties("plaza.earnings")
record EarningsProperties(URI explorerUrl) {

    EarningsProperties {
        if (explorerUrl != null && explorerUrl.toString().isBlank()) {
            explorerUrl = null;
        }
        if (explorerUrl != null && !("https".equals(explorerUrl.getScheme()) || "http".equals(explorerUrl.getScheme()))) {
            throw new IllegalArgumentException("plaza.earnings.explorer-url must be an http(s) URL, not " + explorerUrl);
        }
    }

    /** The explorer's page of a transaction, or null without an explorer. */
    String transactionUrl(String txHash) {
        return explorerUrl == null ? null : explorerUrl.toString().replaceAll("/+$", "") + "/tx/" + txHash;
    }
}
