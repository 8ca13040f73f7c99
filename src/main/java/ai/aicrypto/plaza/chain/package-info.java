/**
 * The EVM chain AI PLAZA settles on: which chain it is (for wallets and signatures), the deployed
 * contracts (web3j wrappers generated from contracts/abi at build time), and the watcher that turns
 * confirmed contract logs into {@link ai.aicrypto.plaza.chain.ChainLog} events from a block cursor
 * kept in PostgreSQL.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Chain")
package ai.aicrypto.plaza.chain;
