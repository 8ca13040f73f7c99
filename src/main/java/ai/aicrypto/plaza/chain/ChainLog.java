package ai.aicrypto.plaza.chain;

import java.math.BigInteger;
import java.util.List;

/**
 * A contract log the plaza acts on, published (through the event publication registry) once it
 * has the configured number of confirmations, and {@link Reverted} if a reorganisation later drops
 * it. Each is identified by (txHash, logIndex); a listener may see one again after a restart and
 * must be idempotent. Addresses are lower-case. The escrows key each record by its depositor (the
 * requester of a job, the host of a competition), so an escrow log names the depositor with the id:
 * a listener acts only on the record of the depositor the plaza expects.
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

    /**
     * Marketplace.AssetOffered / AssetOfferCancelled (price 0): {@code owner} offered the asset itself (its token) for
     * sale. {@code blockNumber} orders it among the other logs of the asset's offer, whose listeners may run in any order.
     */
    record AssetOffered(String txHash, int logIndex, long blockNumber, long assetId, String owner, BigInteger price)
            implements ChainLog {
    }

    /**
     * Marketplace.AssetPurchased: {@code buyer} paid {@code price} for the asset's token; the treasury got {@code fee},
     * {@code royaltyReceiver} (null when none) the creator's {@code royalty} and {@code seller} the rest. The sale
     * also closes the offer ({@code blockNumber}: see {@link AssetOffered}); the token's move is its Transfer log.
     */
    record AssetPurchased(String txHash, int logIndex, long blockNumber, long assetId, String buyer, String seller,
                          BigInteger price, BigInteger fee, String royaltyReceiver, BigInteger royalty) implements ChainLog {
    }

    /** AssetRegistry.Transfer: from is the zero address for a mint. */
    record AssetTransferred(String txHash, int logIndex, long assetId, String from, String to) implements ChainLog {
    }

    /** JobEscrow.JobFunded: {@code requester} deposited {@code budget} for the plaza's job {@code jobId}. */
    record JobFunded(String txHash, int logIndex, long jobId, String requester, BigInteger budget, long deadline)
            implements ChainLog {
    }

    /** JobEscrow.JobSettled: {@code provider} got {@code amount - fee}, the requester {@code refunded}. */
    record JobSettled(String txHash, int logIndex, long jobId, String requester, String provider, BigInteger amount,
                      BigInteger fee, BigInteger refunded) implements ChainLog {
    }

    /**
     * JobEscrow.JobReleased: part {@code partId} (a sweep's trial) of the budget paid {@code provider} {@code amount - fee};
     * {@code remaining} is left for the job.
     */
    record JobReleased(String txHash, int logIndex, long jobId, String requester, long partId, String provider,
                       BigInteger amount, BigInteger fee, BigInteger remaining) implements ChainLog {
    }

    /** JobEscrow.JobRefunded: the operator returned the whole (remaining) budget. */
    record JobRefunded(String txHash, int logIndex, long jobId, String requester, BigInteger amount) implements ChainLog {
    }

    /** JobEscrow.JobReclaimed: the requester took the budget back after the escrow's deadline. */
    record JobReclaimed(String txHash, int logIndex, long jobId, String requester, BigInteger amount) implements ChainLog {
    }

    /** CompetitionEscrow.CompetitionFunded (times in epoch seconds, split in basis points by place). */
    record CompetitionFunded(String txHash, int logIndex, long competitionId, String host, BigInteger pool,
                             long startTime, long endTime, List<Integer> splitBps) implements ChainLog {
    }

    /** CompetitionEscrow.PoolIncreased: {@code pool} is the new total. */
    record PoolIncreased(String txHash, int logIndex, long competitionId, String host, BigInteger amount, BigInteger pool)
            implements ChainLog {
    }

    /** CompetitionEscrow.CompetitionCancelled: the host took the pool back before the start. */
    record CompetitionCancelled(String txHash, int logIndex, long competitionId, String host, BigInteger refunded)
            implements ChainLog {
    }

    /** CompetitionEscrow.CompetitionFinalized: the ranking was paid ({@code held} waits for wallets). */
    record CompetitionFinalized(String txHash, int logIndex, long competitionId, String host, BigInteger paid, BigInteger held)
            implements ChainLog {
    }

    /** CompetitionEscrow.PrizePaid: place {@code place} (0 = first) went to {@code winner}. */
    record PrizePaid(String txHash, int logIndex, long competitionId, String host, int place, String winner, BigInteger amount)
            implements ChainLog {
    }

    /** CompetitionEscrow.PrizeHeld: the winner of {@code place} had no wallet at finalisation. */
    record PrizeHeld(String txHash, int logIndex, long competitionId, String host, int place, BigInteger amount)
            implements ChainLog {
    }

    /** CompetitionEscrow.PoolReclaimed: not finalised in time; the host took the pool back. */
    record PoolReclaimed(String txHash, int logIndex, long competitionId, String host, BigInteger amount) implements ChainLog {
    }

    /** CompetitionEscrow.HeldPrizesReclaimed: held prizes nobody claimed in time went back to the host. */
    record HeldPrizesReclaimed(String txHash, int logIndex, long competitionId, String host, BigInteger amount,
                               int placesMask) implements ChainLog {
    }

    /** UsageCredit.CreditDeposited: {@code member} added {@code amount} wei; their balance is now {@code balance}. */
    record CreditDeposited(String txHash, int logIndex, String member, BigInteger amount, BigInteger balance)
            implements ChainLog {
    }

    /** UsageCredit.WithdrawalRequested: {@code member} asked for {@code amount} back (replacing an earlier request). */
    record CreditWithdrawalRequested(String txHash, int logIndex, String member, BigInteger amount, long withdrawableAt)
            implements ChainLog {
    }

    /** UsageCredit.CreditWithdrawn: paid by the operator ({@code released}) or taken by the member after the delay. */
    record CreditWithdrawn(String txHash, int logIndex, String member, BigInteger amount, boolean released)
            implements ChainLog {
    }

    /** UsageCredit.UsageSettled: batch {@code batchId} debited {@code charged} wei ({@code fee} to the treasury). */
    record UsageSettled(String txHash, int logIndex, long batchId, int entries, BigInteger charged, BigInteger fee,
                        BigInteger shortfall) implements ChainLog {
    }

    /** RewardsDistributor.EpochPublished: the epoch's root is on-chain, {@code amount} taken from the ecosystem wallet. */
    record RewardsPublished(String txHash, int logIndex, long epoch, String root, BigInteger amount, long claimDeadline)
            implements ChainLog {
    }

    /** RewardsDistributor.Claimed: leaf {@code index} of {@code epoch} paid {@code amount} to {@code account}. */
    record RewardClaimed(String txHash, int logIndex, long epoch, long index, String account, BigInteger amount)
            implements ChainLog {
    }

    /** RewardsDistributor.EpochExpired: what the epoch had left went back to the ecosystem wallet. */
    record RewardsExpired(String txHash, int logIndex, long epoch, BigInteger returned) implements ChainLog {
    }

    /** BountyEscrow.BountyOpened: {@code requester} escrowed {@code amount} wei for request {@code bountyId}. */
    record BountyOpened(String txHash, int logIndex, long bountyId, String requester, BigInteger amount, long deadline)
            implements ChainLog {
    }

    /**
     * BountyEscrow.AssetSubmitted: {@code creator}, owner of asset token {@code assetId} when it was mined, offered it to
     * {@code requester}'s commission {@code bountyId}.
     */
    record AssetSubmitted(String txHash, int logIndex, long bountyId, String requester, String creator, long assetId)
            implements ChainLog {
    }

    /**
     * BountyEscrow.BountyAccepted: the requester paid {@code creator} {@code amount - fee}; {@code assetId} (0 for data)
     * is the token that moved to the requester.
     */
    record BountyAccepted(String txHash, int logIndex, long bountyId, String requester, String creator, long assetId,
                          BigInteger amount, BigInteger fee) implements ChainLog {
    }

    /** BountyEscrow.BountyRefunded: the bounty went back to its requester after the deadline. */
    record BountyRefunded(String txHash, int logIndex, long bountyId, String requester, BigInteger amount) implements ChainLog {
    }

    /**
     * A log published before is no longer on the canonical chain. {@code original} is the event that
     * was published for it (null for a log recorded before the plaza kept events), so a listener
     * knows what to undo. The watcher reads no new logs until every listener has handled its
     * Reverted events: an undo never races the redo of the same log mined again.
     */
    record Reverted(String txHash, int logIndex, String event, ChainLog original) implements ChainLog {
    }
}
