/**
 * Commerce on listings: licenses (free ones by a click, paid ones only from a confirmed on-chain
 * LicensePurchased log), purchases in flight from the browser's wallet, and the asset tokens that
 * stand for listings on-chain (minted to the owner's wallet, followed when they change hands); and the
 * reviews that license holders write of what they licensed.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Market")
package ai.aicrypto.plaza.market;
