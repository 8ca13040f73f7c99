package ai.aicrypto.plaza.dataset.format;

/** Inferred type of a tabular column; see {@link ai.aicrypto.plaza.dataset.format package docs} for the rules. */
public enum ColumnType {
    /** Every non-missing value parses as a 64-bit integer. */
    INTEGER,
    /** Every non-missing value is a plain decimal number (no hex, no Infinity). */
    DECIMAL,
    /** Anything else, including columns whose values are all missing. */
    CATEGORICAL
}
