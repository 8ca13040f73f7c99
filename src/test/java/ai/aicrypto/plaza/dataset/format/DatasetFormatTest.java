package ai.aicrypto.plaza.dataset.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatasetFormatTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"data.csv,CSV", "DATA.CSV,CSV", "data.tsv,TSV", "data.tab,TSV", "data.csv.gz,CSV"})
    void detectsTextFormatsByExtension(String name, DatasetFormat expected) throws IOException {
        Path file = Files.writeString(dir.resolve("upload"), "a,b\n1,2\n");
        assertThat(DatasetFormat.detect(file, name)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"false,images.bin", "true,whatever"})
    void detectsIdxByMagicRegardlessOfName(boolean gzip, String name) throws IOException {
        Path file = IdxFiles.write(dir.resolve("upload"), IdxFiles.idx(0x08, new int[] {1}, new byte[] {4}), gzip);
        assertThat(DatasetFormat.detect(file, name)).isEqualTo(DatasetFormat.IDX);
    }

    @Test
    void rejectsUnknownAndBinaryFiles() throws IOException {
        Path text = Files.writeString(dir.resolve("t"), "hello");
        Path binary = Files.write(dir.resolve("b"), new byte[] {'P', 'K', 3, 4, 0, 0, 1});
        assertUnsupported(text, "notes.txt");
        assertUnsupported(text, null);
        assertUnsupported(binary, "data.csv");
        assertUnsupported(Files.write(dir.resolve("gz"), new byte[] {0x1f, (byte) 0x8b, 1}), "data.csv.gz");
    }

    @Test
    void idxNameWithoutIdxMagicIsBadMagic() throws IOException {
        Path file = Files.writeString(dir.resolve("x"), "not idx");
        assertThatThrownBy(() -> DatasetFormat.detect(file, "train-images-idx3-ubyte"))
                .isInstanceOfSatisfying(DatasetFormatException.class,
                        e -> assertThat(e.messageKey()).isEqualTo(ErrorKeys.IDX_BAD_MAGIC));
    }

    @Test
    void gzipCsvExpandingPastTheCapIsRefusedWhileReading() throws IOException {
        // 4 MB of "0,1" rows in a gzip of a few KB; the gzip trailer's size field is not what is checked
        byte[] rows = "0,1\n".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("bomb.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("x,y\n".getBytes(StandardCharsets.UTF_8));
            out.write(rows);
        }
        assertThat(Files.size(file)).isLessThan(64 * 1024);
        DatasetSource source = new DatasetSource(DatasetFormat.CSV, file, null, "y");
        assertThat(DatasetFormat.detect(file, "bomb.csv.gz")).isEqualTo(DatasetFormat.CSV); // sniffing reads 8 KiB only
        assertLimit(() -> processor(limits(1 << 20, 10, Long.MAX_VALUE, Long.MAX_VALUE)).profile(source, 0),
                ErrorKeys.DECOMPRESSED_TOO_LARGE, "1.0 MB");
        assertThat(processor(limits(8 << 20, 10, Long.MAX_VALUE, Long.MAX_VALUE)).profile(source, 0).rowCount())
                .isEqualTo(1 << 20);
    }

    @Test
    void csvWithMoreColumnsThanTheCapIsRefusedFromItsHeader() throws IOException {
        String header = IntStream.rangeClosed(1, 10_001).mapToObj(i -> "c" + i).collect(Collectors.joining(","));
        Path wide = Files.writeString(dir.resolve("wide.csv"), header + "\n" + "1,".repeat(10_000) + "1\n");
        assertLimit(() -> new DatasetProcessor(20, 1 << 20).profile(new DatasetSource(DatasetFormat.CSV, wide, null, "c1"), 0),
                ErrorKeys.TOO_MANY_COLUMNS, 10_001, 10_000);
        Path narrower = Files.writeString(dir.resolve("narrower.csv"), "a,b,c\n1,2,3\n");
        assertLimit(() -> processor(limits(Long.MAX_VALUE, 2, Long.MAX_VALUE, Long.MAX_VALUE))
                .profile(new DatasetSource(DatasetFormat.CSV, narrower, null, "a"), 0), ErrorKeys.TOO_MANY_COLUMNS, 3, 2);
    }

    @Test
    void wideCsvTracksFewerDistinctValuesPerColumn() {
        assertThat(CsvProfiler.featureDistinctCap(5)).isEqualTo(ColumnAccumulator.CATEGORICAL_DISTINCT_CAP);
        assertThat(CsvProfiler.featureDistinctCap(1_000)).isEqualTo(1_000);
        assertThat(CsvProfiler.featureDistinctCap(10_000)).isEqualTo(ColumnAccumulator.NUMERIC_DISTINCT_CAP);
        assertThat((long) CsvProfiler.featureDistinctCap(10_000) * 10_000).isLessThanOrEqualTo(CsvProfiler.DISTINCT_BUDGET);
    }

    @Test
    void csvRowsAndPreprocessedBytesAreCapped() throws IOException {
        // 10 rows, 2 float features and an int64 class label: 10 x (2 x 4 + 8) = 160 bytes of shards
        StringBuilder csv = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 10; i++) {
            csv.append(i + 5).append(',').append(i * 2).append(',').append(i % 2).append('\n');
        }
        DatasetSource source = new DatasetSource(DatasetFormat.CSV, Files.writeString(dir.resolve("d.csv"), csv), null, "y");
        assertLimit(() -> processor(limits(Long.MAX_VALUE, 10, 9, Long.MAX_VALUE)).profile(source, 0),
                ErrorKeys.TOO_MANY_ROWS, 9L);
        assertLimit(() -> processor(limits(Long.MAX_VALUE, 10, 10, 159)).profile(source, 0),
                ErrorKeys.SHARDS_TOO_LARGE, "160 bytes", "159 bytes");
        DatasetProcessor fits = processor(limits(Long.MAX_VALUE, 10, 10, 160));
        DatasetProfile profile = fits.profile(source, 0);
        long written = fits.preprocess(source, profile, dir.resolve("shards")).stream().mapToLong(Shard::rows).sum();
        assertThat(written).isEqualTo(10);
    }

    private static DatasetLimits limits(long decompressed, int columns, long rows, long shardBytes) {
        return new DatasetLimits(decompressed, columns, rows, shardBytes);
    }

    private static DatasetProcessor processor(DatasetLimits limits) {
        return new DatasetProcessor(20, 1 << 20, limits);
    }

    private static void assertLimit(ThrowingCallable call, String key, Object... args) {
        assertThatThrownBy(call).isInstanceOfSatisfying(DatasetFormatException.class, e -> {
            assertThat(e.messageKey()).isEqualTo(key);
            assertThat(e.args()).containsExactly(args);
        });
    }

    private static void assertUnsupported(Path file, String name) {
        assertThatThrownBy(() -> DatasetFormat.detect(file, name))
                .isInstanceOfSatisfying(DatasetFormatException.class,
                        e -> assertThat(e.messageKey()).isEqualTo(ErrorKeys.UNSUPPORTED_TYPE));
    }
}
