package ai.aicrypto.plaza.platform;

import java.math.BigDecimal;
import java.math.BigInteger;


/** AIC amounts: 18 decimals, as wei on-chain and as decimal AIC in forms and pages. */
public final class Aic {

    /** The largest amount a form takes: far above any price or deposit, far below the 96 bits the escrows hold. */
    public static final BigDecimal MAX_AMOUNT = new BigDecimal("1000000");

    private Aic() {
    }

    public static BigInteger toWei(BigDecimal aic) {
        return aic.movePointRight(18).toBigIntegerExact();
    }

    /** Wei as AIC without trailing zeros, e.g. {@code 0.0125}. */
    public static String format(BigInteger wei) {
        return new BigDecimal(wei, 18).stripTrailingZeros().toPlainString();
    }

    /**
     * An amount typed by a user: a plain decimal number of at most 18 decimals from {@code min} (inclusive, or
     * exclusive when {@code min} is 0 and zero is not allowed) to {@link #MAX_AMOUNT}.
     *
     * @throws UserFacingException {@code aic.error.amount} on {@code field} otherwise
     */
    public static BigDecimal parse(String text, String field, boolean zeroAllowed) {
        String t = text == null ? "" : text.strip();
        BigDecimal amount;
        try {
            amount = t.matches("\\d{1,7}(\\.\\d{1,18})?") ? new BigDecimal(t) : null;
        } catch (NumberFormatException e) {
            amount = null;
        }
        if (amount == null || amount.compareTo(MAX_AMOUNT) > 0 || (!zeroAllowed && amount.signum() == 0)) {
            throw new UserFacingException(field, zeroAllowed ? "aic.error.amount-or-zero" : "aic.error.amount",
                    MAX_AMOUNT.toPlainString());
        }
        return amount;
    }
}
