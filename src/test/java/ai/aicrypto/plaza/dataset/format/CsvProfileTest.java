package ai.aicrypto.plaza.dataset.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvProfileTest {

    static final String SAMPLE = """
            id,age,height,color,label
            1,30,1.5,red,yes
            2,NA,2.5,blue,no
            3,40,,red,yes
            4,50,3.5,NULL,no
            """;

    @TempDir
    Path dir;

    private final DatasetProcessor processor = new DatasetProcessor(20, 1 << 20);

    private Path write(String name, String content) throws IOException {
        return write(name, content.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private DatasetProfile profileCsv(String content, String label) throws IOException {
        return processor.profile(new DatasetSource(DatasetFormat.CSV, write("data.csv", content), null, label), 1);
    }

    private static void assertError(ThrowingCallable call, String key, Object... args) {
        assertThatThrownBy(call).isInstanceOfSatisfying(DatasetFormatException.class, e -> {
            assertThat(e.messageKey()).isEqualTo(key);
            assertThat(e.args()).containsExactly(args);
        });
    }

    @Test
    void infersTypesAndExactStatistics() throws IOException {
        DatasetProfile profile = profileCsv(SAMPLE, "label");

        assertThat(profile.format()).isEqualTo(DatasetFormat.CSV);
        assertThat(profile.rowCount()).isEqualTo(4);
        assertThat(profile.columns()).containsExactly(
                new ColumnProfile("id", ColumnType.INTEGER, 0, 1.0, 4.0, 2.5, null),
                new ColumnProfile("age", ColumnType.INTEGER, 1, 30.0, 50.0, 40.0, null),
                new ColumnProfile("height", ColumnType.DECIMAL, 1, 1.5, 3.5, 2.5, null),
                new ColumnProfile("color", ColumnType.CATEGORICAL, 1, null, null, null, Map.of("red", 2L, "blue", 1L)),
                new ColumnProfile("label", ColumnType.CATEGORICAL, 0, null, null, null, Map.of("no", 2L, "yes", 2L)));
        assertThat(profile.column("color").histogram().keySet()).containsExactly("red", "blue");
        assertThat(profile.labelColumn()).isEqualTo("label");
        assertThat(profile.classes()).containsExactly("no", "yes");
        assertThat(profile.regression()).isFalse();
        // id counts rows (left out); age and height standardised with a missing indicator; color one-hot + indicator
        assertThat(profile.featureCount()).isEqualTo(7);
        assertThat(profile.preprocessing().featureNames()).containsExactly("age", "age (missing)", "height",
                "height (missing)", "color=blue", "color=red", "color (missing)");
        assertThat(profile.preprocessing().columns().get(0).std()).isCloseTo(Math.sqrt(200 / 3.0), within(1e-12));
        assertThat(profile.imageShape()).isNull();
        assertThat(profile.preview()).extracting(PreviewRecord::rowIndex).containsExactly(0L, 1L, 2L, 3L);
        assertThat(profile.preview().get(1)).isEqualTo(
                new PreviewRecord(1, List.of("2", "NA", "2.5", "blue", "no"), "no", null));
    }

    @Test
    void missingMarkersAreCaseInsensitiveAndHexOrInfinityAreNotNumbers() throws IOException {
        DatasetProfile profile = profileCsv("""
                a,b,c,y
                nan,0x1p3,1e3,1
                Na,2,-.5,2
                NULL,Infinity,+2,1
                """, "y");

        assertThat(profile.column("a").missing()).isEqualTo(3);
        assertThat(profile.column("a").type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(profile.column("b").type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(profile.column("c")).isEqualTo(
                new ColumnProfile("c", ColumnType.DECIMAL, 0, -0.5, 1000.0, 1001.5 / 3, null));
    }

    @Test
    void readsTsvWithBomAndGzip() throws IOException {
        byte[] tsv = "\uFEFFx\tname\tlabel\n1\t\"a, b\"\tcat\n2\tc\tdog\n".getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("data.tsv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(tsv);
        }

        assertThat(DatasetFormat.detect(file, "data.tsv.gz")).isEqualTo(DatasetFormat.TSV);
        DatasetProfile profile = processor.profile(new DatasetSource(DatasetFormat.TSV, file, null, "label"), 1);

        assertThat(profile.columns()).extracting(ColumnProfile::name).containsExactly("x", "name", "label");
        assertThat(profile.preview().get(0).values()).containsExactly("1", "a, b", "cat");
        assertThat(profile.classes()).containsExactly("cat", "dog");
    }

    @Test
    void numericLabelWithFewValuesIsClassificationSortedNumerically() throws IOException {
        DatasetProfile profile = profileCsv("f,y\n1,10\n2,2\n3,10\n4,NA\n", "y");

        assertThat(profile.classes()).containsExactly("2", "10");
        assertThat(profile.column("y")).isEqualTo(
                new ColumnProfile("y", ColumnType.INTEGER, 1, 2.0, 10.0, 22.0 / 3, Map.of("10", 2L, "2", 1L)));
        assertThat(profile.preview().get(3).label()).isNull();
    }

    @Test
    void numericLabelWithManyValuesIsRegression() throws IOException {
        StringBuilder csv = new StringBuilder("f,price\n");
        for (int i = 0; i < 150; i++) {
            csv.append(i).append(',').append(i * 0.5).append('\n');
        }
        DatasetProfile profile = profileCsv(csv.toString(), "price");

        assertThat(profile.regression()).isTrue();
        assertThat(profile.classes()).isEmpty();
        assertThat(profile.column("price").histogram()).isNull();
        assertThat(profile.column("price").max()).isEqualTo(74.5);
    }

    @Test
    void highCardinalityColumnIsProfiledWithoutHistogramAndNotAFeature() throws IOException {
        StringBuilder csv = new StringBuilder("user,n,y\n");
        for (int i = 0; i <= ColumnAccumulator.CATEGORICAL_DISTINCT_CAP; i++) {
            csv.append("u").append(i).append(',').append(i % 7).append(',').append(i % 2).append('\n');
        }
        DatasetProfile profile = profileCsv(csv.toString(), "y");

        ColumnProfile user = profile.column("user");
        assertThat(user.type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(user.highCardinality()).isTrue();
        assertThat(profile.featureCount()).isEqualTo(1);
        assertThat(profile.rowCount()).isEqualTo(ColumnAccumulator.CATEGORICAL_DISTINCT_CAP + 1);
    }

    @Test
    void histogramKeepsFiftyMostFrequent() throws IOException {
        StringBuilder csv = new StringBuilder("c,y\n");
        for (int v = 0; v < 60; v++) {
            for (int k = 0; k <= v; k++) {
                csv.append("v").append(v).append(",1\n");
            }
        }
        Map<String, Long> histogram = profileCsv(csv.toString(), "y").column("c").histogram();

        assertThat(histogram).hasSize(ColumnProfile.HISTOGRAM_LIMIT);
        assertThat(histogram.entrySet().iterator().next()).isEqualTo(Map.entry("v59", 60L));
        assertThat(histogram).doesNotContainKey("v9").containsEntry("v10", 11L);
    }

    @Test
    void previewIsStableBoundedAndWithinRows() throws IOException {
        StringBuilder csv = new StringBuilder("id,y\n");
        for (int i = 0; i < 1000; i++) {
            csv.append(i).append(',').append(i % 3).append('\n');
        }
        DatasetSource source = new DatasetSource(DatasetFormat.CSV, write("big.csv", csv.toString()), null, "y");

        List<PreviewRecord> first = processor.profile(source, 42).preview();
        List<PreviewRecord> again = processor.profile(source, 42).preview();
        List<PreviewRecord> other = processor.profile(source, 43).preview();

        assertThat(first).hasSize(20).isEqualTo(again).isNotEqualTo(other);
        assertThat(first).extracting(PreviewRecord::rowIndex).isSorted().doesNotHaveDuplicates()
                .allSatisfy(index -> assertThat(index).isBetween(0L, 999L));
        assertThat(first).allSatisfy(r -> {
            assertThat(r.values()).containsExactly(Long.toString(r.rowIndex()), Long.toString(r.rowIndex() % 3));
            assertThat(r.label()).isEqualTo(Long.toString(r.rowIndex() % 3));
            assertThat(r.imageDataUri()).isNull();
        });
    }

    @Test
    void previewSamplesUniformlyNotJustTheHead() throws IOException {
        StringBuilder csv = new StringBuilder("id,y\n");
        for (int i = 0; i < 1000; i++) {
            csv.append(i).append(",1\n");
        }
        DatasetSource source = new DatasetSource(DatasetFormat.CSV, write("u.csv", csv.toString()), null, "y");
        List<Long> indices = new ArrayList<>();
        for (long seed = 0; seed < 100; seed++) {
            processor.profile(source, seed).preview().forEach(r -> indices.add(r.rowIndex()));
        }
        double mean = indices.stream().mapToLong(Long::longValue).average().orElseThrow();
        long inLastHalf = indices.stream().filter(i -> i >= 500).count();

        assertThat(indices).hasSize(2000);
        assertThat(mean).isBetween(470.0, 530.0); // expected 499.5, standard error about 6.5
        assertThat(inLastHalf).isBetween(900L, 1100L);
    }

    @Test
    void previewOfSmallFileHasAllRows() throws IOException {
        DatasetProfile profile = new DatasetProcessor(20, 1 << 20).profile(
                new DatasetSource(DatasetFormat.CSV, write("s.csv", SAMPLE), null, "label"), 7);
        assertThat(profile.preview()).hasSize(4);
        assertThat(new DatasetProcessor(2, 1 << 20).profile(
                new DatasetSource(DatasetFormat.CSV, write("s2.csv", SAMPLE), null, "label"), 7).preview())
                .hasSize(2);
    }

    @Test
    void rejectsUnknownLabelColumnListingTheColumns() {
        assertError(() -> profileCsv(SAMPLE, "target"), ErrorKeys.LABEL_MISSING, "target",
                "id, age, height, color, label");
        assertError(() -> profileCsv(SAMPLE, null), ErrorKeys.LABEL_REQUIRED);
        assertError(() -> profileCsv(SAMPLE, " "), ErrorKeys.LABEL_REQUIRED);
    }

    @Test
    void rejectsRaggedRowWithItsLineNumber() {
        assertError(() -> profileCsv("a,b\n1,2\n\n3\n4,5\n", "b"), ErrorKeys.RAGGED, 4L, 2, 1);
        assertError(() -> profileCsv("a,b\n1,2\n\"x\ny\",2\n5,6,7\n", "b"), ErrorKeys.RAGGED, 5L, 2, 3);
    }

    @Test
    void rejectsInvalidUtf8WithExactLine() throws IOException {
        byte[] bad = {'a', ',', 'b', '\n', '1', ',', '2', '\n', '3', ',', (byte) 0xff, '\n'};
        assertError(() -> processor.profile(
                new DatasetSource(DatasetFormat.CSV, write("bad.csv", bad), null, "b"), 1), ErrorKeys.ENCODING, 3L);

        // far beyond the first read buffer, and a truncated multi-byte sequence
        StringBuilder csv = new StringBuilder("a,b\n");
        for (int i = 0; i < 5000; i++) {
            csv.append("\uD55C\uAE00,").append(i).append('\n');
        }
        byte[] head = csv.toString().getBytes(StandardCharsets.UTF_8);
        byte[] file = java.util.Arrays.copyOf(head, head.length + 3);
        file[head.length] = 'x';
        file[head.length + 1] = ',';
        file[head.length + 2] = (byte) 0xED;
        assertError(() -> processor.profile(
                new DatasetSource(DatasetFormat.CSV, write("bad2.csv", file), null, "b"), 1),
                ErrorKeys.ENCODING, 5002L);
    }

    @Test
    void rejectsEmptyFileAndHeaderOnly() {
        assertError(() -> profileCsv("", "a"), ErrorKeys.EMPTY);
        assertError(() -> profileCsv("a,b\n\n", "a"), ErrorKeys.EMPTY);
    }

    @Test
    void rejectsBlankAndDuplicateHeaderNames() {
        assertError(() -> profileCsv("a,,c\n1,2,3\n", "a"), ErrorKeys.HEADER_BLANK, 2);
        assertError(() -> profileCsv("a,b,a\n1,2,3\n", "b"), ErrorKeys.HEADER_DUPLICATE, "a");
    }

    @Test
    void rejectsBrokenQuoting() {
        assertError(() -> profileCsv("a,b\n1,2\n3,\"open\n4,5\n", "a"), ErrorKeys.MALFORMED, 3L);
    }

    @Test
    void stopsARunawayQuotedRecordBeforeItFillsMemory() {
        // the limit is approximate by one read-ahead buffer (a few KiB)
        String csv = "a,b\n1,2\n3,\"" + "x".repeat((int) CsvRows.MAX_RECORD_CHARS + 100_000);
        assertError(() -> profileCsv(csv, "a"), ErrorKeys.RECORD_TOO_LARGE, 3L, CsvRows.MAX_RECORD_CHARS);
    }

    @Test
    void rejectsLabelWithoutValuesOrTooManyClassesAndDataWithoutFeatures() {
        assertError(() -> profileCsv("a,b\n1,\n2,NA\n", "b"), ErrorKeys.NO_LABELS, "b");
        assertError(() -> profileCsv("b\nx\ny\n", "b"), ErrorKeys.NO_FEATURES);
        StringBuilder csv = new StringBuilder("a,b\n");
        for (int i = 0; i <= CsvProfiler.MAX_CLASSES; i++) {
            csv.append(i).append(",c").append(i).append('\n');
        }
        assertError(() -> profileCsv(csv.toString(), "b"), ErrorKeys.TOO_MANY_CLASSES, "b", CsvProfiler.MAX_CLASSES);
    }
}
