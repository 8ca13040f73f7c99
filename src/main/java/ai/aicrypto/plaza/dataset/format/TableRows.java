package ai.aicrypto.plaza.dataset.format;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * The records of a table-like upload (CSV, TSV, JSON Lines) as rows of stripped string values in header order, the
 * way profiling and preprocessing read them: one reader per format, one definition of what a record's values are.
 */
interface TableRows extends Closeable {

    /** The column names, in the order of every row's values. */
    List<String> header();

    /** The next record's values, or null at the end of the file. */
    String[] next() throws IOException;

    /** The source's primary file, its reading reported to the source's progress. */
    static TableRows open(DatasetSource source, DatasetLimits limits) throws IOException {
        return source.format() == DatasetFormat.JSONL ? JsonlRows.open(source.primary(), limits, source.progress())
                : CsvRows.open(source.primary(), source.format(), limits, source.progress());
    }
}
