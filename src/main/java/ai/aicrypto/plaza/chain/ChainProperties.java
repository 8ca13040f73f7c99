package ai.aicrypto.plaza.chain;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The chain wallets must be on.
 *
 * @param chainId  EIP-155 chain id (31337 for a local anvil)
 * @param name     shown to users and to wallets when the chain is added
 * @param rpcUrl   the RPC endpoint a wallet uses if it has to add the chain
 */
@ConfigurationProperties("plaza.chain")
public record ChainProperties(long chainId, String name, String rpcUrl) {

    public ChainProperties {
        chainId = chainId == 0 ? 31337 : chainId;
        name = name == null || name.isBlank() ? "Anvil (local)" : name;
        rpcUrl = rpcUrl == null || rpcUrl.isBlank() ? "http://127.0.0.1:8545" : rpcUrl;
    }

    /** The chain id as wallets write it (EIP-1193 eth_chainId): lower-case hex with 0x. */
    public String chainIdHex() {
        return "0x" + Long.toHexString(chainId);
    }
}
