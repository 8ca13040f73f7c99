package ai.aicrypto.plaza.compute.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import ai.aicrypto.plaza.dataset.Datasets;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import ai.aicrypto.plaza.platform.IntegrityException;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The held-out validation split. Workers never receive it: the first lease of a job on a dataset
 * splits the dataset's shards once into training shards (what workers download) and one
 * validation shard (what only the app reads to verify results). Every 10th row (row index 0, 10,
 * 20, ... over all shards) is held out, up to {@link #MAX_VALIDATION_ROWS}: deterministic, spread
 * over the whole dataset (stratified when rows are sorted by class), and never empty.
 * <p>
 * Both splits are encrypted with AES-256-GCM (a random 12-byte nonce, then ciphertext and tag)
 * under a split key of the dataset, sealed by the master key. The same training shards (same
 * SHA-256, which is their blob key) serve every job on the dataset, so a worker's cache stays
 * valid; the lease hands the split key to the worker that holds a job on the dataset.
 */
@Service
class TrainingSplits {

    static final int MAX_VALIDATION_ROWS = 20_000;
    /** Binds the ciphertext to its purpose; the worker uses the same associated data. */
    static final byte[] ASSOCIATED_DATA = "aiplaza training shard v1".getBytes(StandardCharsets.UTF_8);
    private static final String SEAL_CONTEXT = "compute:training-split";
    private static final int NONCE_BYTES = 12;

    private final SecureRandom random = new SecureRandom();
    /** A split never changes once made, and every lease needs one: kept in memory, up to 1,000 datasets. */
    private final Cache<Long, Split> made = Caffeine.newBuilder().maximumSize(1_000).build();
    private final Datasets datasets;
    private final BlobStore blobs;
    private final DataKeys dataKeys;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;

    TrainingSplits(Datasets datasets, BlobStore blobs, DataKeys dataKeys, JdbcClient jdbc, TransactionTemplate transaction) {
        this.datasets = datasets;
        this.blobs = blobs;
        this.dataKeys = dataKeys;
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    record Split(long datasetId, byte[] key, List<ShardRef> shards, String validationBlob) {
    }

    /** One training shard as the worker sees it: its position, SHA-256 (of the ciphertext), size and rows. */
    record ShardRef(int seq, String sha256, long bytes, long rows) {
    }

    /** The dataset's split, made now if this is the first job on it (one maker at a time per dataset). */
    Split ensure(long datasetId) {
        Split known = made.getIfPresent(datasetId);
        if (known != null) {
            return known;
        }
        Split split = find(datasetId).orElseGet(() -> transaction.execute(status -> {
            // Serialises concurrent first leases of the same dataset (on any instance); released at commit.
            jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('training-split'), CAST(? AS int))")
                    .param((int) datasetId).query(Object.class).single();
            return find(datasetId).orElseGet(() -> make(datasetId));
        }));
        made.put(datasetId, split);
        return split;
    }

    Optional<Split> find(long datasetId) {
        List<ShardRef> shards = jdbc.sql("""
                        SELECT seq, blob_key, bytes, rows FROM training_split_shards WHERE dataset_id = ? ORDER BY seq""")
                .param(datasetId)
                .query((rs, n) -> new ShardRef(rs.getInt("seq"), rs.getString("blob_key"), rs.getLong("bytes"), rs.getLong("rows")))
                .list();
        return jdbc.sql("SELECT sealed_key, validation_blob FROM training_splits WHERE dataset_id = ?")
                .param(datasetId)
                .query((rs, n) -> new Split(datasetId, unseal(rs.getBytes("sealed_key")), shards, rs.getString("validation_blob")))
                .optional();
    }

    /** The encrypted bytes of a training shard, exactly as stored and as the worker caches them. */
    InputStream openTrainingShard(long datasetId, int seq) throws IOException {
        String key = jdbc.sql("SELECT blob_key FROM training_split_shards WHERE dataset_id = ? AND seq = ?")
                .params(datasetId, seq).query(String.class).optional().orElseThrow(NotFoundException::new);
        return blobs.open(key);
    }

    /** The held-out rows, decrypted. */
    ShardTensors validation(long datasetId) {
        Split split = find(datasetId).orElseThrow(NotFoundException::new);
        try (InputStream in = blobs.open(split.validationBlob())) {
            return ShardTensors.parse(decrypt(split.key(), in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Split make(long datasetId) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        List<String> written = new ArrayList<>();
        try {
            List<ShardRef> refs = new ArrayList<>();
            ShardTensors validation = null;
            long row = 0;
            int shardCount = datasets.shardCount(datasetId);
            for (int seq = 0; seq < shardCount; seq++) {
                ShardTensors shard;
                try (InputStream in = datasets.openShard(datasetId, seq)) {
                    shard = ShardTensors.parse(in.readAllBytes());
                }
                boolean[] training = new boolean[shard.rows()];
                long held = validation == null ? 0 : validation.rows();
                for (int i = 0; i < shard.rows(); i++, row++) {
                    boolean holdOut = row % 10 == 0 && held < MAX_VALIDATION_ROWS;
                    training[i] = !holdOut;
                    held += holdOut ? 1 : 0;
                }
                ShardTensors train = shard.select(training);
                ShardTensors heldOut = shard.select(not(training));
                validation = validation == null ? heldOut : validation.append(heldOut);
                if (train.rows() > 0) {
                    BlobStore.StoredBlob blob = blobs.put(new ByteArrayInputStream(encrypt(key, train.toBytes())));
                    written.add(blob.key());
                    refs.add(new ShardRef(refs.size(), blob.key(), blob.bytes(), train.rows()));
                }
            }
            if (validation == null) {
                throw new IllegalStateException("Dataset " + datasetId + " has no shards");
            }
            BlobStore.StoredBlob held = blobs.put(new ByteArrayInputStream(encrypt(key, validation.toBytes())));
            written.add(held.key());
            long trainingRows = refs.stream().mapToLong(ShardRef::rows).sum();
            jdbc.sql("""
                            INSERT INTO training_splits (dataset_id, sealed_key, training_rows, validation_rows, validation_blob)
                            VALUES (?, ?, ?, ?, ?)""")
                    .params(datasetId, dataKeys.seal(key, SEAL_CONTEXT), trainingRows, validation.rows(), held.key()).update();
            for (ShardRef ref : refs) {
                jdbc.sql("INSERT INTO training_split_shards (dataset_id, seq, blob_key, bytes, rows) VALUES (?, ?, ?, ?, ?)")
                        .params(datasetId, ref.seq(), ref.sha256(), ref.bytes(), ref.rows()).update();
            }
            return new Split(datasetId, key, refs, held.key());
        } catch (IOException | RuntimeException e) {
            // Blobs are content-addressed, but these hold a fresh nonce: no other row can share them.
            written.forEach(blobs::delete);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private static boolean[] not(boolean[] mask) {
        boolean[] out = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            out[i] = !mask[i];
        }
        return out;
    }

    private byte[] encrypt(byte[] key, byte[] plaintext) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(ASSOCIATED_DATA);
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] decrypt(byte[] key, byte[] blob) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, blob, 0, NONCE_BYTES));
            cipher.updateAAD(ASSOCIATED_DATA);
            return cipher.doFinal(blob, NONCE_BYTES, blob.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IntegrityException("A training split cannot be decrypted", e);
        }
    }

    private byte[] unseal(byte[] sealed) {
        try {
            return dataKeys.unseal(sealed, SEAL_CONTEXT);
        } catch (GeneralSecurityException e) {
            throw new IntegrityException("A training split key cannot be unsealed", e);
        }
    }
}
