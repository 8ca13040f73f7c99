package ai.aicrypto.plaza.chain;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * What the rest of the plaza asks of the chain. Reads go to the configured RPC; writes are signed
 * with the minter key (asset tokens) or the escrow operator key (settlements and prizes), each
 * simulated first (a call that would revert throws {@link IllegalStateException} and sends nothing),
 * and sent at most once per purpose: asked again, a write returns the hash of the transaction sent
 * before while it is pending or mined, and replaces it (same nonce, higher fees) when it waited too
 * long. A write returns once sent, not mined; its effect is known from its confirmed log. Everything that decides money or ownership comes back as a confirmed log
 * (see {@link ChainLog}), never from these calls' answers or from a browser.
 */
public interface Chain {

    /** Whether contracts are deployed and configured; without them the plaza sells nothing on-chain. */
    boolean enabled();

    /** @throws IllegalStateException when the chain is not {@linkplain #enabled() enabled} */
    Contracts contracts();

    /**
     * Mints the asset token {@code tokenId} to {@code owner} unless it exists already, with the ERC-2981 royalty
     * {@code royaltyBps} (of every resale's price, at most AssetRegistry.MAX_ROYALTY_BPS) paid to {@code owner}, its
     * creator; 0 mints without a royalty.
     *
     * @return the mint transaction's hash, or empty when the token existed
     */
    Optional<String> mintAsset(long tokenId, AssetKind kind, byte[] contentHash, String owner, int royaltyBps);

    /** The on-chain license listing of an asset (price 0 when not listed or the token does not exist). */
    LicenseListing licenseListing(long assetId);

    /** The on-chain ownership sale offer of an asset (price 0 when none or the token does not exist). */
    AssetOffer assetOffer(long assetId);

    /** The Marketplace's platform fee, in basis points of a price (license or asset sale). */
    int marketFeeBps();

    /** UsageCredit's platform fee, in basis points of a settled amount (what a batch settled now would take). */
    int usageFeeBps();

    /** JobEscrow's platform fee, in basis points of a provider's payment (what a settlement sent now would take). */
    int jobEscrowFeeBps();

    /** Whether the Marketplace may transfer the asset's token for its owner (approved for it, or for all theirs). */
    boolean marketMayTransfer(long assetId);

    /** Calldata of AssetRegistry.approve(market, assetId): the owner lets the Marketplace transfer the token when sold. */
    String approveMarketForAssetCall(long assetId);

    /** Calldata of Marketplace.offerAsset (price 0 cancels the offer). */
    String offerAssetCall(long assetId, BigInteger priceWei);

    /** Calldata of AICToken.approve(market, amount): the buyer lets the Marketplace take exactly the price. */
    String approveMarketForAicCall(BigInteger amount);

    /**
     * Calldata of Marketplace.buyAsset: the buyer pays the offer's price on-chain when mined, and the call reverts
     * (PriceAboveMax) if that price is above {@code maxPriceWei}, the price the buyer agreed to.
     */
    String buyAssetCall(long assetId, BigInteger maxPriceWei);

    /** Current owner of an asset token, empty if it is not minted. */
    Optional<String> ownerOf(long assetId);

    /** AIC balance in wei. */
    BigInteger aicBalance(String address);

    /**
     * The EIP-712 typed data (JSON, as eth_signTypedData_v4 takes it) of an EIP-2612 permit letting
     * {@code spender} (one of the {@linkplain #contracts() contracts}) take exactly {@code value} AIC
     * wei from {@code owner} until {@code deadline} (epoch seconds).
     */
    String permitTypedData(String owner, String spender, BigInteger value, long deadline);

    /** Calldata of Marketplace.buyLicenseWithPermit for a 65-byte signature (0x hex). */
    String buyLicenseWithPermitCall(long assetId, long deadline, String signature);

    /** Calldata of Marketplace.listLicense (price 0 unlists). */
    String listLicenseCall(long assetId, BigInteger priceWei);

    /**
     * Calldata of JobEscrow.depositWithPermit: the requester deposits {@code budget} for the plaza's
     * job {@code jobId}, reclaimable by them after {@code timeoutSeconds} if the plaza never settles.
     */
    String depositWithPermitCall(long jobId, BigInteger budget, long timeoutSeconds, long deadline, String signature);

    /** Calldata of CompetitionEscrow.fundWithPermit: the host funds the pool of competition {@code id}. */
    String fundWithPermitCall(long id, long startEpochSecond, long endEpochSecond, List<Integer> splitBps, BigInteger pool,
                              long deadline, String signature);

    /**
     * The budget {@code requester} deposited for job {@code jobId} in JobEscrow now (status NONE when
     * they never deposited). The escrow keys each deposit by its depositor, so a stranger's deposit
     * under the same id is a record of its own.
     */
    EscrowedJob escrowedJob(String requester, long jobId);

