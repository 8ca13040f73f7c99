package ai.aicrypto.plaza.dataset.format;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
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

    static TableRows open(Path file, DatasetFormat format, DatasetLimits limits) throws IOException {
        return format == DatasetFormat.JSONL ? JsonlRows.open(file, limits) : CsvRows.open(file, format, limits);
    }
}
