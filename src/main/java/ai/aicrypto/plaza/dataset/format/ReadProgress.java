package ai.aicrypto.plaza.dataset.format;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Told how much of an upload a pass has read, in bytes of the files as uploaded (a gzip file's compressed bytes, a
 * ZIP entry's stored size), so that a long import can show how far it is. Called on the reading thread; keep it cheap.
 */
@FunctionalInterface
public interface ReadProgress {

    ReadProgress NONE = bytes -> {
    };

    /** {@code bytes} more were read. */
    void read(long bytes);

    /** {@code in}, telling this progress each byte read from it. */
    default InputStream counting(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    ReadProgress.this.read(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    ReadProgress.this.read(n);
                }
                return n;
            }
        };
    }
}
