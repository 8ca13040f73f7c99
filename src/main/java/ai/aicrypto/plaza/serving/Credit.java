package ai.aicrypto.plaza.serving;

import java.math.BigInteger;

/**
 * A member's prepaid usage credit, as the plaza counts it: what their wallets deposited in UsageCredit (confirmed
 * logs), less what they withdrew, what calls were charged and what they asked to withdraw.
 */
public interface Credit {

    /** Whether paid calls can be paid: the deployment has a UsageCredit escrow. */
    boolean enabled();

    /**
     * Charges {@code amountWei} for a call of {@code modelId} answered for {@code payeeId}, from one of the payer's
     * accounts that covers it, in the caller's transaction (so the call and its charge are recorded together or not
     * at all). Never beyond what is available, whatever runs beside it.
     *
     * @return the wallet whose account was charged: the wallet that deposited the credit that paid
     * @throws InsufficientCreditException when no account of the payer covers the amount (nothing is charged)
     */
    String charge(long payerId, long payeeId, long modelId, BigInteger amountWei);

    /** Whether one account of the payer could be charged {@code amountWei} now (false where paid calls cannot be paid). */
    boolean covers(long payerId, BigInteger amountWei);

    /**
     * Checks, before any work is done, that a charge of {@code amountWei} could be taken now.
     *
     * @throws InsufficientCreditException when it could not
     */
    void requireAvailable(long payerId, BigInteger amountWei);
}
