package ai.aicrypto.plaza.dataset.format;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import ai.aicrypto.plaza.platform.DataSizes;

/**
 * Opens uploaded files, transparently decompressing gzip (recognised by its magic bytes, not by name). The
 * decompressed bytes are counted as they are read, so a gzip bomb is stopped at the limit whatever its trailer
 * claims.
 */
final class InputFiles {

    private static final int BUFFER = 1 << 16;

    private InputFiles() {
    }

    /**
     * @param maxDecompressedBytes what a gzip file may expand to; reading past it throws
     *                             {@code dataset.error.decompressed-too-large}
     */
    static InputStream open(Path file, long maxDecompressedBytes) throws IOException {
        return open(file, maxDecompressedBytes, ReadProgress.NONE);
    }

    /** As {@link #open(Path, long)}, telling {@code progress} how many bytes of the file (as stored) were read. */
    static InputStream open(Path file, long maxDecompressedBytes, ReadProgress progress) throws IOException {
        InputStream stored = Files.newInputStream(file);
        InputStream raw = new BufferedInputStream(progress == ReadProgress.NONE ? stored : progress.counting(stored), BUFFER);
        try {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            return gzip
                    ? new BufferedInputStream(new Limited(new GZIPInputStream(raw, BUFFER), maxDecompressedBytes,
                            () -> new DatasetFormatException(ErrorKeys.DECOMPRESSED_TOO_LARGE, DataSizes.humanReadable(maxDecompressedBytes))), BUFFER)
                    : raw;
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    /** Throws the supplied exception once more than {@code max} bytes came out of {@code in}. */
    static InputStream limited(InputStream in, long max, Supplier<DatasetFormatException> tooMuch) {
        return new Limited(in, max, tooMuch);
    }

    /** Up to {@code max} leading (decompressed) bytes, for sniffing the content type. */
    static byte[] head(Path file, int max) throws IOException {
        try (InputStream in = open(file, Long.MAX_VALUE)) {
            return in.readNBytes(max);
        } catch (ZipException | EOFException e) { // not really gzip
            throw new DatasetFormatException(ErrorKeys.UNSUPPORTED_TYPE);
        }
    }

    /** Fails once more than {@code max} bytes have come out of the stream. */
    private static final class Limited extends FilterInputStream {

        private final long max;
        private final Supplier<DatasetFormatException> tooMuch;
        private long count;

        Limited(InputStream in, long max, Supplier<DatasetFormatException> tooMuch) {
            super(in);
            this.max = max;
            this.tooMuch = tooMuch;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            counted(skipped);
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        private void counted(long n) {
            count += n;
            if (count > max) {
                throw tooMuch.get();
            }
        }
    }
}
