package ai.aicrypto.plaza.chain;

import java.math.BigInteger;
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
     * the market take exactly the current license price of {@code assetId} from {@code buyer}.
     */
    String permitTypedData(String buyer, long assetId, BigInteger price, long deadline);

    /** Calldata of Marketplace.buyLicenseWithPermit for a 65-byte signature (0x hex). */
    String buyLicenseWithPermitCall(long assetId, long deadline, String signature);

    /** Calldata of Marketplace.listLicense (price 0 unlists). */
    String listLicenseCall(long assetId, BigInteger priceWei);

    /** What the chain says of a transaction now. */
    TxState transactionState(String txHash);

    enum AssetKind { DATASET, MODEL, TRAINED_MODEL }

    enum TxState { UNKNOWN, PENDING, SUCCEEDED, REVERTED }

    /** Addresses of the deployed contracts, lower-case. */
    record Contracts(long chainId, String token, String registry, String market, long deployedAtBlock) {
    }

    record LicenseListing(String owner, BigInteger price, boolean active) {
    }
}
