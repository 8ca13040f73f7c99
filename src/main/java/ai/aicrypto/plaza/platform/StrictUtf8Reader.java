package ai.aicrypto.plaza.platform;

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
 * Strict UTF-8 decoding ({@link CodingErrorAction#REPORT}) that knows the 1-based line of a malformed byte, which
 * {@link java.io.InputStreamReader} cannot tell, with an optional cap on the length of a line; skips a leading byte
 * order mark. Failures are {@link Failure}s, unchecked so that they pass through CSV parsers unchanged; each user of
 * the reader turns them into its own user-facing message.
 */
public final class StrictUtf8Reader extends Reader {

    /** Why reading stopped: bad bytes ({@link #encoding()}) or a line longer than the cap, on {@link #line()}. */
    public static final class Failure extends RuntimeException {
        private final boolean encoding;
        private final long line;

        Failure(boolean encoding, long line) {
            super(null, null, false, false);
            this.encoding = encoding;
            this.line = line;
        }

        public boolean encoding() {
            return encoding;
        }

        public long line() {
            return line;
        }
    }

    private static final int BUFFER = 1 << 16;
    private static final char BOM = '\uFEFF';

    private final InputStream in;
    private final int maxLineLength;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER).flip();
    private final CharBuffer chars = CharBuffer.allocate(BUFFER).flip();
    private boolean endOfInput;
    private boolean finished;
    private boolean atStart = true;
    private long line = 1;
    private int lineLength;

    /** A reader without a line length cap. */
    public StrictUtf8Reader(InputStream in) {
        this(in, Integer.MAX_VALUE);
    }

    public StrictUtf8Reader(InputStream in, int maxLineLength) {
        this.in = in;
        this.maxLineLength = maxLineLength;
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
        while (true) {
            chars.clear();
            while (chars.position() == 0 && !finished) {
                CoderResult result = decoder.decode(bytes, chars, endOfInput);
                if (result.isError()) {
                    count(chars.position());
                    throw new Failure(true, line);
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
            count(chars.position());
            chars.flip();
            if (atStart && chars.hasRemaining()) {
                atStart = false;
                if (chars.get(0) == BOM) {
                    chars.get();
                }
            }
            if (chars.hasRemaining()) {
                return true;
            }
            if (finished) {
                return false;
            }
        }
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

    /** Advances the line count over the first {@code upTo} decoded chars, enforcing the line length cap. */
    private void count(int upTo) {
        char[] a = chars.array();
        int length = lineLength;
        for (int i = 0; i < upTo; i++) {
            if (a[i] == '\n') {
                line++;
                length = 0;
            } else if (++length > maxLineLength && a[i] != '\r') {
                throw new Failure(false, line);
            }
        }
        lineLength = length;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
