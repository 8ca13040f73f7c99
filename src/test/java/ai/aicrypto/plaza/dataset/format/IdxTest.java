package ai.aicrypto.plaza.dataset.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxTest {

    // 5 images of 2 rows x 3 cols; pixel (image i, position p) = 10 * i + p, so min 0, max 45
    static final int N = 5;
    static final int ROWS = 2;
    static final int COLS = 3;
    static final byte[] LABELS = {3, 1, 3, 7, 3};

    @TempDir
    Path dir;

    private final DatasetProcessor processor = new DatasetProcessor(3, 1 << 20);

    static byte[] pixels() {
        byte[] pixels = new byte[N * ROWS * COLS];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (10 * (i / (ROWS * COLS)) + i % (ROWS * COLS));
        }
        return pixels;
    }

    private DatasetSource source(byte[] images, byte[] labels, boolean gzip) throws IOException {
        return new DatasetSource(DatasetFormat.IDX,
                IdxFiles.write(dir.resolve("images-idx3-ubyte" + (gzip ? ".gz" : "")), images, gzip),
                IdxFiles.write(dir.resolve("labels-idx1-ubyte" + (gzip ? ".gz" : "")), labels, gzip), null);
    }

    private DatasetSource valid(boolean gzip) throws IOException {
        return source(IdxFiles.idx(0x08, new int[] {N, ROWS, COLS}, pixels()),
                IdxFiles.idx(0x08, new int[] {N}, LABELS), gzip);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void profilesImagesAndLabels(boolean gzip) throws IOException {
        DatasetSource source = valid(gzip);
        assertThat(DatasetFormat.detect(source.primary(), source.primary().getFileName().toString()))
                .isEqualTo(DatasetFormat.IDX);

        DatasetProfile profile = processor.profile(source, 5);

        assertThat(profile.format()).isEqualTo(DatasetFormat.IDX);
        assertThat(profile.rowCount()).isEqualTo(N);
        assertThat(profile.imageShape()).containsExactly(ROWS, COLS);
        assertThat(profile.featureCount()).isEqualTo(ROWS * COLS);
        assertThat(profile.labelColumn()).isEqualTo("label");
        assertThat(profile.classes()).containsExactly("1", "3", "7");
        assertThat(profile.columns()).containsExactly(
                new ColumnProfile("pixels", ColumnType.INTEGER, 0, 0.0, 45.0, 22.5, null),
                new ColumnProfile("label", ColumnType.INTEGER, 0, 1.0, 7.0, 17.0 / 5,
                        Map.of("3", 3L, "1", 1L, "7", 1L)));
        assertThat(profile.column("label").histogram().keySet()).containsExactly("3", "1", "7");
    }

    @Test
    void previewHoldsDecodablePngImagesOfTheSampledRows() throws IOException {
        DatasetProfile profile = processor.profile(valid(true), 11);

        assertThat(profile.preview()).hasSize(3).isEqualTo(processor.profile(valid(false), 11).preview());
        assertThat(profile.preview()).extracting(PreviewRecord::rowIndex).isSorted().doesNotHaveDuplicates();
        for (PreviewRecord record : profile.preview()) {
            int i = (int) record.rowIndex();
            assertThat(record.label()).isEqualTo(Integer.toString(LABELS[i]));
            assertThat(record.values()).isEmpty();
            assertThat(record.imageDataUri()).startsWith("data:image/png;base64,");
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder()
                    .decode(record.imageDataUri().substring("data:image/png;base64,".length()))));
            assertThat(image.getWidth()).isEqualTo(COLS);
            assertThat(image.getHeight()).isEqualTo(ROWS);
            assertThat(image.getRaster().getSample(2, 1, 0)).isEqualTo(10 * i + COLS + 2);
        }
    }

    @Test
    void preprocessWritesScaledPixelsAndClassIndices() throws IOException {
        DatasetSource source = valid(true);
        List<Shard> shards = processor.preprocess(source, processor.profile(source, 0), dir.resolve("out"));

        assertThat(shards).hasSize(1);
        SafetensorsReader st = SafetensorsReader.read(shards.get(0).file());
        assertThat(st.tensor("features")).containsEntry("shape", List.of(N, ROWS * COLS));
        assertThat(st.metadata()).containsEntry("image_shape", "[2,3]").containsEntry("source_format", "IDX")
                .doesNotContainKey("feature_names");
        assertThat(st.jsonList("classes")).containsExactly("1", "3", "7");
        float[] features = st.floats("features");
        byte[] pixels = pixels();
        for (int i = 0; i < pixels.length; i++) {
            assertThat(features[i]).isEqualTo(pixels[i] / 255f);
        }
        assertThat(st.longs("labels")).containsExactly(1, 0, 1, 2, 1);
    }

    @Test
    void rejectsCountMismatch() throws IOException {
        DatasetSource source = source(IdxFiles.idx(0x08, new int[] {N, ROWS, COLS}, pixels()),
                IdxFiles.idx(0x08, new int[] {N - 1}, Arrays.copyOf(LABELS, N - 1)), true);
        assertError(source, ErrorKeys.IDX_COUNT_MISMATCH, N, N - 1);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void rejectsTruncatedImages(boolean gzip) throws IOException {
        byte[] images = IdxFiles.idx(0x08, new int[] {N, ROWS, COLS}, pixels());
        assertError(source(Arrays.copyOf(images, images.length - 1), IdxFiles.idx(0x08, new int[] {N}, LABELS),
                gzip), ErrorKeys.IDX_TRUNCATED);
        assertError(source(Arrays.copyOf(images, 10), IdxFiles.idx(0x08, new int[] {N}, LABELS), gzip),
                ErrorKeys.IDX_TRUNCATED);
    }

    @Test
    void rejectsTrailingData() throws IOException {
        byte[] labels = IdxFiles.idx(0x08, new int[] {N}, LABELS);
        assertError(source(IdxFiles.idx(0x08, new int[] {N, ROWS, COLS}, pixels()),
                Arrays.copyOf(labels, labels.length + 1), false), ErrorKeys.IDX_TRAILING_DATA);
    }

    @Test
    void rejectsWrongMagicTypeAndDimensions() throws IOException {
        byte[] labels = IdxFiles.idx(0x08, new int[] {N}, LABELS);
        byte[] images = IdxFiles.idx(0x08, new int[] {N, ROWS, COLS}, pixels());
        byte[] badMagic = images.clone();
        badMagic[1] = 1;

        assertError(source(badMagic, labels, false), ErrorKeys.IDX_BAD_MAGIC);
        assertError(source(IdxFiles.idx(0x0D, new int[] {N, ROWS, COLS}, new byte[N * ROWS * COLS * 4]), labels,
                false), ErrorKeys.IDX_UNSUPPORTED_TYPE, "0x0D");
        assertError(source(labels, images, false), ErrorKeys.IDX_DIMS, 3, 1);
        assertError(source(IdxFiles.idx(0x08, new int[] {0, ROWS, COLS}, new byte[0]),
                IdxFiles.idx(0x08, new int[] {0}, new byte[0]), false), ErrorKeys.EMPTY);
        assertError(source(IdxFiles.idx(0x08, new int[] {1, 2000, 2000}, new byte[0]),
                IdxFiles.idx(0x08, new int[] {1}, new byte[1]), false),
                ErrorKeys.IDX_IMAGE_TOO_LARGE, 2000, 2000, IdxExamples.MAX_PIXELS);
    }

    @Test
    void headerAnnouncingTooManyFloatsIsRefusedBeforeAnyPixelIsRead() throws IOException {
        // 2^31-1 images of 1024 x 1024 pixels announced by a 16-byte header: 8 PiB of float shards.
        DatasetSource bomb = source(IdxFiles.idx(0x08, new int[] {Integer.MAX_VALUE, 1024, 1024}, new byte[0]),
                IdxFiles.idx(0x08, new int[] {Integer.MAX_VALUE}, new byte[0]), true);
        DatasetProcessor generous = new DatasetProcessor(3, 1 << 20,
                new DatasetLimits(Long.MAX_VALUE, 10, Long.MAX_VALUE, 1L << 30));
        assertThatThrownBy(() -> generous.profile(bomb, 0)).isInstanceOfSatisfying(DatasetFormatException.class,
                e -> assertThat(e.messageKey()).isEqualTo(ErrorKeys.SHARDS_TOO_LARGE));

        // the cap is count x rows x cols x 4 bytes (+ 8 per label): 5 x 6 x 4 + 5 x 8 = 160 bytes
        DatasetProcessor exact = new DatasetProcessor(3, 1 << 20, new DatasetLimits(Long.MAX_VALUE, 10, 100, 160));
        assertThat(exact.profile(valid(false), 0).rowCount()).isEqualTo(N);
        DatasetProcessor tight = new DatasetProcessor(3, 1 << 20, new DatasetLimits(Long.MAX_VALUE, 10, 100, 159));
        assertThatThrownBy(() -> tight.profile(valid(false), 0)).isInstanceOfSatisfying(DatasetFormatException.class,
                e -> assertThat(e.messageKey()).isEqualTo(ErrorKeys.SHARDS_TOO_LARGE));
        DatasetProcessor fewRows = new DatasetProcessor(3, 1 << 20, new DatasetLimits(Long.MAX_VALUE, 10, N - 1, 1 << 20));
        assertThatThrownBy(() -> fewRows.profile(valid(false), 0)).isInstanceOfSatisfying(DatasetFormatException.class,
                e -> assertThat(e.messageKey()).isEqualTo(ErrorKeys.TOO_MANY_ROWS));
    }

    @Test
    void gzipExpandingPastTheCapIsRefusedWhileReading() throws IOException {
        // 4,000 images of 32 x 32 zero pixels: 4 MB decompressed from a few KB, announced honestly by the header
        int count = 4000;
        byte[] labels = new byte[count];
        DatasetSource bomb = source(IdxFiles.idx(0x08, new int[] {count, 32, 32}, new byte[count * 32 * 32]),
                IdxFiles.idx(0x08, new int[] {count}, labels), true);
        assertThat(Files.size(bomb.primary())).isLessThan(64 * 1024);
        DatasetProcessor capped = new DatasetProcessor(3, 1 << 20,
                new DatasetLimits(1 << 20, 10, Long.MAX_VALUE, Long.MAX_VALUE));
        assertThatThrownBy(() -> capped.profile(bomb, 0)).isInstanceOfSatisfying(DatasetFormatException.class, e -> {
            assertThat(e.messageKey()).isEqualTo(ErrorKeys.DECOMPRESSED_TOO_LARGE);
            assertThat(e.args()).containsExactly("1.0 MB");
        });
        // the same bytes uncompressed are the upload limit's business, not this cap's
        DatasetSource plain = source(IdxFiles.idx(0x08, new int[] {count, 32, 32}, new byte[count * 32 * 32]),
                IdxFiles.idx(0x08, new int[] {count}, labels), false);
        assertThat(capped.profile(plain, 0).rowCount()).isEqualTo(count);
    }

    @Test
    void requiresLabelsFile() throws IOException {
        DatasetSource source = valid(false);
        assertError(new DatasetSource(DatasetFormat.IDX, source.primary(), null, null),
                ErrorKeys.IDX_LABELS_REQUIRED);
    }

    private void assertError(DatasetSource source, String key, Object... args) {
        assertThatThrownBy(() -> processor.profile(source, 0))
                .isInstanceOfSatisfying(DatasetFormatException.class, e -> {
                    assertThat(e.messageKey()).isEqualTo(key);
                    assertThat(e.args()).containsExactly(args);
                });
    }
}
