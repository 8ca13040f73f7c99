package ai.aicrypto.plaza.chain;

/**
 * What browsers are told about the chain, so that a wallet can switch to it or add it: nothing
 * secret. Pages get this, never {@link ChainProperties}, whose RPC URL may carry an API key.
 *
 * @param chainId EIP-155 chain id
 * @param name    the chain's name, shown to users and to wallets when the chain is added
 * @param rpcUrl  the public RPC endpoint a wallet adds the chain with ({@code plaza.chain.public-rpc-url})
 */
public record WalletChain(long chainId, String name, String rpcUrl) {

    /** The chain id as wallets write it (EIP-1193 eth_chainId): lower-case hex with 0x. */
    public String chainIdHex() {
        return "0x" + Long.toHexString(chainId);
    }
}
