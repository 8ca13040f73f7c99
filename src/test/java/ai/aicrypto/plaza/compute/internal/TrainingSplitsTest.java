package ai.aicrypto.plaza.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * The held-out split of datasets of many shards (64 KB each here): every 10th row counted over all shards, the first
 * 20,000 of them, and the training shards the rows left in order, as the split read each shard whole wrote them.
 */
@TestPropertySource(properties = "plaza.dataset.max-shard-bytes=64KB")
class TrainingSplitsTest extends IntegrationTest {

    @Autowired
    TrainingSplits splits;
    @Autowired
    Datasets datasets;
    @Autowired
    BlobStore blobs;
    @Autowired
    TestUsers users;
    @Autowired
    MeterRegistry meters;
    @Autowired
    DataKeys dataKeys;
    private final SecureRandom random = new SecureRandom();

    @Test
    void everyTenthRowOverAllShardsIsHeldOutUpToTheCap() throws Exception {
        // Dozens of shards of a few thousand rows; rows from 200,000 on are all training rows.
        long dataset = csv(210_003, i -> (i % 1000) + "," + (i % 7) + ",c" + (i % 3));
        assertThat(datasets.shardCount(dataset)).isGreaterThan(20);

        ShardTensors heldOut = assertSplitAsDefined(dataset);
        assertThat(heldOut.rows()).isEqualTo(TrainingSplits.MAX_VALIDATION_ROWS);
        assertThat(splits.ensure(dataset).shards().stream().mapToLong(TrainingSplits.StoredShard::rows).sum())
                .isEqualTo(210_003 - 20_000);
    }

    @Test
    void aLastShardOfOneHeldOutRowStoresNoTrainingShard() throws Exception {
        IntFunction<String> row = i -> i + "," + (i % 5) + "," + (i * 0.5); // a numeric label of many values: regression
        long probe = csv(20_003, row);
        int perShard = shard(probe, 0).rows();
        // Ten full shards and one of one row, whose index is a multiple of 10 (the same number of digits: the same
        // header, so the same rows a shard).
        long dataset = csv(10 * perShard + 1, row);
        assertThat(datasets.shardCount(dataset)).isEqualTo(11);

        ShardTensors heldOut = assertSplitAsDefined(dataset);
        assertThat(heldOut.regression()).isTrue();
        assertThat(heldOut.rows()).isEqualTo(perShard + 1);
        assertThat(splits.ensure(dataset).shards()).hasSize(10);
        assertSplitAsDefined(probe);
    }

    /** Review M12: the held-out rows are decrypted once a generation, and kept by the bytes they take until rotated. */
    @Test
    void theHeldOutRowsAreDecryptedOnceAGenerationAndWeighedByTheirBytes() throws Exception {
        long dataset = csv(1_000, i -> (i % 100) + "," + (i % 7) + ",c" + (i % 3));
        splits.ensure(dataset);
        long before = heldOutBytes();
        ShardTensors first = splits.validation(dataset);
        assertThat(first.rows()).isEqualTo(100);
        assertThat(heldOutBytes()).as("weighed by its arrays' bytes").isEqualTo(before + first.bytes());
        assertThat(splits.validation(dataset)).as("the same rows, not decrypted again").isSameAs(first);

        splits.rotate(dataset);
        ShardTensors rotated = splits.validation(dataset);
        assertThat(rotated).as("the new generation's, decrypted once").isNotSameAs(first).isSameAs(splits.validation(dataset));
        assertThat(rotated.features()).isEqualTo(first.features());
        assertThat(heldOutBytes()).as("the old generation's rows are let go").isEqualTo(before + rotated.bytes());
    }

    /** The held-out rows' memory as operators see it. */
    private long heldOutBytes() {
        return (long) meters.get(TrainingSplits.HELD_OUT_BYTES_METER).gauge().value();
    }

