package ai.aicrypto.plaza.dataset.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import javax.imageio.ImageIO;

import ai.aicrypto.plaza.support.ConvReference;
import ai.aicrypto.plaza.support.ImageFolderZips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ZIP files of class folders: real Fashion-MNIST items exported as PNG files, coloured shapes, and hostile archives. */
class ImageFolderTest {

    private static final int FASHION_COUNT = 300;

    @TempDir
    Path dir;

    private final DatasetProcessor processor = new DatasetProcessor(20, 1 << 20);

    @Test
    void fashionItemsAsPngFoldersGiveTheIdxFeaturesWithTheFolderNamesAsClasses() throws IOException {
        Path zip = ImageFolderZips.fashion(dir.resolve("fashion.zip"), FASHION_COUNT);
        assertThat(DatasetFormat.detect(zip, "fashion.zip")).isEqualTo(DatasetFormat.IMAGE_FOLDERS);
        DatasetSource source = DatasetSource.imageFolders(zip, ImageFolderOptions.FROM_DATA);
        DatasetProfile profile = processor.profile(source, 7);

        assertThat(profile.format()).isEqualTo(DatasetFormat.IMAGE_FOLDERS);
        assertThat(profile.rowCount()).isEqualTo(FASHION_COUNT);
        assertThat(profile.classes()).as("sorted folder names, the wrapping folder dropped")
                .containsExactlyElementsOf(ImageFolderZips.FASHION_CLASSES.stream().sorted().toList());
        assertThat(profile.imageShape()).as("28 x 28 grey, from the images").containsExactly(28, 28);
        assertThat(profile.featureCount()).isEqualTo(784);
        assertThat(profile.preprocessing().image()).isEqualTo(new Preprocessing.Image(28, 28, 1, 1 / 255.0));
        assertThat(profile.preprocessing().label().classes()).isEqualTo(profile.classes());
        int[] labels = ConvReference.fashionLabels(FASHION_COUNT);
        Map<String, Long> histogram = profile.column("label").histogram();
        for (int c = 0; c < 10; c++) {
            int label = c;
            long expected = java.util.Arrays.stream(labels).filter(l -> l == label).count();
            assertThat(histogram).containsEntry(ImageFolderZips.FASHION_CLASSES.get(c), expected);
        }
        // The preview: 20 pictures with their class names, the same ones every time.
        assertThat(profile.preview()).hasSize(20).isEqualTo(processor.profile(source, 7).preview());
        float[] pixels = ConvReference.fashionImages(FASHION_COUNT);
        for (PreviewRecord record : profile.preview()) {
            int index = (int) record.rowIndex();
            assertThat(record.label()).isEqualTo(ImageFolderZips.FASHION_CLASSES.get(labels[index]));
            BufferedImage shown = picture(record.imageDataUri());
            assertThat(shown.getRaster().getSample(14, 14, 0)).isEqualTo(Math.round(pixels[index * 784 + 14 * 28 + 14] * 255));
        }

        // Shards: every image's pixels / 255 as IDX gives them, labelled with its folder's class.
        List<Shard> shards = processor.preprocess(source, profile, dir.resolve("shards"));
        assertThat(shards.stream().mapToLong(Shard::rows).sum()).isEqualTo(FASHION_COUNT);
        SafetensorsReader shard = SafetensorsReader.read(shards.get(0).file());
        assertThat(shard.metadata()).containsEntry("source_format", "IMAGE_FOLDERS").containsEntry("image_shape", "[28,28]");
        assertThat(shard.jsonList("classes")).isEqualTo(profile.classes());
        float[] features = shard.floats("features");
        long[] classes = shard.longs("labels");
        for (int i = 0; i < shards.get(0).rows(); i++) {
            assertThat(profile.classes().get((int) classes[i])).isEqualTo(ImageFolderZips.FASHION_CLASSES.get(labels[i]));
            for (int p = 0; p < 784; p += 13) {
                assertThat(features[i * 784 + p]).isEqualTo(Math.round(pixels[i * 784 + p] * 255) / 255f);
            }
        }
    }

