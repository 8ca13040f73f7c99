package ai.aicrypto.plaza.competition.internal;

import java.math.BigDecimal;
import java.math.MathContext;

/** How scores are written on pages and in CSVs: six significant digits, no trailing zeros. */
final class ScoreText {

    private ScoreText() {
    }

    static String of(double score) {
        return new BigDecimal(score).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    static String of(Double score) {
        return score == null ? "" : of(score.doubleValue());
    }
}
