package ai.aicrypto.plaza.chain;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * What the rest of the plaza asks of the chain. Reads go to the configured RPC; writes are signed
 * with the operator key. Everything that decides money or ownership comes back as a confirmed log
 * (see {@link ChainLog}), never from these calls' answers or from a browser.
 */
public interface Chain {

    /** Whether contracts are deployed and configured; without them the plaza sells nothing on-chain. */
    boolean enabled();

    /** @throws IllegalStateException when the chain is not {@linkplain #enabled() enabled} */
    Contracts contracts();

    /**
     * Mints the asset token {@code tokenId} to {@code owner} unless it exists already.
     *
     * @return the mint transaction's hash, or empty when the token existed
     */
    Optional<String> mintAsset(long tokenId, AssetKind kind, byte[] contentHash, String owner);

    /** The on-chain license listing of an asset (price 0 when not listed or the token does not exist). */
    LicenseListing licenseListing(long assetId);

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

    /** The job's budget in JobEscrow now (status NONE for a job never deposited). */
    EscrowedJob escrowedJob(long jobId);

    /**
     * Operator: pays the provider {@code amount} minus the escrow's fee, and the requester the rest
     * of the budget. Waits for the receipt.
     *
     * @return the transaction hash
     */
    String settleJob(long jobId, String provider, BigInteger amount);

    /** Operator: returns a job's whole budget to its requester. @return the transaction hash */
    String refundJob(long jobId);

    /** The competition's pool in CompetitionEscrow now (status NONE when never funded). */
    EscrowedCompetition escrowedCompetition(long id);

    /**
     * Operator: pays the ranked places; a zero address holds that place's prize for {@link #assignWinner}.
     *
     * @return the transaction hash
     */
    String finalizeCompetition(long id, List<String> winners);

    /** Operator: pays a held prize to the winner's wallet. @return the transaction hash */
    String assignWinner(long id, int place, String wallet);

    /** What the chain says of a transaction now. */
    TxState transactionState(String txHash);

    enum AssetKind { DATASET, MODEL, TRAINED_MODEL }

    enum TxState { UNKNOWN, PENDING, SUCCEEDED, REVERTED }

    /**
     * Addresses of the deployed contracts, lower-case. The escrows are null in a deployment made
     * before they existed: training jobs and competition prizes are then not paid on-chain.
     */
    record Contracts(long chainId, String token, String registry, String market, String jobEscrow,
                     String competitionEscrow, long deployedAtBlock) {

        public boolean jobsPaidOnChain() {
            return jobEscrow != null;
        }

        public boolean prizesPaidOnChain() {
            return competitionEscrow != null;
        }
    }

    /** JobEscrow.Status, in the contract's order. */
    enum EscrowStatus { NONE, FUNDED, SETTLED, REFUNDED, RECLAIMED }

    record EscrowedJob(EscrowStatus status, String requester, BigInteger budget) {
    }

    /** CompetitionEscrow.Status, in the contract's order. */
    enum PoolStatus { NONE, OPEN, FINALIZED, CANCELLED, RECLAIMED }

    record EscrowedCompetition(PoolStatus status, String host, BigInteger pool) {
    }

    record LicenseListing(String owner, BigInteger price, boolean active) {
    }
}
