package ai.aicrypto.plaza.dataset.format;

import java.util.regex.Pattern;

/** Classifies a single (already stripped) cell value. */
final class Values {

    // Plain decimal notation only: Double.parseDouble would also accept "1f", "0x1p3" and "Infinity".
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final int MAX_LONG_DIGITS = 18;

    private Values() {
    }

    /** Missing: empty, or NA / NaN / null in any letter case. */
    static boolean isMissing(String value) {
        return value.isEmpty()
                || value.equalsIgnoreCase("NA")
                || value.equalsIgnoreCase("NaN")
                || value.equalsIgnoreCase("null");
    }

    /** Optional sign and digits that fit a long (longer digit runs are treated as decimals). */
    static boolean isInteger(String value) {
        int start = value.startsWith("+") || value.startsWith("-") ? 1 : 0;
        int digits = value.length() - start;
        if (digits == 0 || digits > MAX_LONG_DIGITS) {
            return false;
        }
        for (int i = start; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    static boolean isDecimal(String value) {
        return DECIMAL.matcher(value).matches();
    }
}