    /**
     * Compares the stored split with the rows of the dataset's own shards, selected by their index over all shards, and
     * with the bytes the whole-shard split wrote for them; returns the held-out rows.
     */
    private ShardTensors assertSplitAsDefined(long dataset) throws IOException {
        TrainingSplits.Split split = splits.ensure(dataset);
        List<byte[]> training = new ArrayList<>();
        List<Long> trainingRows = new ArrayList<>();
        ShardTensors heldOut = null;
        long row = 0;
        for (int seq = 0; seq < datasets.shardCount(dataset); seq++) {
            ShardTensors shard = shard(dataset, seq);
            boolean[] held = new boolean[shard.rows()];
            boolean[] kept = new boolean[shard.rows()];
            for (int i = 0; i < shard.rows(); i++, row++) {
                held[i] = row % 10 == 0 && row < 10L * TrainingSplits.MAX_VALIDATION_ROWS;
                kept[i] = !held[i];
            }
            ShardTensors train = ShardRows.select(shard, kept);
            if (train.rows() > 0) {
                training.add(train.toBytes());
                trainingRows.add((long) train.rows());
            }
            heldOut = heldOut == null ? ShardRows.select(shard, held) : heldOut.append(ShardRows.select(shard, held));
        }

        assertThat(split.shards()).extracting(TrainingSplits.StoredShard::rows).containsExactlyElementsOf(trainingRows);
        for (int seq = 0; seq < training.size(); seq++) {
            TrainingSplits.StoredShard stored = split.shards().get(seq);
            assertThat(stored(split, stored.blobKey(), TrainingSplits.SHARD_CONTEXT)).as("training shard %d", seq)
                    .isEqualTo(training.get(seq));
            assertThat(stored.bytes()).as("its size as a worker receives it").isEqualTo(12 + training.get(seq).length + 16);
        }
        assertThat(stored(split, split.validationBlob(), TrainingSplits.HELD_OUT_CONTEXT)).isEqualTo(heldOut.toBytes());
        ShardTensors validation = splits.validation(dataset);
        assertThat(validation.features()).isEqualTo(heldOut.features());
        assertThat(validation.labels()).isEqualTo(heldOut.labels());
        assertThat(validation.targets()).isEqualTo(heldOut.targets());
        return validation;
    }

