package ai.aicrypto.plaza.dataset.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvPreprocessTest {

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
                "dtype", "F32", "shape", List.of(4, 4), "data_offsets", List.of(0, 64)));
        assertThat(st.tensor("labels")).isEqualTo(Map.of(
                "dtype", "I64", "shape", List.of(4), "data_offsets", List.of(64, 96)));
        assertThat(st.data().capacity()).isEqualTo(96);
        assertThat(st.metadata()).containsEntry("task", "classification")
                .containsEntry("source_format", "CSV").containsEntry("label_column", "label");
        assertThat(st.jsonList("feature_names")).containsExactly("id", "age", "height", "color");
        assertThat(st.jsonList("classes")).containsExactly("no", "yes");

        // id, age (missing -> mean 40), height (missing -> mean 2.5), color (red=0, blue=1, missing=-1)
        assertThat(st.floats("features")).containsExactly(
                1, 30, 1.5f, 0,
                2, 40, 2.5f, 1,
                3, 40, 2.5f, 0,
                4, 50, 3.5f, -1);
        assertThat(st.longs("labels")).containsExactly(1, 0, 1, 0);
    }

    @Test
    void regressionWritesTargetsAndSkipsRowsWithoutLabel() throws IOException {
        StringBuilder csv = new StringBuilder("x,y\n");
        for (int i = 0; i < 200; i++) {
            csv.append(i).append(',').append(i == 7 ? "" : Double.toString(i / 4.0)).append('\n');
        }
        List<Shard> shards = preprocess(csv.toString(), "y", 1 << 20);

        SafetensorsReader st = SafetensorsReader.read(shards.get(0).file());
        assertThat(shards.get(0).rows()).isEqualTo(199);
        assertThat(st.metadata()).containsEntry("task", "regression").containsEntry("classes", "[]");
        assertThat(st.tensor("targets")).containsEntry("dtype", "F32").containsEntry("shape", List.of(199));
        assertThat(st.header()).doesNotContainKey("labels");
        float[] x = st.floats("features");
        float[] y = st.floats("targets");
        assertThat(x[6]).isEqualTo(6f);
        assertThat(x[7]).isEqualTo(8f);
        assertThat(y[7]).isEqualTo(2f);
        assertThat(y[198]).isEqualTo(199 / 4f);
    }

    @Test
    void splitsIntoShardsWithinTheByteLimit() throws IOException {
        StringBuilder csv = new StringBuilder("a,b,c\n");
        for (int i = 0; i < 1000; i++) {
            csv.append(i).append(',').append(-i).append(',').append(i % 2 == 0 ? "even" : "odd").append('\n');
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
                assertThat(features[2 * i]).isEqualTo((float) row);
                assertThat(features[2 * i + 1]).isEqualTo((float) -row);
                assertThat(labels[i]).isEqualTo(row % 2);
            }
        }
        assertThat(row).isEqualTo(1000);
    }

    @Test
    void categoriesOutsideTheHistogramShareOneCode() throws IOException {
        StringBuilder csv = new StringBuilder("c,y\n");
        for (int v = 0; v < 60; v++) {
            for (int k = 0; k <= v; k++) {
                csv.append("v").append(v).append(",1\n");
            }
        }
        SafetensorsReader st = SafetensorsReader.read(preprocess(csv.toString(), "y", 1 << 20).get(0).file());
        float[] codes = st.floats("features");

        assertThat(codes[0]).isEqualTo(50f); // v0 occurs once: outside the 50 most frequent
        assertThat(codes[codes.length - 1]).isEqualTo(0f); // v59 is the most frequent
    }
}
