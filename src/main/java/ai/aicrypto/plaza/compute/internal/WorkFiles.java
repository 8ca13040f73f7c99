package ai.aicrypto.plaza.compute.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import ai.aicrypto.plaza.platform.IntegrityException;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import ai.aicrypto.plaza.storage.PendingBlobs;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Files a worker sends (weights, checkpoints) on their way in and out of encrypted storage: spooled to a work
 * file under the data directory with a size limit, stored under a data key of their own, and decrypted back to a
 * work file to be measured or compared. The caller deletes the work files it gets.
 */
@Component
class WorkFiles {

    private final BlobStore blobs;
    private final DataKeys dataKeys;
    private final PendingBlobs pendingBlobs;
    private final TransactionTemplate transaction;
    private final Path workDir;

    WorkFiles(BlobStore blobs, DataKeys dataKeys, PendingBlobs pendingBlobs, TransactionTemplate transaction,
              PlazaProperties plaza) {
        this.blobs = blobs;
        this.dataKeys = dataKeys;
        this.pendingBlobs = pendingBlobs;
        this.transaction = transaction;
        this.workDir = plaza.dataDir().resolve("work");
    }

    /** A request body in a work file, with the SHA-256 of its bytes. */
    record Spooled(Path file, String sha256) {
    }

    /** A file stored encrypted: its blob and the wrapped key that decrypts it. */
    record Stored(BlobStore.StoredBlob blob, byte[] wrappedKey) {
    }

    /** Checks an upload before it is stored; throws to refuse it. */
    @FunctionalInterface
    interface Check {
        void accept(Spooled upload) throws IOException;
    }

    /** Records a stored upload (in the transaction {@link #store} opens) and returns the blob key it replaces, or null. */
    @FunctionalInterface
    interface Record {
        String apply(Stored stored, Spooled upload);
    }

    /**
     * Stores a request body encrypted, leaving nothing behind when it is refused: spooled (at most {@code limit}
     * bytes), checked, encrypted, recorded (in a transaction, with the blob's pending state ended); the blob it
     * replaces is deleted once that commits, and the new one when the check or the record fails.
     */
    void store(InputStream body, long limit, String context, Check check, Record record) throws IOException {
        Spooled upload = spool(body, limit);
        Stored stored = null;
        String replaced;
        try {
            check.accept(upload);
            stored = encrypt(upload.file(), context);
            Stored recorded = stored;
            replaced = transaction.execute(status -> {
                pendingBlobs.kept(recorded.blob().key());
                return record.apply(recorded, upload);
            });
        } catch (IOException | RuntimeException e) {
            if (stored != null) {
                pendingBlobs.discard(stored.blob().key());
            }
            throw e;
        } finally {
            Files.deleteIfExists(upload.file());
        }
        // Recorded: should this fail, the new blob stays (a row names it) and the old one is an orphan.
        if (replaced != null && !replaced.equals(stored.blob().key())) {
            blobs.delete(replaced);
        }
    }

    /**
     * Copies the body to a work file, stopping at the limit.
     *
     * @throws JobResults.WeightsTooLargeException past the limit (nothing is left behind)
     */
    private Spooled spool(InputStream body, long limit) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path file = newWorkFile("upload-");
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), digest)) {
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            for (int n; (n = body.read(buffer)) > 0; ) {
                total += n;
                if (total > limit) {
                    throw new JobResults.WeightsTooLargeException(limit);
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return new Spooled(file, HexFormat.of().formatHex(digest.digest()));
    }

    /** Stores the file encrypted under a new data key bound to {@code context}. */
    private Stored encrypt(Path file, String context) throws IOException {
        DataKeys.DataKey key = dataKeys.generate();
        try (InputStream in = Files.newInputStream(file)) {
            return new Stored(pendingBlobs.encrypt(key, in, context), key.wrapped());
        }
    }

    /** A stored file decrypted to a new work file; {@code what} names it in the error a tampered blob gives. */
    Path decrypt(byte[] wrappedKey, String blobKey, String context, String what) throws IOException {
        Path file = newWorkFile("stored-");
        try (InputStream in = dataKeys.unwrap(wrappedKey).decryptFrom(blobs, blobKey, context);
             OutputStream out = Files.newOutputStream(file)) {
            in.transferTo(out);
            return file;
        } catch (GeneralSecurityException e) {
            Files.deleteIfExists(file);
            throw new IntegrityException(what + " cannot be decrypted", e);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** A stored file decrypting as it is read (to stream it to a worker). */
    InputStream open(byte[] wrappedKey, String blobKey, String context, String what) throws IOException {
        try {
            return dataKeys.unwrap(wrappedKey).decryptFrom(blobs, blobKey, context);
        } catch (GeneralSecurityException e) {
            throw new IntegrityException(what + " cannot be decrypted", e);
        }
    }

    /** Deletes a blob; absent ones are ignored, so cleanup after a failure may call it freely. */
    void delete(String blobKey) {
        blobs.delete(blobKey);
    }

    private Path newWorkFile(String prefix) throws IOException {
        return Files.createTempFile(Files.createDirectories(workDir), prefix, ".safetensors");
    }
}
