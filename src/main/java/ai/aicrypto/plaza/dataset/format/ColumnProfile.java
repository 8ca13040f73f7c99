package ai.aicrypto.plaza.dataset.format;

import java.util.Map;

/**
 * Statistics of one column (for IDX: the pseudo-columns {@code pixels} and {@code label}).
 *
 * @param missing   number of missing values (empty, {@code NA}, {@code NaN}, {@code null})
 * @param min       minimum of a numeric column, otherwise null
 * @param max       maximum of a numeric column, otherwise null
 * @param mean      mean of a numeric column, otherwise null
 * @param histogram for CATEGORICAL columns and classification labels: the counts of at most
 *                  {@value #HISTOGRAM_LIMIT} most frequent values, most frequent first (ties in value order);
 *                  null for numeric non-label columns and for high-cardinality columns
 */
public record ColumnProfile(String name, ColumnType type, long missing, Double min, Double max, Double mean,
                            Map<String, Long> histogram) {

    public static final int HISTOGRAM_LIMIT = 50;

    /** A categorical column with too many distinct values to count; it is not used as a feature. */
    public boolean highCardinality() {
        return type == ColumnType.CATEGORICAL && histogram == null;
    }
}
