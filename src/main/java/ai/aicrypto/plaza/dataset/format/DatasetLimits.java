package ai.aicrypto.plaza.dataset.format;

import ai.aicrypto.plaza.platform.DataSizes;

/**
 * What one upload may expand to, checked before the work that would cost it: a small gzip or IDX header can
 * announce gigabytes, and a wide CSV header thousands of per-column accumulators.
 *
 * @param maxDecompressedBytes bytes a gzip-compressed file may decompress to, counted while streaming (the
 *                             size field of the gzip trailer is never trusted)
 * @param maxColumns           columns of a CSV/TSV header, checked before any per-column state is created
 * @param maxRows              data rows (CSV/TSV) or images (IDX)
 * @param maxShardBytesTotal   bytes of all safetensors shards together (4-byte floats per feature and row),
 *                             checked from the IDX header before any pixel is read, and from the CSV profile
 *                             before any shard is written
 * @param textBuckets          buckets a new dataset's text columns hash their n-grams into: the rows of the embedding
 *                             of every text model trained on it (1 to 2<sup>24</sup>, ids are exact floats below it;
 *                             datasets stored before keep theirs, in their preprocessing)
 */
public record DatasetLimits(long maxDecompressedBytes, int maxColumns, long maxRows, long maxShardBytesTotal, int textBuckets) {

    /** The defaults of a 2 GiB upload limit: 8 GiB decompressed, 10,000 columns, 100 M rows, 16 GiB of shards. */
    public static final DatasetLimits DEFAULT = new DatasetLimits(8L << 30, 10_000, 100_000_000L, 16L << 30);
    /** The most text buckets: an id + 1 is stored as a float32, exact up to 2<sup>24</sup>. */
    public static final int MAX_TEXT_BUCKETS = 1 << 24;

    public DatasetLimits {
        if (maxDecompressedBytes <= 0 || maxColumns <= 0 || maxRows <= 0 || maxShardBytesTotal <= 0) {
            throw new IllegalArgumentException("dataset limits must be positive");
        }
        if (textBuckets < 1 || textBuckets > MAX_TEXT_BUCKETS) {
            throw new IllegalArgumentException("text buckets must be 1 to " + MAX_TEXT_BUCKETS + ", not " + textBuckets);
        }
    }

    /** With the default text buckets ({@link Preprocessing#TEXT_BUCKETS}). */
    public DatasetLimits(long maxDecompressedBytes, int maxColumns, long maxRows, long maxShardBytesTotal) {
        this(maxDecompressedBytes, maxColumns, maxRows, maxShardBytesTotal, Preprocessing.TEXT_BUCKETS);
    }

    void checkColumns(int columns) {
        if (columns > maxColumns) {
            throw new DatasetFormatException(ErrorKeys.TOO_MANY_COLUMNS, columns, maxColumns);
        }
    }

    void checkRows(long rows) {
        if (rows > maxRows) {
            throw new DatasetFormatException(ErrorKeys.TOO_MANY_ROWS, maxRows);
        }
    }

    /** The shards of {@code rows} records of {@code featureCount} float32 features (plus the label) fit. */
    void checkShardBytes(long rows, int featureCount, boolean regression) {
        long perRow = SafetensorsFile.bytesPerRow(featureCount, regression);
        long total = rows > Long.MAX_VALUE / perRow ? Long.MAX_VALUE : rows * perRow;
        if (total > maxShardBytesTotal) {
            throw new DatasetFormatException(ErrorKeys.SHARDS_TOO_LARGE, DataSizes.humanReadable(total),
                    DataSizes.humanReadable(maxShardBytesTotal));
        }
    }
}
