package ai.aicrypto.plaza.competition.scoring;

/** Number parsing for CSV values. */
final class Numbers {

    private Numbers() {
    }

    /**
     * The decimal number in {@code s}, or NaN when it is not one. Accepts what {@link Double#parseDouble} accepts
     * except surrounding whitespace, hexadecimal and the {@code d}/{@code f} type suffixes; {@code NaN} and
     * {@code Infinity} parse (callers reject non-finite values with their own message).
     */
    static double parse(String s) {
        int n = s.length();
        if (n == 0) {
            return Double.NaN;
        }
        char last = s.charAt(n - 1);
        if (!(last >= '0' && last <= '9' || last == '.' || last == 'N' || last == 'y')
                || s.charAt(0) <= ' ' || s.indexOf('x') >= 0 || s.indexOf('X') >= 0) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Whether {@code s} spells NaN or infinity, which {@link #parse} accepts but scoring does not. */
    static boolean isNonFiniteLiteral(String s) {
        return s.endsWith("NaN") || s.endsWith("Infinity");
    }
}
