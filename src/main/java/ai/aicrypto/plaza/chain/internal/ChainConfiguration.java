package ai.aicrypto.plaza.chain.internal;

import ai.aicrypto.plaza.chain.ChainProperties;
import ai.aicrypto.plaza.chain.WalletChain;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

@Configuration(proxyBeanMethods = false)
class ChainConfiguration {

    @Bean(destroyMethod = "shutdown")
    Web3j web3j(ChainProperties properties) {
        return Web3j.build(new HttpService(properties.rpcUrl()));
    }

    /** The chain as pages and wallet.js see it: the public RPC URL, no keys. */
    @Bean
    WalletChain walletChain(ChainProperties properties) {
        return new WalletChain(properties.chainId(), properties.name(), properties.publicRpcUrl());
    }
}
