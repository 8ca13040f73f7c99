package ai.aicrypto.plaza.storage.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import ai.aicrypto.plaza.storage.BlobStore;

/**
 * What a writer wrote, streamed into a temporary file while its key (SHA-256) is computed, before a store puts it
 * in place; closing removes the file if it is still there.
 */
record SpooledBlob(Path file, String key, long bytes) implements AutoCloseable {

    static SpooledBlob write(Path incoming, BlobStore.BlobWriter writer) throws IOException {
        Path temp = Files.createTempFile(incoming, "blob-", ".part");
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(temp), sha256)) {
                writer.writeTo(out);
            }
            return new SpooledBlob(temp, HexFormat.of().formatHex(sha256.digest()), Files.size(temp));
        } catch (NoSuchAlgorithmException e) {
            Files.deleteIfExists(temp);
            throw new IllegalStateException(e);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
    }
}
