package ai.aicrypto.plaza.storage.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.storage.BlobStore;
import org.springframework.stereotype.Component;

/**
 * Blobs as files under {@code data/blobs/ab/cd/<sha256>}. A blob is written to a temporary file
 * while its hash is computed and then moved into place atomically, so readers never see a
 * half-written blob and a crash leaves at most a stray temporary file.
 */
@Component
class FilesystemBlobStore implements BlobStore {

    private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");

    private final Path root;
    private final Path incoming;

    FilesystemBlobStore(PlazaProperties properties) throws IOException {
        this.root = properties.dataDir().resolve("blobs");
        this.incoming = root.resolve("incoming");
        Files.createDirectories(incoming);
    }

    @Override
    public StoredBlob write(BlobWriter writer) throws IOException {
        Path temp = Files.createTempFile(incoming, "blob-", ".part");
        try {
            MessageDigest sha256 = sha256();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(temp), sha256)) {
                writer.writeTo(out);
            }
            long bytes = Files.size(temp);
            String key = HexFormat.of().formatHex(sha256.digest());
            Path target = pathOf(key);
            Files.createDirectories(target.getParent());
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new StoredBlob(key, bytes);
        } finally {
            Files.deleteIfExists(temp);
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
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("Not a blob key: " + key);
        }
        return root.resolve(key.substring(0, 2)).resolve(key.substring(2, 4)).resolve(key);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
