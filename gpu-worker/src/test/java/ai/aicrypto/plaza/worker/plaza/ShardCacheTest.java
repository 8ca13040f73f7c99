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
    void downloadsOnceAcrossLeasesOfTheSameGenerationAndDecryptsInMemory() throws Exception {
        new SecureRandom().nextBytes(key);
        Shard all = TestData.t10kHead().slice(0, 300);
        List<byte[]> blobs = List.of(encrypt(plainShard(all.slice(0, 200))), encrypt(plainShard(all.slice(200, 300))));
        Lease lease = lease(7, key, blobs, List.of(200L, 100L));
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

        cache.fetch(lease(7, key, blobs, List.of(200L, 100L)), server);
        assertEquals(2, downloads.get(), "a later job on the same generation downloads nothing");
        cache.fetch(lease(8, key, blobs, List.of(200L, 100L)), server);
        assertEquals(2, downloads.get());
        assertEquals(List.of(7L, 8L), cache.cachedDatasets());

        EncryptedShardData data = EncryptedShardData.open(files, lease.shards(), Base64.getEncoder().encodeToString(key));
        assertEquals(300, data.rows());
        assertEquals(784, data.featureCount());
        assertEquals(TestData.CLASSES, data.classes());
        assertArrayEquals(all.slice(200, 300).features(), data.shard(1).features());
        assertArrayEquals(all.slice(0, 200).labels(), data.shard(0).labels());
    }

    @Test
    void aRotatedGenerationIsDownloadedAfresh() throws Exception {
        new SecureRandom().nextBytes(key);
        Shard rows = TestData.t10kHead().slice(0, 100);
        byte[] plain = plainShard(rows);
        List<byte[]> before = List.of(encrypt(plain));
        ShardCache cache = new ShardCache(dir.resolve("cache"));
        AtomicInteger downloads = new AtomicInteger();
        cache.fetch(lease(4, key, before, List.of(100L)), (seq, target) -> {
            downloads.incrementAndGet();
            Files.write(target, before.get(seq));
        });

        byte[] rotated = new byte[32];
        new SecureRandom().nextBytes(rotated);
        List<byte[]> after = List.of(TestShards.encrypt(plain, rotated));
        Lease next = lease(4, rotated, after, List.of(100L));
        List<Path> files = cache.fetch(next, (seq, target) -> {
            downloads.incrementAndGet();
            Files.write(target, after.get(seq));
        });
        assertEquals(2, downloads.get(), "new content ids: the new generation's shards are downloaded");
        assertEquals(List.of(4L), cache.cachedDatasets());
        EncryptedShardData data = EncryptedShardData.open(files, next.shards(), next.shardKey());
        assertArrayEquals(rows.features(), data.shard(0).features());
    }

    @Test
    void refusesATamperedShardAndOneEncryptedUnderAnotherKey() throws Exception {
        new SecureRandom().nextBytes(key);
        byte[] plain = plainShard(TestData.t10kHead().slice(0, 50));
        byte[] blob = encrypt(plain);
        Lease lease = lease(3, key, List.of(blob), List.of(50L));
        ShardCache cache = new ShardCache(dir.resolve("cache"));
        IOException e = assertThrows(IOException.class, () -> cache.fetch(lease, (seq, target) -> {
            byte[] tampered = blob.clone();
            tampered[100] ^= 1;
            Files.write(target, tampered);
        }));
        assertTrue(e.getMessage().contains("cannot be decrypted"), e.getMessage());
        byte[] otherKey = new byte[32];
        byte[] otherWorkers = TestShards.encrypt(plain, otherKey);
        assertThrows(IOException.class, () -> cache.fetch(lease, (seq, target) -> Files.write(target, otherWorkers)));
        assertEquals(List.of(), cache.cachedDatasets());
        try (var left = Files.list(dir.resolve("cache/shards"))) {
            assertEquals(0, left.count(), "nothing refused is kept");
        }

        List<Path> files = cache.fetch(lease, (seq, target) -> Files.write(target, blob));
        assertThrows(IOException.class, () -> EncryptedShardData.open(files, lease.shards(), Base64.getEncoder().encodeToString(otherKey)));
    }

    private byte[] plainShard(Shard s) throws IOException {
        return TestShards.plain(s, dir);
    }

    private byte[] encrypt(byte[] plain) throws Exception {
        return TestShards.encrypt(plain, key);
    }

    /** A lease of the dataset handing out these blobs under this key (content ids: any id per blob will do here). */
    private static Lease lease(long dataset, byte[] key, List<byte[]> blobs, List<Long> rows) throws Exception {
        List<Lease.ShardRef> refs = new ArrayList<>();
        for (int i = 0; i < blobs.size(); i++) {
            refs.add(new Lease.ShardRef(i, TestShards.sha256(blobs.get(i)), blobs.get(i).length, rows.get(i)));
        }
        assertFalse(refs.isEmpty());
        return new Lease(1, dataset, 1, "{}", 1, "2030-01-01T00:00:00Z", "{}", Base64.getEncoder().encodeToString(key), refs, null, false);
    }
}
