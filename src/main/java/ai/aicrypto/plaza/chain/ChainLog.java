package ai.aicrypto.plaza.chain;

import java.math.BigInteger;

/**
 * A contract log the plaza acts on, published (through the event publication registry) once it
 * has the configured number of confirmations, and {@link Reverted} if a reorganisation later drops
 * it. Each is identified by (txHash, logIndex); a listener may see one again after a restart and
 * must be idempotent. Addresses are lower-case.
 */
public sealed interface ChainLog {

    String txHash();

    int logIndex();

    /** Marketplace.LicensePurchased: {@code buyer} paid {@code price} (wei) for a license of {@code assetId}. */
    record LicensePurchased(String txHash, int logIndex, long assetId, String buyer, String owner,
                            BigInteger price, BigInteger fee, long licenseId) implements ChainLog {
    }

    /** Marketplace.LicenseListed / LicenseUnlisted (price 0). */
    record LicenseListed(String txHash, int logIndex, long assetId, String owner, BigInteger price) implements ChainLog {
    }

    /** AssetRegistry.Transfer: from is the zero address for a mint. */
    record AssetTransferred(String txHash, int logIndex, long assetId, String from, String to) implements ChainLog {
    }

    /** A log published before is no longer on the canonical chain. */
    record Reverted(String txHash, int logIndex, String event) implements ChainLog {
    }
}
