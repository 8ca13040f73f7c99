/**
 * Proof of Value: weekly (configurable) epochs in which each contribution (dataset, model, trained
 * model, GPU offer, hosted competition) is scored from the real use the plaza recorded, with uses
 * between related accounts (shared wallets, funding links, circular trades, closed rings) counted
 * zero and explained; each closed epoch's emission from the Ecosystem Incentive allocation is split
 * by score, published as a Merkle root to the RewardsDistributor contract and claimed by members.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Reputation")
package ai.aicrypto.plaza.reputation;
