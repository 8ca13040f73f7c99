package ai.aicrypto.plaza.storage.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.nio.file.StandardCopyOption;

import ai.aicrypto.plaza.storage.BlobStore;

/**
 * Blobs as files under {@code data/blobs/ab/cd/<sha256>} (the default store). A blob is written to a temporary file
 * while its hash is computed and then moved into place atomically, so readers never see a
 * half-written blob and a crash leaves at most a stray temporary file.
 */
final class FilesystemBlobStore implements BlobStore {

    private final Path root;
    private final Path incoming;

    FilesystemBlobStore(Path root) throws IOException {
        this.root = root;
        this.incoming = root.resolve("incoming");
        Files.createDirectories(incoming);
    }

    @Override
    public StoredBlob write(BlobWriter writer, Consumer<String> beforeStoring) throws IOException {
        try (SpooledBlob spooled = SpooledBlob.write(incoming, writer)) {
            beforeStoring.accept(spooled.key());
            Path target = pathOf(spooled.key());
            Files.createDirectories(target.getParent());
            Files.move(spooled.file(), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new StoredBlob(spooled.key(), spooled.bytes());
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        try {
            return Files.newInputStream(pathOf(key));
        } catch (NoSuchFileException e) {
            throw new IOException("No blob " + key, e);
        }
    }

    @Override
    public boolean exists(String key) {
        return Files.exists(pathOf(key));
    }

    @Override
    public void delete(String key) {
        try {
            Files.deleteIfExists(pathOf(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path pathOf(String key) {
        BlobKeys.check(key);
        return root.resolve(key.substring(0, 2)).resolve(key.substring(2, 4)).resolve(key);
    }
}
