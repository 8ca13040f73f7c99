package ai.aicrypto.plaza.platform;

/** Reading a page's query parameters leniently: a value nobody can mean falls back to the page's default. */
public final class QueryValues {

    private QueryValues() {
    }

    /** The constant named by {@code value} (any case, '-' for '_'); null when it is blank or names none. */
    public static <E extends Enum<E>> E enumOrNull(Class<E> type, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.strip().toUpperCase().replace('-', '_'));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
