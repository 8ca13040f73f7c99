/**
 * The Coin Payroll: one ledger of what each member earned from every source (license sales, ownership sales and
 * the creator's royalties, paid API calls, GPU work, Proof of Value rewards, competition prizes, data request
 * bounties), net of the plaza's fee, with what is paid on-chain (transaction, block) and what is still pending, and
 * the earnings dashboard over it.
 *
 * <p>Why a read model over the sources and not a ledger table fed by their events: every source already keeps a
 * durable record of its money, written only from confirmed chain logs and undone by the source itself when a
 * reorganisation drops the log (a license revoked, a batch or settlement due again, a claim or prize reopened). A
 * copy fed by events would need every source to publish an accrual, a payment and an undo for each of those paths, an
 * undo path of its own that could drift from the source's, and a backfill of everything recorded before it existed,
 * while adding nothing the sources do not hold. So each source module contributes its members' earnings through
 * {@link ai.aicrypto.plaza.earnings.EarningsSource} (GPU providers their offers' hours through
 * {@link ai.aicrypto.plaza.earnings.OfferUtilisation}), read at request time: the sources keep owning their state,
 * the ledger decides no amount and changes nothing, and a reorganisation shows in the ledger as soon as the source
 * has undone its record. The cost: each page and export reads one member's rows from every source (indexed by payee
 * in V47), and a pending fee asks the chain for the contract's rate; not yet measured at scale.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Earnings")
package ai.aicrypto.plaza.earnings;
