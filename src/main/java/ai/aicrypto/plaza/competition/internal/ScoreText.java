package ai.aicrypto.plaza.competition.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * How scores and times are written on leaderboards and in CSVs: scores with six significant digits and no trailing
 * zeros, times as UTC minutes. Formatted here once rather than per cell in the template, which the leaderboard's
 * hundred rows would feel.
 */
final class ScoreText {

    private static final MathContext SIX_DIGITS = new MathContext(6);
    private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    private ScoreText() {
    }

    static String of(double score) {
        return BigDecimal.valueOf(score).round(SIX_DIGITS).stripTrailingZeros().toPlainString();
    }

    static String of(Instant time) {
        return MINUTES.format(time);
    }

    static String of(Double score) {
        return score == null ? "" : of(score.doubleValue());
    }
}
