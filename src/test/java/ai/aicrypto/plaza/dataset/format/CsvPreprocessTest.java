package ai.aicrypto.plaza.dataset.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvPreprocessTest {

    /** Population std of 0, 2, ..., 1998. */
    private static final float A_STD = (float) Math.sqrt((1000.0 * 1000 - 1) / 3);

    @TempDir
    Path dir;

    private List<Shard> preprocess(String csv, String label, long maxShardBytes) throws IOException {
        DatasetProcessor processor = new DatasetProcessor(5, maxShardBytes);
        DatasetSource source = new DatasetSource(DatasetFormat.CSV, Files.writeString(dir.resolve("d.csv"), csv),
                null, label);
        return processor.preprocess(source, processor.profile(source, 0), dir.resolve("out"));
    }

    @Test
    void writesSafetensorsWithEncodedFeaturesAndClassIndices() throws IOException {
        List<Shard> shards = preprocess(CsvProfileTest.SAMPLE, "label", 1 << 20);

        assertThat(shards).hasSize(1);
        Shard shard = shards.get(0);
        assertThat(shard.file()).isEqualTo(dir.resolve("out/shard-00000.safetensors"));
        assertThat(shard.rows()).isEqualTo(4);
        assertThat(shard.bytes()).isEqualTo(Files.size(shard.file()));

        SafetensorsReader st = SafetensorsReader.read(shard.file());
        assertThat(st.headerLength() % 8).isZero();
        assertThat(st.tensor("features")).isEqualTo(Map.of(
                "dtype", "F32", "shape", List.of(4, 7), "data_offsets", List.of(0, 112)));
        assertThat(st.tensor("labels")).isEqualTo(Map.of(
                "dtype", "I64", "shape", List.of(4), "data_offsets", List.of(112, 144)));
        assertThat(st.data().capacity()).isEqualTo(144);
        assertThat(st.metadata()).containsEntry("task", "classification")
                .containsEntry("source_format", "CSV").containsEntry("label_column", "label");
        assertThat(st.jsonList("feature_names")).containsExactly("age", "age (missing)", "height",
                "height (missing)", "color=blue", "color=red", "color (missing)");
        assertThat(st.jsonList("classes")).containsExactly("no", "yes");

        // age 30/40/50 and height 1.5/2.5/3.5 standardise to -z, 0, +z (z = sqrt(3/2)); missing -> 0 and its
        // indicator 1; color one-hot over (blue, red), missing -> zeros and its indicator 1
        float z = (float) Math.sqrt(1.5);
        assertThat(st.floats("features")).usingComparatorWithPrecision(1e-6f).containsExactly(
                -z, 0, -z, 0, 0, 1, 0,
                0, 1, 0, 0, 1, 0, 0,
                0, 0, 0, 1, 0, 1, 0,
                z, 0, z, 0, 0, 0, 1);
        assertThat(st.longs("labels")).containsExactly(1, 0, 1, 0);
    }

    @Test
    void regressionWritesTargetsAndSkipsRowsWithoutLabel() throws IOException {
        StringBuilder csv = new StringBuilder("x,y\n");
        for (int i = 0; i < 200; i++) {
            csv.append(i % 10).append(',').append(i == 7 ? "" : Double.toString(i / 4.0)).append('\n');
        }
        List<Shard> shards = preprocess(csv.toString(), "y", 1 << 20);
        // x = 0..9 repeated: mean 4.5, population std sqrt(8.25)
        float std = (float) Math.sqrt(8.25);

        SafetensorsReader st = SafetensorsReader.read(shards.get(0).file());
        assertThat(shards.get(0).rows()).isEqualTo(199);
        assertThat(st.metadata()).containsEntry("task", "regression").containsEntry("classes", "[]");
        assertThat(st.tensor("targets")).containsEntry("dtype", "F32").containsEntry("shape", List.of(199));
        assertThat(st.header()).doesNotContainKey("labels");
        float[] x = st.floats("features");
        float[] y = st.floats("targets");
        assertThat(x[6]).isCloseTo((6 - 4.5f) / std, within(1e-6f));
        assertThat(x[7]).isCloseTo((8 - 4.5f) / std, within(1e-6f)); // the row without label is left out
        assertThat(y[7]).isEqualTo(2f);
        assertThat(y[198]).isEqualTo(199 / 4f);
    }

    @Test
    void splitsIntoShardsWithinTheByteLimit() throws IOException {
        StringBuilder csv = new StringBuilder("a,b,c\n");
        for (int i = 0; i < 1000; i++) {
            csv.append(2 * i).append(',').append(-i).append(',').append(i % 2 == 0 ? "even" : "odd").append('\n');
        }
        long limit = 4096;
        List<Shard> shards = preprocess(csv.toString(), "c", limit);

        assertThat(shards).hasSizeGreaterThan(1);
        assertThat(shards).allSatisfy(s -> {
            assertThat(s.bytes()).isLessThanOrEqualTo(limit).isEqualTo(Files.size(s.file()));
        });
        assertThat(shards.stream().mapToLong(Shard::rows).sum()).isEqualTo(1000);
        assertThat(shards).extracting(s -> s.file().getFileName().toString())
                .startsWith("shard-00000.safetensors", "shard-00001.safetensors");

        long row = 0;
        for (Shard shard : shards) {
            SafetensorsReader st = SafetensorsReader.read(shard.file());
            float[] features = st.floats("features");
            long[] labels = st.longs("labels");
            assertThat(labels).hasSize((int) shard.rows());
            for (int i = 0; i < labels.length; i++, row++) {
                // a = 0, 2, ..., 1998 and b = 0, -1, ..., -999 standardised: mean 999 / -499.5
                assertThat(features[2 * i] * A_STD + 999).isCloseTo(2f * row, within(1e-2f));
                assertThat(features[2 * i + 1] * A_STD / 2 - 499.5f).isCloseTo(-row, within(1e-2f));
                assertThat(labels[i]).isEqualTo(row % 2);
            }
        }
        assertThat(row).isEqualTo(1000);
    }

    @Test
    void manyValuedCategoriesAreHashedIntoBuckets() throws IOException {
        StringBuilder csv = new StringBuilder("c,y\n");
        for (int v = 0; v < 60; v++) {
            for (int k = 0; k <= v; k++) {
                csv.append("v").append(v).append(",1\n");
            }
        }
        SafetensorsReader st = SafetensorsReader.read(preprocess(csv.toString(), "y", 1 << 20).get(0).file());
        float[] features = st.floats("features");

        assertThat(features).hasSize(1830 * Preprocessing.HASH_BUCKETS);
        int bucket = Integer.remainderUnsigned(Preprocessing.fnv1a("v0"), Preprocessing.HASH_BUCKETS);
        for (int b = 0; b < Preprocessing.HASH_BUCKETS; b++) {
            assertThat(features[b]).isEqualTo(b == bucket ? 1f : 0f);
        }
    }
}
