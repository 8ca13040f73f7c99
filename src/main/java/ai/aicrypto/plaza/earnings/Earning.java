package ai.aicrypto.plaza.earnings;

import java.math.BigInteger;
import java.time.Instant;

/**
 * Something a member earned, as the source that owns it recorded it. Amounts are AIC wei: {@code grossWei} what the
 * member's share came to before the plaza's fee, {@code feeWei} that fee (for a pending earning, what the contract's
 * fee now would take). {@code paidTx} is the transaction of the confirmed log that paid it, null while it is pending.
 *
 * @param listingId the listing it was earned with (null for GPU work, rewards and prizes)
 * @param item      what it was earned with, as the member knows it (a listing's title, an offer, an epoch)
 */
public record Earning(Kind kind, Long listingId, String item, Instant accruedAt, BigInteger grossWei, BigInteger feeWei,
                      String paidTx, Instant paidAt) {

    public Earning {
        if (grossWei.signum() < 0 || feeWei.signum() < 0 || feeWei.compareTo(grossWei) > 0) {
            throw new IllegalArgumentException("An earning of " + grossWei + " wei cannot carry a fee of " + feeWei);
        }
    }

    /** The fee a contract taking {@code feeBps} basis points would take of {@code grossWei}: what the contracts compute. */
    public static BigInteger feeAt(BigInteger grossWei, int feeBps) {
        return grossWei.multiply(BigInteger.valueOf(feeBps)).divide(BigInteger.valueOf(10_000));
    }

    public BigInteger netWei() {
        return grossWei.subtract(feeWei);
    }

    public boolean paid() {
        return paidTx != null;
    }

    /** Where the money came from; the order is the dashboard's. */
    public enum Kind { LICENSE, OWNERSHIP_SALE, ROYALTY, API_CALLS, GPU_WORK, REWARD, PRIZE, BOUNTY }
}
