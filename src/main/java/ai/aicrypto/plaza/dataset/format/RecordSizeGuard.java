package ai.aicrypto.plaza.dataset.format;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;

/**
 * Stops a runaway record (typically an unbalanced quote swallowing the rest of a 2 GiB file) before the CSV
 * parser buffers it all in memory. Counts characters handed out since the last {@link #recordEnded}; the parser
 * reads ahead, so the limit is approximate by one read buffer.
 */
final class RecordSizeGuard extends FilterReader {

    private final long maxChars;
    private long charsInRecord;
    private long recordLine = 1;

    RecordSizeGuard(Reader in, long maxChars) {
        super(in);
        this.maxChars = maxChars;
    }

    void recordEnded(long lastLine) {
        charsInRecord = 0;
        recordLine = lastLine + 1;
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        int n = super.read(cbuf, off, len);
        if (n > 0) {
            charsInRecord += n;
            if (charsInRecord > maxChars) {
                throw new DatasetFormatException(ErrorKeys.RECORD_TOO_LARGE, recordLine, maxChars);
            }
        }
        return n;
    }

    @Override
    public int read() throws IOException {
        char[] one = new char[1];
        return read(one, 0, 1) < 0 ? -1 : one[0];
    }
}