    @Test
    void colouredShapesKeepThreeChannelsAsPlanesAtTheChosenSize() throws IOException {
        Path zip = ImageFolderZips.shapes(dir.resolve("shapes.zip"), 10, 40, 3);
        DatasetSource source = DatasetSource.imageFolders(zip, ImageFolderOptions.FROM_DATA);
        DatasetProfile byDefault = processor.profile(source, 1);
        assertThat(byDefault.imageShape()).as("colour found in the images, 40 px capped at 64").containsExactly(3, 40, 40);

        DatasetSource chosen = DatasetSource.imageFolders(zip, ImageFolderOptions.parse("16", "rgb"));
        DatasetProfile profile = processor.profile(chosen, 1);
        assertThat(profile.classes()).containsExactly("blue", "green", "red");
        assertThat(profile.featureCount()).isEqualTo(3 * 16 * 16);
        assertThat(profile.imageShape()).containsExactly(3, 16, 16);
        assertThat(profile.preview()).hasSize(20).allSatisfy(r -> assertThat(picture(r.imageDataUri()).getWidth()).isEqualTo(16));
        DatasetProfile large = processor.profile(DatasetSource.imageFolders(zip, ImageFolderOptions.parse("128", "rgb")), 1);
        assertThat(large.imageShape()).containsExactly(3, 128, 128);
        assertThat(large.preview()).as("shown smaller").allSatisfy(r -> assertThat(picture(r.imageDataUri()).getWidth())
                .isEqualTo(ImageFolderProfiler.PREVIEW_MAX_SIZE));

        // A picture that is red everywhere: the red plane first, then green, then blue.
        BufferedImage red = new BufferedImage(50, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 50; x++) {
                red.setRGB(x, y, new Color(255, 0, 51).getRGB());
            }
        }
        float[] encoded = profile.preprocessing().encode(red);
        assertThat(encoded).hasSize(768);
        assertThat(encoded[0]).isEqualTo(1f);
        assertThat(encoded[256]).isEqualTo(0f);
        assertThat(encoded[512]).isCloseTo(0.2f, within(1e-6f));

