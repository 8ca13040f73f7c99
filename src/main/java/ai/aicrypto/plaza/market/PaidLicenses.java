package ai.aicrypto.plaza.market;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/** Licenses bought on-chain, for those who weigh real use (the contribution ratings, Proof of Value). */
public interface PaidLicenses {

    /** Licenses granted from confirmed purchases in [from, to), not revoked, oldest first. */
    List<PaidLicense> grantedBetween(Instant from, Instant to);

    /**
     * Which of the transactions (lower-case hashes) are confirmed Marketplace purchases the plaza recorded, licenses or
     * ownership sales, not revoked: what their AIC transfers paid was a price, not a gift.
     */
    Set<String> purchasesAmong(Collection<String> txHashes);

    /**
     * @param buyerId      the account the paying wallet is linked to (null: a wallet linked to no account)
     * @param buyerWallet  the wallet that paid (lower-case)
     * @param sellerWallet the wallet that was paid, as the purchase's log names it (for a license recorded before that was
     *                     kept, the wallet the asset token is held by now; null if unknown)
     * @param txHash       the purchase's transaction
     */
    record PaidLicense(long listingId, long ownerId, Long buyerId, String buyerWallet, String sellerWallet, BigInteger priceWei,
                       String txHash, Instant grantedAt) {
    }
}
