package ai.aicrypto.plaza.dataset.format;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import ai.aicrypto.plaza.platform.StrictUtf8Reader;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Streams the data rows of a CSV/TSV file: strict UTF-8, validated header, every row as wide as the header.
 * Values are stripped of surrounding whitespace.
 */
final class CsvRows implements TableRows {

    static final long MAX_RECORD_CHARS = 8L << 20;

    private final RecordSizeGuard guard;
    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private final List<String> header;
    private long line;

    private CsvRows(RecordSizeGuard guard, CSVParser parser, int maxColumns) {
        this.guard = guard;
        this.parser = parser;
        this.records = parser.iterator();
        String[] first = nextRecord();
        if (first == null) {
            throw new DatasetFormatException(ErrorKeys.EMPTY);
        }
        if (first.length > maxColumns) { // before anything is kept per column
            throw new DatasetFormatException(ErrorKeys.TOO_MANY_COLUMNS, first.length, maxColumns);
        }
        this.header = validateHeader(first);
    }

    static CsvRows open(Path file, DatasetFormat format, DatasetLimits limits, ReadProgress progress) throws IOException {
        CSVFormat csv = CSVFormat.RFC4180.builder()
                .setDelimiter(format == DatasetFormat.TSV ? '\t' : ',')
                .setIgnoreEmptyLines(true)
                .get();
        RecordSizeGuard guard = new RecordSizeGuard(new StrictUtf8Reader(InputFiles.open(file, limits.maxDecompressedBytes(), progress)), MAX_RECORD_CHARS);
        try {
            return new CsvRows(guard, csv.parse(guard), limits.maxColumns());
        } catch (StrictUtf8Reader.Failure e) {
            guard.close();
            throw new DatasetFormatException(ErrorKeys.ENCODING, e.line());
        } catch (RuntimeException e) {
            guard.close();
            throw e;
        }
    }

    @Override
    public List<String> header() {
        return header;
    }

    /** The line the last returned row ends on (1-based, the header is line 1). */
    long line() {
        return line;
    }

    @Override
    public String[] next() {
        String[] values = nextRecord();
        if (values != null && values.length != header.size()) {
            throw new DatasetFormatException(ErrorKeys.RAGGED, line, header.size(), values.length);
        }
        return values;
    }

    private String[] nextRecord() {
        try {
            if (!records.hasNext()) {
                return null;
            }
            CSVRecord record = records.next();
            line = parser.getCurrentLineNumber();
            guard.recordEnded(line);
            String[] values = record.values();
            for (int i = 0; i < values.length; i++) {
                values[i] = values[i].strip();
            }
            return values;
        } catch (StrictUtf8Reader.Failure e) {
            throw new DatasetFormatException(ErrorKeys.ENCODING, e.line());
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof CSVException) { // unbalanced quote or stray character after a quote
                throw new DatasetFormatException(ErrorKeys.MALFORMED, line + 1);
            }
            throw e;
        }
    }

    private static List<String> validateHeader(String[] names) {
        Set<String> seen = new HashSet<>();
        List<String> header = new ArrayList<>(names.length);
        for (int i = 0; i < names.length; i++) {
            if (names[i].isEmpty()) {
                throw new DatasetFormatException(ErrorKeys.HEADER_BLANK, i + 1);
            }
            if (!seen.add(names[i])) {
                throw new DatasetFormatException(ErrorKeys.HEADER_DUPLICATE, names[i]);
            }
            header.add(names[i]);
        }
        return List.copyOf(header);
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
