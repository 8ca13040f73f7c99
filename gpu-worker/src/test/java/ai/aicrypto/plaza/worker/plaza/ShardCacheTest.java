package ai.aicrypto.plaza.worker.plaza;

import ai.aicrypto.plaza.worker.TestData;
import ai.aicrypto.plaza.worker.data.Shard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The encrypted shard cache and in-memory decryption, with shards encrypted the way the plaza does. */
class ShardCacheTest {

    @TempDir
    Path dir;

    final byte[] key = new byte[32];

    @Test
    void downloadsOnceChecksTheHashAndDecryptsInMemory() throws Exception {
        new SecureRandom().nextBytes(key);
        Shard all = TestData.t10kHead().slice(0, 300);
        List<byte[]> blobs = List.of(encrypt(plainShard(all.slice(0, 200))), encrypt(plainShard(all.slice(200, 300))));
        Lease lease = lease(7, blobs, List.of(200L, 100L));
        ShardCache cache = new ShardCache(dir.resolve("cache"));
        AtomicInteger downloads = new AtomicInteger();
        ShardCache.Downloader server = (seq, target) -> {
            downloads.incrementAndGet();
            Files.write(target, blobs.get(seq));
        };

        List<Path> files = cache.fetch(lease, server);
        assertEquals(2, downloads.get());
        assertEquals(List.of(7L), cache.cachedDatasets());
        assertArrayEquals(blobs.get(0), Files.readAllBytes(files.get(0)), "kept encrypted, as downloaded");

        cache.fetch(lease(8, blobs, List.of(200L, 100L)), server);
        assertEquals(2, downloads.get(), "a later job on the same shards downloads nothing");
        assertEquals(List.of(7L, 8L), cache.cachedDatasets());

        EncryptedShardData data = EncryptedShardData.open(files, lease.shards(), Base64.getEncoder().encodeToString(key));
        assertEquals(300, data.rows());
        assertEquals(784, data.featureCount());
        assertEquals(TestData.CLASSES, data.classes());
        assertArrayEquals(all.slice(200, 300).features(), data.shard(1).features());
        assertArrayEquals(all.slice(0, 200).labels(), data.shard(0).labels());
    }

    @Test
    void refusesAShardWhoseHashDiffersAndAWrongKey() throws Exception {
        new SecureRandom().nextBytes(key);
        byte[] blob = encrypt(plainShard(TestData.t10kHead().slice(0, 50)));
        Lease lease = lease(3, List.of(blob), List.of(50L));
        ShardCache cache = new ShardCache(dir.resolve("cache"));
        IOException e = assertThrows(IOException.class, () -> cache.fetch(lease, (seq, target) -> {
            byte[] tampered = blob.clone();
            tampered[100] ^= 1;
            Files.write(target, tampered);
        }));
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
        assertEquals(List.of(), cache.cachedDatasets());

        List<Path> files = cache.fetch(lease, (seq, target) -> Files.write(target, blob));
        byte[] otherKey = new byte[32];
        assertThrows(IOException.class, () -> EncryptedShardData.open(files, lease.shards(), Base64.getEncoder().encodeToString(otherKey)));
    }

    private byte[] plainShard(Shard s) throws IOException {
        return TestShards.plain(s, dir);
    }

    private byte[] encrypt(byte[] plain) throws Exception {
        return TestShards.encrypt(plain, key);
    }

    private static Lease lease(long dataset, List<byte[]> blobs, List<Long> rows) throws Exception {
        List<Lease.ShardRef> refs = new ArrayList<>();
        for (int i = 0; i < blobs.size(); i++) {
            refs.add(new Lease.ShardRef(i, TestShards.sha256(blobs.get(i)), blobs.get(i).length, rows.get(i)));
        }
        assertFalse(refs.isEmpty());
        return new Lease(1, dataset, 1, "{}", 1, "2030-01-01T00:00:00Z", "{}", "", refs, null);
    }
}
