package ai.aicrypto.plaza.competition.internal;

/**
 * Text that members chose (a team's name, a submitted file's name), made safe for the CSV files hosts open in a
 * spreadsheet (review L16): a cell that starts with {@code = + - @}, a tab or a carriage return would be read as a
 * formula, so it is prefixed with an apostrophe, which spreadsheets show as text (OWASP's "CSV injection" advice).
 */
final class SpreadsheetText {

    private SpreadsheetText() {
    }

    static String of(String text) {
        return text != null && !text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
    }
}
