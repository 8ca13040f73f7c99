/**
 * Data requests and AI commissions escrowed on-chain (issue 17). A data request describes the data needed (columns,
 * label, size, quality bar, the license and price it will be published under); creators submit one of their datasets;
 * the requester judges each by its preview, statistics and an automatic check, and accepts one with their wallet. The
 * confirmed BountyAccepted log pays the creator (minus the fee) on-chain and, here, publishes the dataset on the agreed
 * terms and licenses it to the requester. An AI commission has a hidden test set, a metric and a bar instead: developers'
 * own models are run on the test set and scored by the plaza (competition's HiddenTestRuns), each developer offers their
 * model's token to the escrow with their wallet (submitAsset), and the requester's acceptance moves the token to them
 * while paying the developer. Both are funded by the requester's wallet in BountyEscrow; after the deadline anyone may
 * return an unaccepted bounty to the requester; no operator is involved. Every money state comes from confirmed logs
 * only. The module offers nothing to others beyond its pages and its earnings.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Data requests and AI commissions")
package ai.aicrypto.plaza.bounty;
