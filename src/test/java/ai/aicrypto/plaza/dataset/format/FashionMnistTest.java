package ai.aicrypto.plaza.dataset.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Fashion-MNIST test split (Debian package dataset-fashion-mnist). */
class FashionMnistTest {

    static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final Path IMAGES = DIR.resolve("t10k-images-idx3-ubyte.gz");
    static final Path LABELS = DIR.resolve("t10k-labels-idx1-ubyte.gz");
    static final DatasetSource SOURCE = new DatasetSource(DatasetFormat.IDX, IMAGES, LABELS, null);
    static final long MAX_SHARD_BYTES = 8L << 20;

    static DatasetProfile profile;

    @TempDir
    Path dir;

    private final DatasetProcessor processor = new DatasetProcessor(20, MAX_SHARD_BYTES);

    @BeforeAll
    static void profileOnce() throws IOException {
        // ops/test installs the package; a missing file is a broken setup, not a reason to skip.
        assertTrue(Files.exists(IMAGES) && Files.exists(LABELS), "apt-get install dataset-fashion-mnist");
        profile = new DatasetProcessor(20, MAX_SHARD_BYTES).profile(SOURCE, 2024);
    }

    @Test
    void detectsIdx() throws IOException {
        assertThat(DatasetFormat.detect(IMAGES, IMAGES.getFileName().toString())).isEqualTo(DatasetFormat.IDX);
        assertThat(DatasetFormat.detect(LABELS, "labels.bin")).isEqualTo(DatasetFormat.IDX);
    }

    @Test
    void hasTenThousandImagesInTenBalancedClasses() {
        assertThat(profile.rowCount()).isEqualTo(10_000);
        assertThat(profile.imageShape()).containsExactly(28, 28);
        assertThat(profile.featureCount()).isEqualTo(784);
        assertThat(profile.classes()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        Map<String, Long> histogram = profile.column("label").histogram();
        assertThat(histogram).hasSize(10).allSatisfy((label, count) -> assertThat(count).isEqualTo(1000L));
        ColumnProfile pixels = profile.column("pixels");
        assertThat(pixels.min()).isEqualTo(0.0);
        assertThat(pixels.max()).isEqualTo(255.0);
        assertThat(pixels.mean()).isBetween(70.0, 75.0); // Fashion-MNIST mean intensity is about 0.286 * 255
    }

    @Test
    void previewHasTwentyImagesMatchingTheFile() throws IOException {
        List<PreviewRecord> preview = profile.preview();
        assertThat(preview).hasSize(20).isEqualTo(processor.profile(SOURCE, 2024).preview());
        byte[][] images = readImages(preview.get(preview.size() - 1).rowIndex() + 1);
        byte[] labels = readLabels();
        for (PreviewRecord record : preview) {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder()
                    .decode(record.imageDataUri().substring("data:image/png;base64,".length()))));
            assertThat(image.getWidth()).isEqualTo(28);
            byte[] expected = images[(int) record.rowIndex()];
            for (int p = 0; p < 784; p += 37) {
                assertThat(image.getRaster().getSample(p % 28, p / 28, 0)).isEqualTo(expected[p] & 0xff);
            }
            assertThat(record.label()).isEqualTo(Integer.toString(labels[(int) record.rowIndex()]));
        }
    }

    @Test
    void preprocessesIntoShardsUnderTheLimit() throws IOException {
        List<Shard> shards = processor.preprocess(SOURCE, profile, dir);

        long perRow = 784 * 4 + 8;
        assertThat(shards).hasSize((int) Math.ceil(10_000.0 / (MAX_SHARD_BYTES / perRow)));
        assertThat(shards).allSatisfy(s -> assertThat(s.bytes()).isLessThanOrEqualTo(MAX_SHARD_BYTES));
        assertThat(shards.stream().mapToLong(Shard::rows).sum()).isEqualTo(10_000);

        SafetensorsReader first = SafetensorsReader.read(shards.get(0).file());
        float[] features = first.floats("features");
        long[] shardLabels = first.longs("labels");
        byte[][] images = readImages(3);
        byte[] labels = readLabels();
        for (int row = 0; row < 3; row++) {
            for (int p = 0; p < 784; p++) {
                assertThat(features[row * 784 + p]).isEqualTo((images[row][p] & 0xff) / 255f);
            }
        }
        for (int row = 0; row < shardLabels.length; row++) {
            assertThat(shardLabels[row]).isEqualTo(labels[row]);
        }
        assertThat(first.jsonList("classes")).hasSize(10);
        assertThat(first.metadata()).containsEntry("image_shape", "[28,28]");
    }

    private static byte[][] readImages(long count) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(IMAGES)))) {
            in.skipNBytes(16);
            byte[][] images = new byte[(int) count][784];
            for (byte[] image : images) {
                in.readFully(image);
            }
            return images;
        }
    }

    private static byte[] readLabels() throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(LABELS))) {
            in.skipNBytes(8);
            return in.readAllBytes();
        }
    }
}
