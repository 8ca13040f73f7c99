package ai.aicrypto.plaza.dataset.format;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One pass over an IDX image/label pair: pixel statistics, label histogram and an image preview. */
final class IdxProfiler {

    static final String PIXELS = "pixels";
    static final String LABEL = "label";
    static final int MAX_CLASS_NAME = 100;

    private IdxProfiler() {
    }

    private record Sample(long index, byte[] pixels, int label) {
    }

    static DatasetProfile profile(DatasetSource source, int previewSize, long seed, DatasetLimits limits)
            throws IOException {
        try (IdxExamples examples = IdxExamples.open(source, limits)) {
            Reservoir<Sample> preview = new Reservoir<>(previewSize, seed);
            long[] labelCounts = new long[256];
            int min = 255;
            int max = 0;
            long pixelSum = 0;
            byte[] pixels = new byte[examples.pixels()];
            long index = 0;
            for (int label = examples.next(pixels); label >= 0; label = examples.next(pixels)) {
                labelCounts[label]++;
                for (byte b : pixels) {
                    int p = b & 0xff;
                    min = Math.min(min, p);
                    max = Math.max(max, p);
                    pixelSum += p;
                }
                int slot = preview.slotFor();
                if (slot >= 0) {
                    preview.put(slot, new Sample(index, pixels.clone(), label));
                }
                index++;
            }
            double pixelMean = (double) pixelSum / ((double) examples.count() * examples.pixels());
            List<ColumnProfile> columns = List.of(
                    new ColumnProfile(PIXELS, ColumnType.INTEGER, 0, (double) min, (double) max, pixelMean, null),
                    labelProfile(labelCounts, examples.count()));
            List<PreviewRecord> records = preview.items().stream()
                    .map(s -> new PreviewRecord(s.index(), List.of(), Integer.toString(s.label()),
                            PngImages.dataUri(s.pixels(), examples.rows(), examples.cols())))
                    .toList();
            List<String> classes = classes(labelCounts);
            return new DatasetProfile(DatasetFormat.IDX, examples.count(), columns, LABEL, classes,
                    examples.pixels(), List.of(examples.rows(), examples.cols()), records,
                    Preprocessing.image(examples.rows(), examples.cols(), 1, LABEL, named(classes, source.classNames())));
        }
    }

    /**
     * The classes as the uploader named them: name i is label value i, so there must be a name for the largest
     * value, and names must be distinct and not blank.
     */
    static List<String> named(List<String> classes, List<String> names) {
        if (names.isEmpty()) {
            return classes;
        }
        int largest = Integer.parseInt(classes.get(classes.size() - 1));
        if (names.size() <= largest) {
            throw new DatasetFormatException(ErrorKeys.CLASS_NAMES_COUNT, largest, largest + 1, names.size());
        }
        if (names.stream().anyMatch(String::isBlank) || names.stream().distinct().count() != names.size()
                || names.stream().anyMatch(n -> n.length() > MAX_CLASS_NAME)) {
            throw new DatasetFormatException(ErrorKeys.CLASS_NAMES_INVALID, MAX_CLASS_NAME);
        }
        return classes.stream().map(c -> names.get(Integer.parseInt(c))).toList();
    }

    private static List<String> classes(long[] labelCounts) {
        List<String> classes = new ArrayList<>();
        for (int label = 0; label < labelCounts.length; label++) {
            if (labelCounts[label] > 0) {
                classes.add(Integer.toString(label));
            }
        }
        return classes;
    }

    private static ColumnProfile labelProfile(long[] counts, long total) {
        Map<String, Long> histogram = new LinkedHashMap<>();
        int min = -1;
        int max = -1;
        double sum = 0;
        List<Integer> byCount = new ArrayList<>();
        for (int label = 0; label < counts.length; label++) {
            if (counts[label] > 0) {
                min = min < 0 ? label : min;
                max = label;
                sum += (double) label * counts[label];
                byCount.add(label);
            }
        }
        byCount.sort((a, b) -> Long.compare(counts[b], counts[a])); // stable: ties stay in label order
        byCount.stream().limit(ColumnProfile.HISTOGRAM_LIMIT)
                .forEach(label -> histogram.put(Integer.toString(label), counts[label]));
        return new ColumnProfile(LABEL, ColumnType.INTEGER, 0, (double) min, (double) max, sum / total, histogram);
    }
}
