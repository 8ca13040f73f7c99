package ai.aicrypto.plaza.dataset.format;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One pass over a ZIP of image folders: every image decoded and brought to the chosen size and colour (so a broken one
 * is reported by name before anything is stored), level statistics, the class histogram and a preview of the images as
 * the model will see them. The pseudo-columns are IDX's: {@code pixels} and {@code label}.
 */
final class ImageFolderProfiler {

    static final int PREVIEW_MAX_SIZE = 96;

    private ImageFolderProfiler() {
    }

    static DatasetProfile profile(DatasetSource source, int previewSize, long seed, DatasetLimits limits) throws IOException {
        try (ImageFolderArchive archive = ImageFolderArchive.open(source, limits)) {
            ImageFolderOptions chosen = resolved(archive, source.imageOptions());
            int size = chosen.size(), channels = chosen.channels();
            List<String> classes = archive.classes();
            Preprocessing encoding = Preprocessing.image(size, size, channels, IdxProfiler.LABEL, classes);
            int count = archive.images().size();
            limits.checkShardBytes(count, encoding.featureCount(), false); // before any image is decoded
            Reservoir<PreviewRecord> preview = new Reservoir<>(previewSize, seed);
            // Previews are kept in the profile: large sizes are shown smaller, so 20 of them stay a few hundred KB.
            int shown = Math.min(size, PREVIEW_MAX_SIZE);
            Preprocessing previewEncoding = Preprocessing.image(shown, shown, channels, IdxProfiler.LABEL, classes);
            long[] classCounts = new long[classes.size()];
            int min = 255, max = 0;
            long sum = 0;
            int[] levels = new int[size * size];
            for (int index = 0; index < count; index++) {
                ImageFolderArchive.Image image = archive.images().get(index);
                BufferedImage fitted = encoding.fitted(archive.decode(image));
                Raster raster = fitted.getRaster();
                for (int band = 0; band < channels; band++) {
                    raster.getSamples(0, 0, size, size, band, levels);
                    for (int level : levels) {
                        min = Math.min(min, level);
                        max = Math.max(max, level);
                        sum += level;
                    }
                }
                classCounts[image.classIndex()]++;
                int slot = preview.slotFor();
                if (slot >= 0) {
                    BufferedImage picture = shown == size ? fitted : previewEncoding.fitted(fitted);
                    preview.put(slot, new PreviewRecord(index, List.of(), classes.get(image.classIndex()), PngImages.dataUri(picture)));
                }
            }
            double mean = (double) sum / ((double) count * encoding.featureCount());
            List<ColumnProfile> columns = List.of(
                    new ColumnProfile(IdxProfiler.PIXELS, ColumnType.INTEGER, 0, (double) min, (double) max, mean, null),
                    new ColumnProfile(IdxProfiler.LABEL, ColumnType.CATEGORICAL, 0, null, null, null, histogram(classes, classCounts)));
            List<Integer> shape = channels == 1 ? List.of(size, size) : List.of(channels, size, size);
            return new DatasetProfile(DatasetFormat.IMAGE_FOLDERS, count, columns, IdxProfiler.LABEL, classes,
                    encoding.featureCount(), shape, preview.items(), encoding);
        }
    }

    /**
     * The uploader's choices, with what they left open taken from the images: the median shorter side (from the
     * headers), within [{@value ImageFolderOptions#MIN_SIZE}, {@value ImageFolderOptions#DEFAULT_MAX_SIZE}], and colour
     * when any image really is in colour. A header only says how an image is stored, and grey photos are often stored
     * as RGB: those are decoded until one has a pixel whose channels differ, so grey pictures give a grey dataset (a
     * third of the features, and of the training time).
     */
    private static ImageFolderOptions resolved(ImageFolderArchive archive, ImageFolderOptions asked) throws IOException {
        if (asked.size() != null && asked.channels() != null) {
            return asked;
        }
        int[] shorterSides = new int[archive.images().size()];
        boolean colour = false;
        for (int i = 0; i < shorterSides.length; i++) {
            ImageDecoding.Header header = archive.header(archive.images().get(i));
            shorterSides[i] = Math.min(header.width(), header.height());
            colour |= header.colour();
        }
        if (colour && asked.channels() == null) {
            colour = anyColourPixel(archive);
        }
        Arrays.sort(shorterSides);
        int median = shorterSides[shorterSides.length / 2];
        return new ImageFolderOptions(
                asked.size() != null ? asked.size()
                        : Math.max(ImageFolderOptions.MIN_SIZE, Math.min(ImageFolderOptions.DEFAULT_MAX_SIZE, median)),
                asked.channels() != null ? asked.channels() : colour ? 3 : 1);
    }

    private static boolean anyColourPixel(ImageFolderArchive archive) throws IOException {
        for (ImageFolderArchive.Image image : archive.images()) {
            if (archive.header(image).colour() && hasColour(archive.decode(image))) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasColour(BufferedImage image) {
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                int r = rgb >> 16 & 0xff, g = rgb >> 8 & 0xff, b = rgb & 0xff;
                if (r != g || g != b) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The most frequent classes first (ties in class order), at most {@value ColumnProfile#HISTOGRAM_LIMIT}. */
    private static Map<String, Long> histogram(List<String> classes, long[] counts) {
        List<Integer> byCount = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
            byCount.add(i);
        }
        byCount.sort((a, b) -> Long.compare(counts[b], counts[a]));
        Map<String, Long> histogram = new LinkedHashMap<>();
        byCount.stream().limit(ColumnProfile.HISTOGRAM_LIMIT).forEach(i -> histogram.put(classes.get(i), counts[i]));
        return histogram;
    }
}
