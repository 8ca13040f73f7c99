/**
 * Serving: metered use of models. Members prepay AIC credit in the UsageCredit escrow; each paid call is debited
 * off-chain ({@link ai.aicrypto.plaza.serving.Credit}) and the usage is settled on-chain in batches that pay the
 * models' owners, the serving providers and the platform fee. The inference gateway
 * ({@link ai.aicrypto.plaza.serving.InferenceGateway}) routes the model module's encoded rows to serving workers of the
 * GPU fleet, which reach it through the compute module's worker API ({@link ai.aicrypto.plaza.serving.ServingFleet}).
 */
@org.springframework.modulith.ApplicationModule(displayName = "Serving")
package ai.aicrypto.plaza.serving;
