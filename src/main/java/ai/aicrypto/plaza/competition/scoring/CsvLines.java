package ai.aicrypto.plaza.competition.scoring;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;

import ai.aicrypto.plaza.platform.StrictUtf8Reader;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads CSV records (RFC 4180, commons-csv) from strictly decoded UTF-8 and knows the line each record starts on.
 * Blank lines are skipped. Bad bytes, overlong lines and broken CSV structure end reading with a {@link Stop}
 * carrying the problem.
 */
final class CsvLines implements Closeable {

    /** The longest line accepted, in characters. */
    static final int MAX_LINE_LENGTH = 65_536;

    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(false).get();

    /** Reading cannot go on: {@link #problem} says why. */
    static final class Stop extends Exception {
        final Problem problem;

        Stop(Problem problem) {
            super(problem.toString(), null, false, false);
            this.problem = problem;
        }
    }

    private final String encodingKey;
    private final String malformedKey;
    private final String lineTooLongKey;
    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private long line;
    private long nextLine = 1;

    CsvLines(InputStream in, String encodingKey, String malformedKey, String lineTooLongKey) throws IOException {
        this.encodingKey = encodingKey;
        this.malformedKey = malformedKey;
        this.lineTooLongKey = lineTooLongKey;
        this.parser = CSVParser.builder().setReader(new StrictUtf8Reader(in, MAX_LINE_LENGTH)).setFormat(FORMAT).get();
        this.records = parser.iterator();
    }

    /** The next non-blank record, or null at the end of input. */
    CSVRecord next() throws Stop, IOException {
        while (true) {
            CSVRecord record;
            try {
                if (!records.hasNext()) {
                    return null;
                }
                record = records.next();
            } catch (StrictUtf8Reader.Failure e) {
                throw new Stop(e.encoding() ? Problem.of(encodingKey, e.line())
                        : Problem.of(lineTooLongKey, e.line(), MAX_LINE_LENGTH));
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof CSVException) {
                    throw new Stop(Problem.of(malformedKey, nextLine));
                }
                throw e.getCause();
            }
            line = nextLine;
            nextLine = parser.getCurrentLineNumber() + 1;
            if (record.size() == 1 && record.get(0).isEmpty()) {
                continue;
            }
            return record;
        }
    }

    /** The line the last record returned by {@link #next()} starts on (1-based). */
    long line() {
        return line;
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
