/**
 * Data requests escrowed on-chain (issue 17): a requester describes the data needed (columns, label, size, quality
 * bar, the license and price it will be published under) and escrows a bounty in BountyEscrow with their wallet;
 * creators submit one of their datasets; the requester judges each by its preview, statistics and an automatic check
 * against the request, and accepts one with their wallet. The confirmed BountyAccepted log pays the creator (minus the
 * fee) on-chain and, here, publishes the dataset on the agreed terms and licenses it to the requester. After the
 * deadline anyone may return an unaccepted bounty to the requester; no operator is involved. Every money state comes
 * from confirmed logs only. The module offers nothing to others beyond its pages and its earnings.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Data requests")
package ai.aicrypto.plaza.bounty;
