package ai.aicrypto.plaza.catalog;

/**
 * Filters, order and position of a browse page. {@code after} is the opaque keyset cursor of the
 * previous page's last row; null starts at the top.
 */
public record BrowseQuery(Sort sort, String tag, PriceFilter price, String license, String after, int size) {

    public static final int DEFAULT_SIZE = 20;

    public enum Sort { NEWEST, PRICE_ASC, PRICE_DESC, TITLE }

    public enum PriceFilter { ANY, FREE, PAID }

    public BrowseQuery {
        sort = sort == null ? Sort.NEWEST : sort;
        price = price == null ? PriceFilter.ANY : price;
        tag = blankToNull(tag);
        license = blankToNull(license);
        after = blankToNull(after);
        size = size <= 0 || size > 100 ? DEFAULT_SIZE : size;
    }

    public BrowseQuery withAfter(String cursor) {
        return new BrowseQuery(sort, tag, price, license, cursor, size);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