    /**
     * A generation stored before V83, its blobs one-nonce AES-GCM under the split's keys and read whole, is still served
     * to workers and verified on; a rotation stores the same rows in segments under a data key.
     */
    @Test
    void aGenerationStoredBeforeSegmentsIsStillServedAndARotationStoresItInSegments() throws Exception {
        long dataset = csv(30_000, i -> (i % 100) + "," + (i % 7) + ",c" + (i % 3));
        TrainingSplits.Split made = splits.ensure(dataset);
        assertThat(made.shards()).hasSizeGreaterThan(1);
        ShardTensors heldOut = splits.validation(dataset);

        // The same rows as the plaza stored them before, as a generation of their own (the caches know none of it)
        byte[] key = new byte[32], validationKey = new byte[32];
        random.nextBytes(key);
        random.nextBytes(validationKey);
        int legacy = made.generation() + 1;
        List<byte[]> plaintexts = new ArrayList<>();
        List<String> legacyBlobs = new ArrayList<>();
        for (TrainingSplits.StoredShard shard : made.shards()) {
            byte[] plaintext = stored(made, shard.blobKey(), TrainingSplits.SHARD_CONTEXT);
            plaintexts.add(plaintext);
            byte[] sealed = oneNonceBlob(key, plaintext);
            BlobStore.StoredBlob blob = blobs.write(out -> out.write(sealed));
            legacyBlobs.add(blob.key());
            jdbc.sql("INSERT INTO training_split_shards (dataset_id, generation, seq, blob_key, bytes, rows) VALUES (?, ?, ?, ?, ?, ?)")
                    .params(dataset, legacy, shard.seq(), blob.key(), blob.bytes(), shard.rows()).update();
        }
        byte[] sealedHeldOut = oneNonceBlob(validationKey, heldOut.toBytes());
        BlobStore.StoredBlob held = blobs.write(out -> out.write(sealedHeldOut));
        legacyBlobs.add(held.key());
        jdbc.sql("""
                        UPDATE training_splits SET generation = ?, sealed_key = ?, validation_sealed_key = ?, wrapped_data_key = NULL,
                            validation_blob = ? WHERE dataset_id = ?""")
                .params(legacy, dataKeys.seal(key, TrainingSplits.SEAL_CONTEXT), dataKeys.seal(validationKey, TrainingSplits.SEAL_CONTEXT),
                        held.key(), dataset).update();

        assertThat(splits.validation(dataset).features()).isEqualTo(heldOut.features());
        for (int seq = 0; seq < plaintexts.size(); seq++) {
            assertThat(downloaded(dataset, legacy, key, seq)).as("shard %d as worker 7 receives it", seq).isEqualTo(plaintexts.get(seq));
        }

        splits.rotate(dataset);
        TrainingSplits.Split rotated = splits.ensure(dataset);
        assertThat(rotated.generation()).isEqualTo(legacy + 1);
        assertThat(rotated.atRest()).as("stored in segments").isNotNull();
        assertThat(jdbc.sql("SELECT validation_sealed_key IS NULL FROM training_splits WHERE dataset_id = ?").param(dataset)
                .query(Boolean.class).single()).isTrue();
        for (int seq = 0; seq < plaintexts.size(); seq++) {
            assertThat(stored(rotated, rotated.shards().get(seq).blobKey(), TrainingSplits.SHARD_CONTEXT)).isEqualTo(plaintexts.get(seq));
            assertThat(downloaded(dataset, rotated.generation(), rotated.key(), seq)).isEqualTo(plaintexts.get(seq));
        }
        assertThat(splits.validation(dataset).features()).isEqualTo(heldOut.features());
        assertThat(legacyBlobs).as("the old generation's blobs are deleted").noneMatch(blobs::exists);
    }

    /** How the plaza stored a split's blobs before V83: a random nonce, then AES-GCM ciphertext and tag. */
    private byte[] oneNonceBlob(byte[] key, byte[] plaintext) throws Exception {
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(TrainingSplits.ASSOCIATED_DATA);
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        blob.write(nonce);
        blob.write(cipher.doFinal(plaintext));
        return blob.toByteArray();
    }

    /** Shard {@code seq} as worker 7 downloads it, decrypted with its key, checking the size the route announces. */
    private byte[] downloaded(long dataset, int generation, byte[] generationKey, int seq) throws IOException {
        TrainingSplits.WorkerShard shard = splits.trainingShard(dataset, generation, 7, seq).orElseThrow();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        shard.writeTo(out);
        assertThat(out.size()).isEqualTo(shard.bytes());
        return TrainingSplits.decrypt(TrainingSplits.workerKey(generationKey, 7), out.toByteArray());
    }

    private byte[] stored(TrainingSplits.Split split, String blobKey, String context) throws IOException {
        try (InputStream in = split.atRest().decryptFrom(blobs, blobKey, context)) {
            return in.readAllBytes();
        }
    }

    private long csv(int rows, IntFunction<String> row) throws IOException {
        Path csv = Files.createTempFile("split", ".csv");
        try (var out = Files.newBufferedWriter(csv)) {
            out.write("a,b,y\n");
            for (int i = 0; i < rows; i++) {
                out.write(row.apply(i));
                out.write('\n');
            }
        }
        try {
            return datasets.importDataset(users.member().id(), new DatasetUpload(
                    new ListingDraft("Split " + rows, "", List.of(), "MIT", BigDecimal.ZERO), csv, "split.csv", null, null, "y"));
        } finally {
            Files.delete(csv);
        }
    }

    private ShardTensors shard(long dataset, int seq) throws IOException {
        try (InputStream in = datasets.openShard(dataset, seq)) {
            return ShardTensors.parse(in.readAllBytes());
        }
    }
}
