package ai.aicrypto.plaza.dataset.format;

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
}
