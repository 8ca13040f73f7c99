package ai.aicrypto.plaza.dataset.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes UTF-8 and rejects malformed bytes with the exact (1-based) line they are on, which
 * {@link java.io.InputStreamReader} cannot tell. Skips a leading byte order mark.
 */
final class StrictUtf8Reader extends Reader {

    private static final int BUFFER = 1 << 14;
    private static final char BOM = '\uFEFF';

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER).flip();
    private final CharBuffer chars = CharBuffer.allocate(BUFFER).flip();
    private boolean endOfInput;
    private boolean finished;
    private boolean atStart = true;
    private long line = 1;

    StrictUtf8Reader(InputStream in) {
        this.in = in;
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!chars.hasRemaining() && !decodeMore()) {
            return -1;
        }
        int n = Math.min(len, chars.remaining());
        chars.get(cbuf, off, n);
        return n;
    }

    /** Refills {@link #chars} with at least one char; false at the end of input. */
    private boolean decodeMore() throws IOException {
        chars.clear();
        while (chars.position() == 0 && !finished) {
            CoderResult result = decoder.decode(bytes, chars, endOfInput);
            if (result.isError()) {
                throw new DatasetFormatException(ErrorKeys.ENCODING, line + newlines(chars.position()));
            }
            if (result.isUnderflow()) {
                if (endOfInput) {
                    decoder.flush(chars);
                    finished = true;
                } else {
                    fillBytes();
                }
            }
        }
        line += newlines(chars.position());
        chars.flip();
        if (atStart && chars.hasRemaining()) {
            atStart = false;
            if (chars.get(0) == BOM) {
                chars.get();
            }
        }
        return chars.hasRemaining() || (!finished && decodeMore());
    }

    private void fillBytes() throws IOException {
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) {
            endOfInput = true;
        } else {
            bytes.position(bytes.position() + n);
        }
        bytes.flip();
    }

    private long newlines(int upTo) {
        long count = 0;
        for (int i = 0; i < upTo; i++) {
            if (chars.get(i) == '\n') {
                count++;
            }
        }
        return count;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
