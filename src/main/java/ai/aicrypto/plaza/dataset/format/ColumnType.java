package ai.aicrypto.plaza.dataset.format;

/** Inferred type of a tabular column; see {@link ai.aicrypto.plaza.dataset.format package docs} for the rules. */
public enum ColumnType {
    /** Every non-missing value parses as a 64-bit integer. */
    INTEGER,
    /** Every non-missing value is a plain decimal number (no hex, no Infinity). */
    DECIMAL,
    /** Anything else, including columns whose values are all missing. */
    CATEGORICAL,
    /**
     * Free text: named so by the uploader, or a non-numeric column whose values are mostly distinct (too many to
     * count, or more than half the rows) and at least {@value ColumnAccumulator#TEXT_MIN_MEAN_WORDS} words long on
     * average. Becomes hashed n-gram ids.
     */
    TEXT
}
