/**
 * Serving: metered use of models. Members prepay AIC credit in the UsageCredit escrow; each paid call is debited
 * off-chain ({@link ai.aicrypto.plaza.serving.Credit}) and the usage is settled on-chain in batches that pay the
 * models' owners and the platform fee. (The GPU-fleet gateway joins this module later; predictions are still
 * computed by the model module.)
 */
@org.springframework.modulith.ApplicationModule(displayName = "Serving")
package ai.aicrypto.plaza.serving;