    /**
     * Escrow operator: records on-chain which provider's wallet the job's budget may be settled to.
     * @return the transaction hash
     */
    String assignJob(String requester, long jobId, String provider);

    /**
     * Escrow operator: pays the assigned provider {@code amount} minus the escrow's fee, and the
     * requester the rest of the budget (sent after the assignment, from the same account, so mined after it).
     *
     * @return the transaction hash
     */
    String settleJob(String requester, long jobId, BigInteger amount);

    /**
     * Escrow operator: pays part {@code partId} (a sweep's trial) of job {@code jobId}'s budget to {@code provider},
     * {@code amount} minus the escrow's fee; the escrow pays each part once, and the job stays funded for the others.
     *
     * @return the transaction hash
     */
    String releaseJobPart(String requester, long jobId, long partId, String provider, BigInteger amount);

    /** Whether part {@code partId} of the requester's job {@code jobId} was paid in JobEscrow ({@link #releaseJobPart}). */
    boolean jobPartReleased(String requester, long jobId, long partId);

    /** Escrow operator: returns a job's whole (remaining) budget to its requester. @return the transaction hash */
    String refundJob(String requester, long jobId);

    /** The pool {@code host} funded for competition {@code id} in CompetitionEscrow now (status NONE when never funded). */
    EscrowedCompetition escrowedCompetition(String host, long id);

    /**
     * Escrow operator: pays the ranked places of the host's competition, from its end time on; a
     * zero address holds that place's prize for {@link #assignWinner}.
     *
     * @return the transaction hash
     */
    String finalizeCompetition(String host, long id, List<String> winners);

    /** Escrow operator: pays a held prize to the winner's wallet. @return the transaction hash */
    String assignWinner(String host, long id, int place, String wallet);

    /** Calldata of UsageCredit.depositWithPermit: the caller adds {@code amount} AIC wei to their credit. */
    String creditDepositWithPermitCall(BigInteger amount, long deadline, String signature);

    /** Calldata of UsageCredit.requestWithdrawal: the caller asks for {@code amount} of their credit back. */
    String creditWithdrawalRequestCall(BigInteger amount);

    /** Calldata of UsageCredit.withdraw: the caller takes a request whose delay has passed, without the operator. */
    String creditWithdrawCall();

    /** A member's credit in UsageCredit now (all zero for a wallet that never deposited). */
    CreditAccount creditAccount(String member);

    /** Whether UsageCredit settled batch {@code batchId} (its log may still wait for confirmations). */
    boolean usageBatchSettled(long batchId);

    /**
     * Escrow operator: settles batch {@code batchId} of usage in UsageCredit, each entry debiting its payer and
     * paying its payee the amount minus the fee. The entries go as given: the caller orders them by payee.
     *
     * @return the transaction hash
     */
    String settleUsage(long batchId, List<UsageEntry> entries);

    /**
     * Escrow operator: pays a member's open withdrawal request (capped at their balance) now. {@code request} names
     * the request (its log's transaction), so that each request is released at most once.
     *
     * @return the transaction hash
     */
    String releaseCreditWithdrawal(String member, String request);

    /**
     * Confirmed AIC transfers to any of {@code recipients} in blocks mined at or after {@code since}:
     * what the plaza reads to see who funded whom.
     */
    List<AicTransfer> aicTransfersTo(java.util.Collection<String> recipients, java.time.Instant since);

    /**
     * Rewards operator (the escrow operator's key): publishes an epoch's Merkle root to the
     * RewardsDistributor, which takes {@code amount} from the ecosystem wallet and prepares the claimed bitmap of
     * {@code leafCount} leaves (the operator pays about 87 gas a leaf so that each claim costs 17,100 less).
     * @return the transaction hash
     */
    String publishRewards(long epoch, byte[] root, BigInteger amount, long leafCount);

    /**
     * Rewards operator: returns what epoch {@code epoch} has left unclaimed to the ecosystem wallet, from its claim
     * deadline on (RewardsDistributor.expire, which anyone may send; the plaza does not wait for someone to).
     * @return the transaction hash
     */
    String expireRewards(long epoch);

    /** Calldata of RewardsDistributor.claim for a leaf and its proof. */
    String claimRewardCall(long epoch, long index, String account, BigInteger amount, List<byte[]> proof);

    /** What the chain says of a transaction now. */
    TxState transactionState(String txHash);

    /**
     * What the chain says of a transaction once its block has the configured confirmations: SUCCEEDED or REVERTED
     * only then; PENDING while it waits to be mined or buried; UNKNOWN when the node knows nothing of it.
     */
    TxState confirmedTransactionState(String txHash);

    /** The escrow operator's own AIC balance in wei: the float the plaza pays audits from ({@link #transferAic}). */
    BigInteger operatorAicBalance();

