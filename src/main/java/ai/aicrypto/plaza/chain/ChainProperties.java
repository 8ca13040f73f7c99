package ai.aicrypto.plaza.chain;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The chain AI PLAZA settles on.
 *
 * @param chainId        EIP-155 chain id (31337 for a local anvil)
 * @param name           shown to users and to wallets when the chain is added
 * @param rpcUrl         the JSON-RPC endpoint the server reads and writes through; never shown to
 *                       browsers (a provider's URL often carries an API key)
 * @param publicRpcUrl   the endpoint a browser wallet adds the chain with (see {@link WalletChain})
 * @param deployment     the JSON file with the contracts' addresses that contracts/scripts/deploy.js
 *                       writes; no file means the plaza runs without a chain (no purchases, no mints)
 * @param operatorKey    private key of the plaza's minter account (mints asset tokens); from the
 *                       environment, never the repository
 * @param escrowOperatorKey private key of the escrows' operator (settles jobs, pays prizes), a
 *                       different account from the minter so that one stolen key does less (see
 *                       contracts/README.md, "Keys"); the minter's when not set
 * @param confirmations  blocks a log must be buried under (its own block counts as one) before the
 *                       plaza acts on it
 * @param reorgDepth     how many recent blocks are re-checked for reorganisations
 * @param pollInterval   how often the watcher asks for new blocks
 * @param pendingTimeout how long a purchase may stay unconfirmed before it is reported as failed
 * @param maxFeePerGas   the most the plaza pays per gas for its own transactions (EIP-1559 max fee, wei)
 * @param replaceAfter   how long one of the plaza's transactions may wait unmined before it is
 *                       replaced with the same nonce and higher fees
 */
@ConfigurationProperties("plaza.chain")
public record ChainProperties(long chainId, String name, String rpcUrl, String publicRpcUrl, Path deployment, String operatorKey,
                              String escrowOperatorKey, int confirmations, int reorgDepth, Duration pollInterval, Duration pendingTimeout,
                              BigInteger maxFeePerGas, Duration replaceAfter) {

    public ChainProperties {
        chainId = chainId == 0 ? 31337 : chainId;
        name = name == null || name.isBlank() ? "Anvil (local)" : name;
        rpcUrl = rpcUrl == null || rpcUrl.isBlank() ? "http://127.0.0.1:8545" : rpcUrl;
        publicRpcUrl = publicRpcUrl == null || publicRpcUrl.isBlank() ? "http://127.0.0.1:8545" : publicRpcUrl;
        confirmations = Math.max(1, confirmations);
        reorgDepth = Math.max(confirmations, reorgDepth);
        pollInterval = pollInterval == null ? Duration.ofSeconds(1) : pollInterval;
        pendingTimeout = pendingTimeout == null ? Duration.ofMinutes(10) : pendingTimeout;
        maxFeePerGas = maxFeePerGas == null ? BigInteger.valueOf(500_000_000_000L) : maxFeePerGas; // 500 gwei
        replaceAfter = replaceAfter == null ? Duration.ofMinutes(3) : replaceAfter;
    }

    /** The key that signs escrow settlements: its own, or the minter's when none is configured. */
    public String escrowOperatorKeyOrMinter() {
        return escrowOperatorKey == null || escrowOperatorKey.isBlank() ? operatorKey : escrowOperatorKey;
    }

    /** Never the keys, nor the server's RPC URL (it may carry an API key). */
    @Override
    public String toString() {
        return "ChainProperties[chainId=" + chainId + ", name=" + name + ", publicRpcUrl=" + publicRpcUrl
                + ", deployment=" + deployment + "]";
    }
}
