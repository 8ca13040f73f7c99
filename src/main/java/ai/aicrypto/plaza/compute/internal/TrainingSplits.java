package ai.aicrypto.plaza.compute.internal;

import java.io.ByteArrayInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import ai.aicrypto.plaza.dataset.Datasets;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import ai.aicrypto.plaza.platform.IntegrityException;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.StatementTimeouts;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import ai.aicrypto.plaza.storage.PendingBlobs;
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
 * At rest both splits are encrypted under a data key of the generation in the plaza's segmented format
 * ({@link DataKeys}: AES-256-GCM in 1 MiB segments), so they are read as streams; generations made before V83 are
 * one-nonce AES-GCM blobs under the split's training key and a held-out key, read whole until they are rotated.
 * The keys are wrapped or sealed by the master key and never handed out. In transit each worker gets a key of
 * its own, HMAC-SHA256(training key, "worker-shard-key:" + worker id): the shard route decrypts the
 * stored shard and encrypts it again under that key, with a nonce derived from the worker and the
 * shard's position. So one worker always receives the same bytes for a shard (its cache stays valid
 * across jobs on the dataset), and its key decrypts nothing another worker downloads, nothing stored
 * and no other generation.
 * <p>
 * {@link #rotate} re-encrypts the training shards (and the held-out split) under fresh keys as a new
 * generation, which every later lease uses. The old generation's blobs are deleted at once: a job
 * still leased on it is queued again when its worker next downloads a shard (see the shard route).
 */
@Service
class TrainingSplits {

    static final int MAX_VALIDATION_ROWS = 20_000;
    /** Binds the ciphertext to its purpose; the worker uses the same associated data. */
    static final byte[] ASSOCIATED_DATA = "aiplaza training shard v1".getBytes(StandardCharsets.UTF_8);
    static final String SEAL_CONTEXT = "compute:training-split";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BYTES = 16;
    /** Held-out sets kept parsed in memory, in bytes: a few image datasets' worth (each at most 20,000 rows). */
    private static final long HELD_OUT_CACHE_BYTES = 256L << 20;
    /** The held-out rows' memory, for operators: bounded by {@link #HELD_OUT_CACHE_BYTES}. */
    static final String HELD_OUT_BYTES_METER = "plaza.training.held-out.bytes";
    /** Contexts of a generation's blobs under its data key (the plaza's segmented format, {@link DataKeys}). */
    static final String SHARD_CONTEXT = "compute:training-shard";
    static final String HELD_OUT_CONTEXT = "compute:held-out";
    /** What a shard download encrypts and writes at a time. */
    private static final int WRITE_CHUNK = 1 << 20;

    private final SecureRandom random = new SecureRandom();
    /** A generation never changes once made, and every lease and download needs its keys: up to 1,000 in memory. */
    private final Cache<Generation, Split> loaded = Caffeine.newBuilder().maximumSize(1_000).build();
    /**
     * Held-out rows, decrypted and parsed once per generation rather than on every job's completion (review M12):
     * a dataset's jobs tend to complete together. Weighed by their arrays' bytes.
     */
    private final Cache<Generation, ShardTensors> heldOut = Caffeine.newBuilder()
            .maximumWeight(HELD_OUT_CACHE_BYTES)
            .weigher((Generation g, ShardTensors rows) -> (int) Math.min(Integer.MAX_VALUE, rows.bytes()))
            .build();
    private final Datasets datasets;
    private final BlobStore blobs;
    private final DataKeys dataKeys;
    private final PendingBlobs pendingBlobs;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final StatementTimeouts timeouts;

    TrainingSplits(Datasets datasets, BlobStore blobs, DataKeys dataKeys, PendingBlobs pendingBlobs, JdbcClient jdbc,
                   TransactionTemplate transaction, StatementTimeouts timeouts, MeterRegistry meters) {
        this.timeouts = timeouts;
        Gauge.builder(HELD_OUT_BYTES_METER, heldOut, TrainingSplits::weighedBytes)
                .description("Bytes of held-out rows kept decrypted in memory").baseUnit("bytes").register(meters);
        this.datasets = datasets;
        this.blobs = blobs;
        this.dataKeys = dataKeys;
        this.pendingBlobs = pendingBlobs;
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    private static double weighedBytes(Cache<Generation, ShardTensors> cache) {
        cache.cleanUp(); // counts the entries added or removed last
        return cache.policy().eviction().orElseThrow().weightedSize().orElseThrow();
    }

    /**
     * One generation of a dataset's split as stored: its keys never leave the app. {@code key} derives the workers' keys
     * and nonces; {@code atRest} encrypts its blobs, streamed in segments. A generation made before V83 has none: its
     * blobs are one-nonce AES-GCM under {@code key} and {@code validationKey}, read whole, until it is rotated.
     */
    record Split(long datasetId, int generation, byte[] key, List<StoredShard> shards, byte[] validationKey,
                 String validationBlob, DataKeys.DataKey atRest) {
    }

    /** A stored training shard: its position, blob, size as a worker receives it (nonce, ciphertext, tag) and rows. */
    record StoredShard(int seq, String blobKey, long bytes, long rows) {
    }

    /**
     * One training shard as a worker sees it: its position, an id naming this worker's copy (the same in every
     * lease of this worker on this generation, different for any other worker or generation), size and rows.
     */
    record ShardRef(int seq, String contentId, long bytes, long rows) {
    }

    /** What a lease hands a worker: the generation, the worker's key for it, and the shards. */
    record WorkerShards(int generation, byte[] key, List<ShardRef> shards) {
    }

    private record Generation(long datasetId, int generation) {
    }

    private record Current(int generation, boolean rotationDue) {
    }

    /** The dataset's current generation for this worker, the split made (or rotated, when due) first. */
    WorkerShards forWorker(long datasetId, long workerId) {
        Split split = ensure(datasetId);
        return new WorkerShards(split.generation(), workerKey(split.key(), workerId), split.shards().stream()
                .map(s -> new ShardRef(s.seq(), HexFormat.of().formatHex(hmac(split.key(), "worker-shard-id:" + workerId + ":" + s.seq())),
                        s.bytes(), s.rows()))
                .toList());
    }

    /** The worker's key for a generation: it decrypts only what this worker downloads of this generation. */
    static byte[] workerKey(byte[] generationKey, long workerId) {
        return hmac(generationKey, "worker-shard-key:" + workerId);
    }

    /**
     * A training shard of this generation for this worker (encrypted the same way every time), or empty when the
     * generation is no longer the current one. The stored shard is decrypted as the worker's copy is encrypted and
     * written, a segment at a time ({@link #openShard}).
     */
    Optional<WorkerShard> trainingShard(long datasetId, int generation, long workerId, int seq) throws IOException {
        if (current(datasetId).map(c -> c.generation() != generation).orElse(true)) {
            return Optional.empty();
        }
        Split split = load(datasetId, generation);
        StoredShard shard = split.shards().stream().filter(s -> s.seq() == seq).findFirst().orElseThrow(NotFoundException::new);
        // Deterministic: under one worker key a nonce always goes with the same shard, so it is never reused.
        byte[] nonce = Arrays.copyOf(hmac(split.key(), "worker-shard-nonce:" + workerId + ":" + seq), NONCE_BYTES);
        return Optional.of(new WorkerShard(workerKey(split.key(), workerId), nonce, shard.bytes() - NONCE_BYTES - TAG_BYTES,
                () -> openShard(split, shard)));
    }

    /**
     * A fine-tuning job's parent weights as one worker receives them, encrypted like its shards: under this worker's
     * key of the lease's generation, the nonce first, then the ciphertext and tag, {@value #WRITE_CHUNK} bytes at a
     * time as they are read. The nonce is the job's: the same worker is always sent the same parent for a job.
     *
     * @return false when the dataset's shards were encrypted under new keys after the lease (nothing is written)
     */
    boolean writeParentWeights(long datasetId, int generation, long workerId, long jobId, InputStream weights, OutputStream out)
            throws IOException {
        if (current(datasetId).map(c -> c.generation() != generation).orElse(true)) {
            return false;
        }
        byte[] generationKey = load(datasetId, generation).key();
        byte[] nonce = Arrays.copyOf(hmac(generationKey, "worker-parent-nonce:" + workerId + ":" + jobId), NONCE_BYTES);
        sealFor(workerKey(generationKey, workerId), nonce, weights, out);
        return true;
    }

    /**
     * Writes the nonce, then {@code plaintext} encrypted under {@code key} {@value #WRITE_CHUNK} bytes at a time as it
     * is read, then the tag: what a worker receives. Returns the plaintext's length.
     */
    private static long sealFor(byte[] key, byte[] nonce, InputStream plaintext, OutputStream out) throws IOException {
        try {
            Cipher cipher = encrypting(key, nonce);
            byte[] chunk = new byte[WRITE_CHUNK];
            byte[] sealed = new byte[cipher.getOutputSize(WRITE_CHUNK)];
            out.write(nonce);
            long length = 0;
            for (int n = plaintext.readNBytes(chunk, 0, WRITE_CHUNK); n > 0; n = plaintext.readNBytes(chunk, 0, WRITE_CHUNK)) {
                out.write(sealed, 0, cipher.update(chunk, 0, n, sealed));
                length += n;
            }
            out.write(sealed, 0, cipher.doFinal(sealed, 0));
            return length;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where a shard's plaintext is read from when it is sent. */
    private interface PlaintextSource {
        InputStream open() throws IOException;
    }

    /** A training shard as one worker receives it: the nonce, then the AES-GCM ciphertext and tag. */
    static final class WorkerShard {

        private final byte[] key;
        private final byte[] nonce;
        private final long plaintextBytes;
        private final PlaintextSource plaintext;

        private WorkerShard(byte[] key, byte[] nonce, long plaintextBytes, PlaintextSource plaintext) {
            this.key = key;
            this.nonce = nonce;
            this.plaintextBytes = plaintextBytes;
            this.plaintext = plaintext;
        }

        long bytes() {
            return NONCE_BYTES + plaintextBytes + TAG_BYTES;
        }

        /**
         * Decrypts, encrypts and writes {@value #WRITE_CHUNK} bytes at a time: never a whole copy of the shard. A
         * stored shard found altered fails the download part way (its segment's tag), and the worker's copy with it.
         */
        void writeTo(OutputStream out) throws IOException {
            try (InputStream in = plaintext.open()) {
                long written = sealFor(key, nonce, in, out);
                if (written != plaintextBytes) {
                    throw new IntegrityException("A training shard holds " + written + " bytes, not " + plaintextBytes, null);
                }
            }
        }
    }

    /** The held-out rows of the current generation, decrypted; shared, so not to be changed. */
    ShardTensors validation(long datasetId) {
        Generation generation = new Generation(datasetId, current(datasetId).orElseThrow(NotFoundException::new).generation());
        return heldOut.get(generation, g -> {
            try {
                return heldOut(load(g.datasetId(), g.generation()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Re-encrypts the dataset's split under fresh keys as a new generation, now, if it was made (no key of it was
     * handed out otherwise); the old generation's blobs are deleted. Call it outside a transaction.
     */
    void rotate(long datasetId) {
        if (jdbc.sql("UPDATE training_splits SET rotation_due = true WHERE dataset_id = ?").param(datasetId).update() == 1) {
            ensure(datasetId);
        }
    }

    /**
     * A result of this worker was rejected: every split whose current generation any worker of its provider
     * received a key of is rotated before its next lease. Runs in the caller's transaction.
     */
    void distrustProviderOf(long workerId) {
        jdbc.sql("""
                        UPDATE training_splits s SET rotation_due = true
                        WHERE NOT rotation_due AND EXISTS (
                            SELECT 1 FROM job_attempts a JOIN training_jobs j ON j.id = a.job_id
                                JOIN workers w ON w.id = a.worker_id JOIN gpu_offers o ON o.id = w.offer_id
                            WHERE j.dataset_id = s.dataset_id AND a.split_generation = s.generation
                              AND o.provider_id = (SELECT o2.provider_id FROM workers w2 JOIN gpu_offers o2 ON o2.id = w2.offer_id
                                                   WHERE w2.id = ?))""")
                .param(workerId).update();
    }

    /** The dataset's current split, made now if this is the first job on it, rotated first when due. */
    Split ensure(long datasetId) {
        Optional<Current> current = current(datasetId);
        if (current.isPresent() && !current.get().rotationDue()) {
            return load(datasetId, current.get().generation());
        }
        List<String> replaced = new ArrayList<>();
        Split split = transaction.execute(status -> {
            // Waiting here while another instance encrypts a large dataset is expected: not cut by the pool's cap.
            timeouts.lift();
            // Serialises makers and rotators of the same dataset (on any instance); released at commit.
            jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('training-split'), CAST(? AS int))")
                    .param((int) datasetId).query(Object.class).single();
            Optional<Current> locked = current(datasetId);
            if (locked.isEmpty()) {
                return make(datasetId);
            }
            Split now = load(datasetId, locked.get().generation());
            if (!locked.get().rotationDue()) {
                return now;
            }
            Split next = reencrypt(now);
            now.shards().forEach(s -> replaced.add(s.blobKey()));
            replaced.add(now.validationBlob());
            return next;
        });
        if (!replaced.isEmpty()) { // committed: no row names the old generation any more
            replaced.forEach(blobs::delete);
            loaded.invalidate(new Generation(datasetId, split.generation() - 1));
            heldOut.invalidate(new Generation(datasetId, split.generation() - 1)); // never read again: its memory back now
        }
        return split;
    }

    private Optional<Current> current(long datasetId) {
        return jdbc.sql("SELECT generation, rotation_due FROM training_splits WHERE dataset_id = ?").param(datasetId)
                .query((rs, n) -> new Current(rs.getInt("generation"), rs.getBoolean("rotation_due"))).optional();
    }

    private Split load(long datasetId, int generation) {
        return loaded.get(new Generation(datasetId, generation), g -> {
            List<StoredShard> shards = jdbc.sql("""
                            SELECT seq, blob_key, bytes, rows FROM training_split_shards
                            WHERE dataset_id = ? AND generation = ? ORDER BY seq""")
                    .params(datasetId, generation)
                    .query((rs, n) -> new StoredShard(rs.getInt("seq"), rs.getString("blob_key"), rs.getLong("bytes"), rs.getLong("rows")))
                    .list();
            return jdbc.sql("""
                            SELECT sealed_key, validation_sealed_key, validation_blob, wrapped_data_key FROM training_splits
                            WHERE dataset_id = ? AND generation = ?""")
                    .params(datasetId, generation)
                    .query((rs, n) -> {
                        byte[] validationKey = rs.getBytes("validation_sealed_key"), atRest = rs.getBytes("wrapped_data_key");
                        return new Split(datasetId, generation, unseal(rs.getBytes("sealed_key")), shards,
                                validationKey == null ? null : unseal(validationKey), rs.getString("validation_blob"),
                                atRest == null ? null : unwrap(atRest));
                    })
                    .optional().orElseThrow(NotFoundException::new); // rotated meanwhile
        });
    }

    /**
     * Splits each shard as it is read from its decrypting stream: the training rows are encrypted and stored as they
     * come, only the held-out rows (at most {@link #MAX_VALIDATION_ROWS}) stay in memory (review M12).
     */
    private Split make(long datasetId) {
        NewGeneration next = new NewGeneration(datasetId, 1);
        try {
            ShardTensors validation = null;
            long row = 0;
            int shardCount = datasets.shardCount(datasetId);
            for (int seq = 0; seq < shardCount; seq++) {
                long first = row;
                try (InputStream in = datasets.openShard(datasetId, seq)) {
                    ShardTensors.Splitter shard = ShardTensors.splitter(in, i -> isHeldOut(first + i));
                    if (shard.trainingRows() > 0) {
                        next.training(shard::writeTraining, shard.trainingRows());
                    } else {
                        shard.writeTraining(OutputStream.nullOutputStream()); // all its rows are held out
                    }
                    if (validation == null) {
                        validation = shard.heldOut();
                    } else if (shard.heldOut().rows() > 0) { // past the cap every shard holds none: no copy of them all
                        validation = validation.append(shard.heldOut());
                    }
                    row += shard.rows();
                }
            }
            if (validation == null) {
                throw new IllegalStateException("Dataset " + datasetId + " has no shards");
            }
            return next.store(validation);
        } catch (IOException | RuntimeException e) {
            throw next.discard(e);
        }
    }

    /** Row {@code row} of a dataset, counted over all its shards, is held out: every 10th, the first {@link #MAX_VALIDATION_ROWS}. */
    private static boolean isHeldOut(long row) {
        return row % 10 == 0 && row / 10 < MAX_VALIDATION_ROWS;
    }

    /** The same rows as a new generation: shards and held-out split decrypted and encrypted under fresh keys. */
    private Split reencrypt(Split now) {
        NewGeneration next = new NewGeneration(now.datasetId(), now.generation() + 1);
        try {
            for (StoredShard shard : now.shards()) {
                next.training(out -> {
                    try (InputStream in = openShard(now, shard)) {
                        in.transferTo(out);
                    }
                }, shard.rows());
            }
            return next.store(heldOut(now));
        } catch (IOException | RuntimeException e) {
            throw next.discard(e);
        }
    }

    /**
     * A stored training shard's plaintext, decrypted as it is read; one of a generation made before V83 is decrypted
     * whole first (AES-GCM with one nonce gives nothing out before its tag is checked).
     */
    private InputStream openShard(Split split, StoredShard shard) throws IOException {
        if (split.atRest() == null) {
            return new ByteArrayInputStream(decrypt(split.key(), read(shard.blobKey(), shard.bytes())));
        }
        return split.atRest().decryptFrom(blobs, shard.blobKey(), SHARD_CONTEXT);
    }

    /** A generation's held-out rows, decrypted (at most {@link #MAX_VALIDATION_ROWS}: read whole). */
    private ShardTensors heldOut(Split split) throws IOException {
        if (split.atRest() == null) {
            return ShardTensors.parse(decrypt(split.validationKey(), read(split.validationBlob())));
        }
        try (InputStream in = split.atRest().decryptFrom(blobs, split.validationBlob(), HELD_OUT_CONTEXT)) {
            return ShardTensors.parse(in.readAllBytes());
        }
    }

    /** A generation being written: its blobs, then its rows (which make it the current one). */
    private final class NewGeneration {

        private final long datasetId;
        private final int generation;
        private final byte[] key = newKey();
        private final DataKeys.DataKey atRest = dataKeys.generate();
        private final List<StoredShard> shards = new ArrayList<>();
        private final List<String> written = new ArrayList<>();

        NewGeneration(long datasetId, int generation) {
            this.datasetId = datasetId;
            this.generation = generation;
        }

        void training(BlobStore.BlobWriter plaintext, long rows) throws IOException {
            long[] plaintextBytes = {0};
            BlobStore.StoredBlob blob = put(SHARD_CONTEXT, out -> plaintext.writeTo(new FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    plaintextBytes[0] += len;
                }

                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    plaintextBytes[0]++;
                }
            }));
            shards.add(new StoredShard(shards.size(), blob.key(), NONCE_BYTES + plaintextBytes[0] + TAG_BYTES, rows));
        }

        Split store(ShardTensors validation) throws IOException {
            BlobStore.StoredBlob held = put(HELD_OUT_CONTEXT, out -> out.write(validation.toBytes()));
            long trainingRows = shards.stream().mapToLong(StoredShard::rows).sum();
            jdbc.sql("""
                            INSERT INTO training_splits (dataset_id, generation, sealed_key, wrapped_data_key, training_rows,
                                                         validation_rows, validation_blob)
                            VALUES (?, ?, ?, ?, ?, ?, ?)
                            ON CONFLICT (dataset_id) DO UPDATE SET generation = excluded.generation, sealed_key = excluded.sealed_key,
                                wrapped_data_key = excluded.wrapped_data_key, validation_sealed_key = NULL,
                                validation_blob = excluded.validation_blob, rotation_due = false""")
                    .params(datasetId, generation, dataKeys.seal(key, SEAL_CONTEXT), atRest.wrapped(),
                            trainingRows, validation.rows(), held.key()).update();
            jdbc.sql("DELETE FROM training_split_shards WHERE dataset_id = ? AND generation <> ?").params(datasetId, generation).update();
            for (StoredShard shard : shards) {
                jdbc.sql("INSERT INTO training_split_shards (dataset_id, generation, seq, blob_key, bytes, rows) VALUES (?, ?, ?, ?, ?, ?)")
                        .params(datasetId, generation, shard.seq(), shard.blobKey(), shard.bytes(), shard.rows()).update();
            }
            pendingBlobs.kept(written);
            return new Split(datasetId, generation, key, List.copyOf(shards), null, held.key(), atRest);
        }

        /** Deletes what was written and returns the failure to throw. */
        RuntimeException discard(Exception e) {
            // Blobs are content-addressed, but these hold a fresh nonce: no other row can share them.
            written.forEach(pendingBlobs::discard);
            return e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }

        /** Stores what {@code plaintext} writes, encrypted under the generation's data key as it is written. */
        private BlobStore.StoredBlob put(String context, BlobStore.BlobWriter plaintext) throws IOException {
            BlobStore.StoredBlob blob = pendingBlobs.encrypt(atRest, plaintext, context);
            written.add(blob.key());
            return blob;
        }
    }

    private byte[] newKey() {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return key;
    }

    private byte[] read(String blobKey) throws IOException {
        try (InputStream in = blobs.open(blobKey)) {
            return in.readAllBytes();
        }
    }

    /** A blob of known size, read into one array of that size (no growing buffers on the way). */
    private byte[] read(String blobKey, long size) throws IOException {
        byte[] bytes = new byte[Math.toIntExact(size)];
        try (InputStream in = blobs.open(blobKey)) {
            if (in.readNBytes(bytes, 0, bytes.length) != bytes.length || in.read() != -1) {
                throw new IntegrityException("Training shard " + blobKey + " is not " + size + " bytes long", null);
            }
        }
        return bytes;
    }

    private static byte[] hmac(byte[] key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Cipher encrypting(byte[] key, byte[] nonce) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
        cipher.updateAAD(ASSOCIATED_DATA);
        return cipher;
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

    private DataKeys.DataKey unwrap(byte[] wrapped) {
        try {
            return dataKeys.unwrap(wrapped);
        } catch (GeneralSecurityException e) {
            throw new IntegrityException("A training split's data key cannot be unwrapped", e);
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