    /**
     * Escrow operator: transfers {@code amount} AIC wei of its own to {@code to} (a plain ERC-20 transfer), once per
     * {@code purpose}. No contract records the payment: the caller keeps the purpose and asks again with the same one
     * until the returned transaction is confirmed.
     *
     * @return the transaction hash
     */
    String transferAic(String purpose, String to, BigInteger amount);

    /**
     * Calldata of BountyEscrow.openWithPermit: the requester escrows {@code amount} as the bounty of the plaza's request
     * {@code bountyId}, acceptable until {@code deadlineEpochSecond} and refundable to them from then on.
     */
    String openBountyWithPermitCall(long bountyId, BigInteger amount, long deadlineEpochSecond, long permitDeadline,
                                    String signature);

    /**
     * Calldata of BountyEscrow.accept: the requester pays their bounty to {@code creator} (minus the fee); {@code assetId}
     * 0 for a data request, else the asset token that moves from the creator to the requester.
     */
    String acceptBountyCall(long bountyId, String creator, long assetId);

    /**
     * Calldata of BountyEscrow.submitAsset: the owner of asset token {@code assetId} offers it to {@code requester}'s
     * commission {@code bountyId}.
     */
    String submitAssetCall(String requester, long bountyId, long assetId);

    /** Whether BountyEscrow may transfer the asset's token for its owner (approved for it, or for all theirs). */
    boolean bountyEscrowMayTransfer(long assetId);

    /** Calldata of AssetRegistry.approve(bountyEscrow, assetId): the owner lets an accepted commission take the token. */
    String approveBountyEscrowForAssetCall(long assetId);

    /** Calldata of BountyEscrow.refund: anyone returns the requester's unaccepted bounty after its deadline. */
    String refundBountyCall(String requester, long bountyId);

    /** The bounty {@code requester} escrowed for request {@code bountyId} now (status NONE when never opened). */
    EscrowedBounty escrowedBounty(String requester, long bountyId);

    /** BountyEscrow's platform fee, in basis points of a bounty (what an acceptance now would take). */
    int bountyFeeBps();

    enum AssetKind { DATASET, MODEL, TRAINED_MODEL }

    enum TxState { UNKNOWN, PENDING, SUCCEEDED, REVERTED }

    /**
     * Addresses of the deployed contracts, lower-case. The escrows and the rewards distributor are
     * null in a deployment made before they existed: training jobs, competition prizes, metered model
     * calls, rewards and bounties are then not paid on-chain.
     */
    record Contracts(long chainId, String token, String registry, String market, String jobEscrow,
                     String competitionEscrow, String usageCredit, String rewardsDistributor, String bountyEscrow,
                     long deployedAtBlock) {

        /** Whether data requests and AI commissions are escrowed in BountyEscrow (they are offered only then). */
        public boolean bountiesOnChain() {
            return bountyEscrow != null;
        }

        /** Whether members prepay metered model calls in UsageCredit. */
        public boolean creditOnChain() {
            return usageCredit != null;
        }

        public boolean rewardsPaidOnChain() {
            return rewardsDistributor != null;
        }

        public boolean jobsPaidOnChain() {
            return jobEscrow != null;
        }

        public boolean prizesPaidOnChain() {
            return competitionEscrow != null;
        }
    }

    /** JobEscrow.Status, in the contract's order. */
    enum EscrowStatus { NONE, FUNDED, SETTLED, REFUNDED, RECLAIMED }

    /** {@code provider}: the wallet the operator assigned the job to (null before any assignment). */
    record EscrowedJob(EscrowStatus status, BigInteger budget, long deadline, String provider) {
    }

    /** CompetitionEscrow.Status, in the contract's order. */
    enum PoolStatus { NONE, OPEN, FINALIZED, CANCELLED, RECLAIMED }

    /** BountyEscrow.Status, in the contract's order. */
    enum BountyStatus { NONE, OPEN, ACCEPTED, REFUNDED }

    /** {@code deadline}: epoch seconds from which the bounty can only be refunded. */
    record EscrowedBounty(BountyStatus status, BigInteger amount, long deadline) {
    }

    record EscrowedCompetition(PoolStatus status, BigInteger pool, long startTime, long endTime) {
    }

    record LicenseListing(String owner, BigInteger price, boolean active) {
    }

    /** UsageCredit.Account: AIC wei; {@code withdrawableAt} in epoch seconds (0 without a request). */
    record CreditAccount(BigInteger balance, BigInteger pendingWithdrawal, long withdrawableAt) {
    }

    /** One line of a usage settlement: {@code payer} is debited {@code amount} wei, {@code payee} paid it minus the fee. */
    record UsageEntry(String payer, String payee, BigInteger amount) {
    }

    /** An ERC-20 Transfer of AIC (addresses lower-case). */
    record AicTransfer(String from, String to, BigInteger amount, long blockNumber, String txHash) {
    }

    /** {@code active}: offered, its {@code owner} still owns the asset and the Marketplace may transfer it. */
    record AssetOffer(String owner, BigInteger price, boolean active) {
    }
}
