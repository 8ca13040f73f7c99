package ai.aicrypto.plaza.market.internal;

import java.math.BigDecimal;
import java.math.BigInteger;

/** AIC amounts: 18 decimals on-chain (wei), shown as plain decimals. */
final class Aic {

    private static final int DECIMALS = 18;

    private Aic() {
    }

    static String format(BigInteger wei) {
        return new BigDecimal(wei, DECIMALS).stripTrailingZeros().toPlainString();
    }

    static BigInteger toWei(BigDecimal aic) {
        return aic.movePointRight(DECIMALS).toBigIntegerExact();
    }
}