        List<Shard> shards = processor.preprocess(chosen, profile, dir.resolve("shards"));
        SafetensorsReader shard = SafetensorsReader.read(shards.get(0).file());
        float[] features = shard.floats("features");
        long[] labels = shard.longs("labels");
        // Each picture's own colour dominates its plane: the class is in the channels.
        for (int i = 0; i < labels.length; i++) {
            double[] planeMeans = new double[3];
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < 256; p++) {
                    planeMeans[c] += features[i * 768 + c * 256 + p] / 256;
                }
            }
            int expected = switch (profile.classes().get((int) labels[i])) {
                case "red" -> 0;
                case "green" -> 1;
                default -> 2;
            };
            for (int c = 0; c < 3; c++) {
                if (c != expected) {
                    assertThat(planeMeans[expected]).isGreaterThan(planeMeans[c]);
                }
            }
        }
    }

    @Test
    void aLargerPictureOfAnItemEncodesCloseToTheItemItself() throws IOException {
        float[] pixels = ConvReference.fashionImages(1);
        BufferedImage item = ImageFolderZips.fashionItem(pixels, 0);
        BufferedImage large = new BufferedImage(112, 112, BufferedImage.TYPE_INT_RGB);
        var g = large.createGraphics();
        g.drawImage(item, 0, 0, 112, 112, null); // nearest neighbour: each pixel a 4 x 4 block
        g.dispose();
        Preprocessing grey = Preprocessing.image(28, 28, 1, "label", List.of("a", "b"));
        float[] encoded = grey.encode(large);
        double error = 0;
        for (int p = 0; p < 784; p++) {
            error += Math.abs(encoded[p] - pixels[p]) / 784;
        }
        assertThat(error).as("halving steps average the blocks back to the item").isLessThan(0.02);
    }

    /** Photos are often stored as RGB whatever they show: grey pictures in RGB files still make a grey dataset. */
    @Test
    void greyPicturesStoredAsRgbGiveOneChannelUnlessColourIsChosen() throws IOException {
        float[] pixels = ConvReference.fashionImages(6);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            BufferedImage rgb = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
            var g = rgb.createGraphics();
            g.drawImage(ImageFolderZips.fashionItem(pixels, i), 0, 0, null);
            g.dispose();
            entries.put((i % 2 == 0 ? "even" : "odd") + "/" + i + ".png", ImageFolderZips.png(rgb));
        }
        Path zip = ImageFolderZips.write(dir.resolve("grey-as-rgb.zip"), entries);
        assertThat(processor.profile(DatasetSource.imageFolders(zip, ImageFolderOptions.FROM_DATA), 1).imageShape())
                .isEqualTo(List.of(28, 28));
        assertThat(processor.profile(DatasetSource.imageFolders(zip, ImageFolderOptions.parse("", "rgb")), 1).imageShape())
                .as("the uploader's choice wins").isEqualTo(List.of(3, 28, 28));
    }

    @Test
    void junkOfOperatingSystemsIsSkippedAndJpegsAreRead() throws IOException {
        Map<String, byte[]> entries = ImageFolderZips.twoClasses();
        entries.put("__MACOSX/red/._0.png", new byte[]{1, 2, 3});
        entries.put("red/.DS_Store", new byte[]{0});
        entries.put("blue/Thumbs.db", new byte[]{0});
        entries.put("blue/photo.JPG", ImageFolderZips.jpeg(ImageFolderZips.shape("blue", 30, new Random(2))));
        DatasetProfile profile = processor.profile(DatasetSource.imageFolders(ImageFolderZips.write(dir.resolve("ok.zip"), entries),
                ImageFolderOptions.FROM_DATA), 1);
        assertThat(profile.rowCount()).isEqualTo(5);
        assertThat(profile.column("label").histogram()).containsEntry("blue", 3L).containsEntry("red", 2L);
    }

    @Test
    void pathTricksSymlinksNestedArchivesAndOtherFilesAreRefusedByName() throws IOException {
        for (String trick : List.of("../evil.png", "/etc/evil.png", "red/..\\..\\evil.png", "C:/evil.png", "red/../../evil.png")) {
            Map<String, byte[]> entries = ImageFolderZips.twoClasses();
            entries.put(trick, entries.get("red/0.png"));
            assertRefused(ImageFolderZips.write(dir.resolve("trick.zip"), entries), ErrorKeys.ZIP_UNSAFE_NAME, trick);
        }
        assertRefused(ImageFolderZips.withSymlink(dir.resolve("link.zip"), ImageFolderZips.twoClasses(), "red/passwd.png", "/etc/passwd"),
                ErrorKeys.ZIP_SYMLINK, "red/passwd.png");
        Map<String, byte[]> nested = ImageFolderZips.twoClasses();
        nested.put("red/more.zip", Files.readAllBytes(ImageFolderZips.write(dir.resolve("inner.zip"), ImageFolderZips.twoClasses())));
        assertRefused(ImageFolderZips.write(dir.resolve("nested.zip"), nested), ErrorKeys.ZIP_NESTED_ARCHIVE, "red/more.zip");
        Map<String, byte[]> text = ImageFolderZips.twoClasses();
        text.put("blue/notes.txt", "not a picture".getBytes());
        assertRefused(ImageFolderZips.write(dir.resolve("text.zip"), text), ErrorKeys.ZIP_NOT_AN_IMAGE, "blue/notes.txt");
        Map<String, byte[]> loose = ImageFolderZips.twoClasses();
        loose.put("loose.png", loose.get("red/0.png"));
        assertRefused(ImageFolderZips.write(dir.resolve("loose.zip"), loose), ErrorKeys.ZIP_IMAGE_OUTSIDE_CLASS, "loose.png");
    }

    @Test
    void aBrokenImageIsNamed() throws IOException {
        Map<String, byte[]> truncated = ImageFolderZips.twoClasses();
        byte[] png = truncated.get("red/1.png");
        truncated.put("red/truncated.png", java.util.Arrays.copyOf(png, png.length / 2));
        assertRefused(ImageFolderZips.write(dir.resolve("truncated.zip"), truncated), ErrorKeys.ZIP_BROKEN_IMAGE, "red/truncated.png");
        Map<String, byte[]> header = ImageFolderZips.twoClasses();
        header.put("blue/header.png", new byte[]{(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R', 9, 9});
        assertRefused(ImageFolderZips.write(dir.resolve("header.zip"), header), ErrorKeys.ZIP_BROKEN_IMAGE, "blue/header.png");
        Map<String, byte[]> jpeg = ImageFolderZips.twoClasses();
        byte[] photo = ImageFolderZips.jpeg(ImageFolderZips.shape("red", 64, new Random(3)));
        jpeg.put("red/cut.jpg", java.util.Arrays.copyOf(photo, photo.length * 2 / 3));
        assertRefused(ImageFolderZips.write(dir.resolve("jpeg.zip"), jpeg), ErrorKeys.ZIP_BROKEN_IMAGE, "red/cut.jpg");
        Map<String, byte[]> garbage = ImageFolderZips.twoClasses();
        garbage.put("blue/garbage.jpg", "GIF89a no image here".getBytes());
        assertRefused(ImageFolderZips.write(dir.resolve("garbage.zip"), garbage), ErrorKeys.ZIP_BROKEN_IMAGE, "blue/garbage.jpg");
    }

    @Test
    void oneClassAnEmptyClassNoImagesAndTooManyClassesAreRefused() throws IOException {
        Map<String, byte[]> one = new LinkedHashMap<>(ImageFolderZips.twoClasses());
        one.keySet().removeIf(name -> name.startsWith("blue/"));
        assertRefused(ImageFolderZips.write(dir.resolve("one.zip"), one), ErrorKeys.ZIP_ONE_CLASS, "red");
        Map<String, byte[]> empty = ImageFolderZips.twoClasses();
        empty.put("green/", new byte[0]);
        assertRefused(ImageFolderZips.write(dir.resolve("empty.zip"), empty), ErrorKeys.ZIP_EMPTY_CLASS, "green");
        assertRefused(ImageFolderZips.write(dir.resolve("none.zip"), Map.of("red/", new byte[0])), ErrorKeys.ZIP_NO_IMAGES);
        Map<String, byte[]> many = new LinkedHashMap<>();
        byte[] tiny = ImageFolderZips.png(new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY));
        for (int c = 0; c <= ImageFolderArchive.MAX_CLASSES; c++) {
            many.put("class" + c + "/0.png", tiny);
        }
        assertRefused(ImageFolderZips.write(dir.resolve("many.zip"), many), ErrorKeys.ZIP_TOO_MANY_CLASSES,
                ImageFolderArchive.MAX_CLASSES + 1);
    }

    @Test
    void bombsAreStoppedBeforeTheyExpand() throws IOException {
        // Declared sizes over the limit: refused from the directory, nothing inflated.
        Map<String, byte[]> zeros = ImageFolderZips.twoClasses();
        zeros.put("red/zeros.png", new byte[4 << 20]);
        DatasetProcessor small = new DatasetProcessor(20, 1 << 20, new DatasetLimits(1 << 20, 100, 1000, 1L << 30));
        Path bomb = ImageFolderZips.write(dir.resolve("bomb.zip"), zeros);
        assertThat(Files.size(bomb)).isLessThan(64 << 10);
        assertThatThrownBy(() -> small.profile(DatasetSource.imageFolders(bomb, ImageFolderOptions.FROM_DATA), 1))
                .isInstanceOfSatisfying(DatasetFormatException.class, e -> assertThat(e.messageKey()).isEqualTo(ErrorKeys.DECOMPRESSED_TOO_LARGE));

        // An entry that expands past what its directory entry declares: stopped at the declared size.
        Map<String, byte[]> lying = ImageFolderZips.twoClasses();
        lying.put("red/liar.png", ImageFolderZips.png(ImageFolderZips.shape("red", 200, new Random(4))));
        Path liar = ImageFolderZips.write(dir.resolve("liar.zip"), lying);
        patchDeclaredSize(liar, "red/liar.png", 100);
        assertRefused(liar, ErrorKeys.ZIP_ENTRY_SIZE, "red/liar.png");

        // A picture whose header claims 4,100 x 4,100 pixels in a few kilobytes: refused before its pixels are allocated.
        Map<String, byte[]> pixels = ImageFolderZips.twoClasses();
        pixels.put("blue/huge.png", ImageFolderZips.png(new BufferedImage(4100, 4100, BufferedImage.TYPE_BYTE_BINARY)));
        assertThat(pixels.get("blue/huge.png").length).isLessThan(64 << 10);
        assertRefused(ImageFolderZips.write(dir.resolve("pixels.zip"), pixels), ErrorKeys.ZIP_IMAGE_TOO_LARGE, "blue/huge.png");

        // A directory announced as larger than a ZIP reader should hold: refused from the end record alone.
        Path directory = ImageFolderZips.write(dir.resolve("directory.zip"), ImageFolderZips.twoClasses());
        byte[] bytes = Files.readAllBytes(directory);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length - 22 + 12, 200 << 20);
        Files.write(directory, bytes);
        assertRefused(directory, ErrorKeys.ZIP_TOO_MANY_ENTRIES, ImageFolderArchive.MAX_ENTRIES);
    }

    @Test
    void aDamagedArchiveAndBadChoicesAreRefused() throws IOException {
        Path damaged = Files.write(dir.resolve("damaged.zip"), "PK\u0003\u0004 and then nothing of a zip".getBytes());
        assertThat(DatasetFormat.detect(damaged, "damaged.zip")).isEqualTo(DatasetFormat.IMAGE_FOLDERS);
        assertThatThrownBy(() -> DatasetFormat.detect(damaged, "sheet.xlsx")).as("other files that are ZIPs inside")
                .isInstanceOfSatisfying(DatasetFormatException.class, e -> assertThat(e.messageKey()).isEqualTo(ErrorKeys.UNSUPPORTED_TYPE));
        assertRefused(damaged, ErrorKeys.ZIP_BROKEN);
        for (String size : List.of("7", "257", "-1", "big", "1e3")) {
            assertThatThrownBy(() -> ImageFolderOptions.parse(size, ""))
                    .isInstanceOfSatisfying(DatasetFormatException.class, e -> assertThat(e.messageKey()).isEqualTo(ErrorKeys.IMAGE_SIZE));
        }
        assertThatThrownBy(() -> ImageFolderOptions.parse("", "sepia"))
                .isInstanceOfSatisfying(DatasetFormatException.class, e -> assertThat(e.messageKey()).isEqualTo(ErrorKeys.IMAGE_COLOUR));
        assertThat(ImageFolderOptions.parse(" 96 ", "grayscale")).isEqualTo(new ImageFolderOptions(96, 1));
    }

    private void assertRefused(Path zip, String key, Object... args) {
        assertThatThrownBy(() -> processor.profile(DatasetSource.imageFolders(zip, ImageFolderOptions.FROM_DATA), 1))
                .isInstanceOfSatisfying(DatasetFormatException.class, e -> {
                    assertThat(e.messageKey()).isEqualTo(key);
                    assertThat(e.args()).startsWith(args);
                });
    }

    /** Rewrites the uncompressed size of {@code name} in the central directory (the local header keeps the truth). */
    private static void patchDeclaredSize(Path zip, String name, int size) throws IOException {
        byte[] bytes = Files.readAllBytes(zip);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] wanted = name.getBytes();
        for (int i = 0; i + 46 < bytes.length; i++) {
            if (buffer.getInt(i) == 0x02014b50 && buffer.getShort(i + 28) == wanted.length
                    && java.util.Arrays.equals(bytes, i + 46, i + 46 + wanted.length, wanted, 0, wanted.length)) {
                buffer.putInt(i + 24, size);
                Files.write(zip, bytes);
                return;
            }
        }
        throw new IllegalStateException("no directory entry " + name);
    }

    private static BufferedImage picture(String dataUri) {
        try {
            return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(dataUri.substring("data:image/png;base64,".length()))));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
