package ai.aicrypto.plaza.dataset.format;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Opens uploaded files, transparently decompressing gzip (recognised by its magic bytes, not by name). */
final class InputFiles {

    private static final int BUFFER = 1 << 16;

    private InputFiles() {
    }

    static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        try {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            return gzip ? new BufferedInputStream(new GZIPInputStream(raw, BUFFER), BUFFER) : raw;
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    /** Up to {@code max} leading (decompressed) bytes, for sniffing the content type. */
    static byte[] head(Path file, int max) throws IOException {
        try (InputStream in = open(file)) {
            return in.readNBytes(max);
        } catch (ZipException | EOFException e) { // not really gzip
            throw new DatasetFormatException(ErrorKeys.UNSUPPORTED_TYPE);
        }
    }
}
