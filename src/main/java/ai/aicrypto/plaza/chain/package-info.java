/**
 * The EVM chain AI PLAZA settles on: which chain it is (for wallets in the browser and for
 * checking signatures), and later the contracts, the watcher and the reconciler.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Chain")
package ai.aicrypto.plaza.chain;
