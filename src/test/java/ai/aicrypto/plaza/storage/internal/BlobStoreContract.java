package ai.aicrypto.plaza.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import ai.aicrypto.plaza.storage.StorageProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every blob store does, run against each (the data directory's and S3's): content addressing, streaming in
 * both directions, reading from an offset on, missing and malformed keys, a failed write that leaves nothing, and
 * encrypted blobs whose tampered bytes are never returned.
 */
abstract class BlobStoreContract {

    /** Larger than the buffers on the way and than one 1 MiB encryption segment. */
    private static final int LARGE = 5 * 1024 * 1024 + 123;

    @TempDir
    Path dataDir;

    /** The store under test, empty at the start of each test. */
    abstract BlobStore store() throws Exception;

    /** Flips one bit of the stored blob, as a disk or a tampering operator would. */
    abstract void flipBit(String key, long offset) throws Exception;

    /** Temporary files the store left behind (none, after any write). */
    abstract long strayTemporaryFiles() throws IOException;

    @Test
    void aBlobIsStoredUnderTheHashOfItsBytesAndStreamsBackWhole() throws Exception {
        BlobStore store = store();
        byte[] content = random(LARGE, 1);
        // Written in pieces, as uploads and encryption write: never handed over whole.
        BlobStore.StoredBlob blob = store.write(out -> {
            for (int i = 0; i < content.length; i += 64 * 1024) {
                out.write(content, i, Math.min(64 * 1024, content.length - i));
            }
        });
        assertThat(blob.key()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
        assertThat(blob.bytes()).isEqualTo(LARGE);
        assertThat(store.exists(blob.key())).isTrue();
        try (InputStream in = store.open(blob.key())) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        assertThat(store.put(new ByteArrayInputStream(content))).as("the same bytes, the same blob").isEqualTo(blob);
        assertThat(strayTemporaryFiles()).isZero();
    }

    @Test
    void aBlobReadFromAnOffsetOnGivesTheBytesFromThere() throws Exception {
        BlobStore store = store();
        byte[] content = random(LARGE, 2);
        String key = store.put(new ByteArrayInputStream(content)).key();
        long offset = 3 * 1024 * 1024 + 7;
        try (InputStream in = store.open(key)) {
            in.skipNBytes(offset);
            assertThat(in.readNBytes(1000)).isEqualTo(Arrays.copyOfRange(content, (int) offset, (int) offset + 1000));
            assertThat(in.readAllBytes()).hasSize(LARGE - (int) offset - 1000);
        }
    }

    @Test
    void aMissingBlobIsReportedAndItsDeletionIgnored() throws Exception {
        BlobStore store = store();
        String missing = "0".repeat(64);
        assertThat(store.exists(missing)).isFalse();
        assertThatThrownBy(() -> store.open(missing)).isInstanceOf(IOException.class).hasMessageContaining("No blob " + missing);
        store.delete(missing);

        String key = store.put(new ByteArrayInputStream(random(1000, 3))).key();
        store.delete(key);
        assertThat(store.exists(key)).isFalse();
        assertThatThrownBy(() -> store.open(key)).isInstanceOf(IOException.class).hasMessageContaining("No blob " + key);
    }

    @Test
    void anythingButAKeyIsRefused() throws Exception {
        BlobStore store = store();
        for (String notAKey : new String[] {"../../etc/passwd", "A".repeat(64), "0".repeat(63), "0".repeat(64) + "/x", ""}) {
            assertThatThrownBy(() -> store.open(notAKey)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Not a blob key");
            assertThatThrownBy(() -> store.exists(notAKey)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.delete(notAKey)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aWriteThatFailsHalfwayStoresNothing() throws Exception {
        BlobStore store = store();
        byte[] half = random(LARGE / 2, 4);
        assertThatThrownBy(() -> store.write(out -> {
            out.write(half);
            throw new IOException("the upload broke off");
        })).hasMessage("the upload broke off");
        String keyOfTheHalf = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(half));
        assertThat(store.exists(keyOfTheHalf)).isFalse();
        assertThat(strayTemporaryFiles()).isZero();
    }

    /** What lets an owner record a blob before it can be found in the store (a dataset import does). */
    @Test
    void theKeyIsGivenBeforeTheBlobIsInPlaceAndARefusalThereStoresNothing() throws Exception {
        BlobStore store = store();
        byte[] content = random(1000, 5);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        List<Boolean> storedWhenGiven = new ArrayList<>();
        BlobStore.StoredBlob blob = store.write(out -> out.write(content), key -> {
            assertThat(key).isEqualTo(expected);
            storedWhenGiven.add(store.exists(key));
        });
        assertThat(storedWhenGiven).as("given once, before the blob was there").containsExactly(false);
        assertThat(store.exists(blob.key())).isTrue();

        byte[] refused = random(1000, 6);
        assertThatThrownBy(() -> store.write(out -> out.write(refused), key -> {
            throw new IllegalStateException("not recorded");
        })).hasMessage("not recorded");
        assertThat(store.exists(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(refused)))).isFalse();
        assertThat(strayTemporaryFiles()).isZero();
    }

    @Test
    void anEncryptedBlobDecryptsAndATamperedOneFailsToRead() throws Exception {
        BlobStore store = store();
        DataKeys keys = new TinkDataKeys(new StorageProperties(null), new PlazaProperties(dataDir, false, URI.create("http://localhost")));
        DataKeys.DataKey key = keys.generate();
        byte[] plaintext = random(LARGE, 5);
        String blob = key.encryptTo(store, new ByteArrayInputStream(plaintext), "test:contract").key();
        try (InputStream in = key.decryptFrom(store, blob, "test:contract")) {
            assertThat(in.readAllBytes()).isEqualTo(plaintext);
        }
        assertThatThrownBy(() -> {
            try (InputStream in = key.decryptFrom(store, blob, "test:other-purpose")) {
                in.readAllBytes();
            }
        }).as("another context").isInstanceOf(IOException.class);

        flipBit(blob, 2L * 1024 * 1024 + 100); // in the third segment
        try (InputStream in = key.decryptFrom(store, blob, "test:contract")) {
            byte[] firstSegments = in.readNBytes(1024 * 1024);
            assertThat(firstSegments).as("segments before the tampered one still read").isEqualTo(Arrays.copyOf(plaintext, 1024 * 1024));
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class);
        }
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static long regularFiles(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
