package ai.aicrypto.plaza.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Consumer;

/**
 * Content-addressed storage: a blob's key is the SHA-256 of its bytes (lower-case hex), so the
 * same bytes are stored once and a key always names exactly one content.
 */
public interface BlobStore {

    /** Stores what {@code writer} writes and returns its key and size. */
    default StoredBlob write(BlobWriter writer) throws IOException {
        return write(writer, key -> {
        });
    }

    /**
     * Stores what {@code writer} writes and returns its key and size; {@code beforeStoring} is given the key once it
     * is known and before the blob is put in place, so that a caller can record it first: a blob is then never
     * stored unknown to its owner, even if the process dies right after. An exception from it stores nothing.
     */
    StoredBlob write(BlobWriter writer, Consumer<String> beforeStoring) throws IOException;

    /** Streams {@code content} into the store and returns its key and size. */
    default StoredBlob put(InputStream content) throws IOException {
        return write(content::transferTo);
    }

    InputStream open(String key) throws IOException;

    boolean exists(String key);

    /** Removes the blob; absent blobs are ignored, so cleanup after a failure may call it freely. */
    void delete(String key);

    record StoredBlob(String key, long bytes) {
    }

    @FunctionalInterface
    interface BlobWriter {
        void writeTo(OutputStream out) throws IOException;
    }
}
