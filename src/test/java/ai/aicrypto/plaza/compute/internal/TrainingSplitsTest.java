package ai.aicrypto.plaza.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.storage.BlobStore;
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
            assertThat(TrainingSplits.decrypt(split.key(), blob(split.shards().get(seq).blobKey())))
                    .as("training shard %d", seq).isEqualTo(training.get(seq));
        }
        assertThat(TrainingSplits.decrypt(split.validationKey(), blob(split.validationBlob()))).isEqualTo(heldOut.toBytes());
        ShardTensors validation = splits.validation(dataset);
        assertThat(validation.features()).isEqualTo(heldOut.features());
        assertThat(validation.labels()).isEqualTo(heldOut.labels());
        assertThat(validation.targets()).isEqualTo(heldOut.targets());
        return validation;
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

    private byte[] blob(String key) throws IOException {
        try (InputStream in = blobs.open(key)) {
            return in.readAllBytes();
        }
    }
}
