package ai.aicrypto.plaza.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Real tabular data sets as a user would upload them, from the CSV files Debian's python3-sklearn ships (their
 * first line holds counts and class names instead of a header, so a header is written here).
 */
public final class SklearnData {

    private static final Path DIR = Path.of("/usr/lib/python3/dist-packages/sklearn/datasets/data");
    private static final List<String> WINE_COLUMNS = List.of("alcohol", "malic_acid", "ash", "alcalinity_of_ash",
            "magnesium", "total_phenols", "flavanoids", "nonflavanoid_phenols", "proanthocyanins", "color_intensity",
            "hue", "od280/od315_of_diluted_wines", "proline");

    private SklearnData() {
    }

    /**
     * The Wisconsin breast cancer data: 569 tumours, 30 measurements (columns m0 to m29), the diagnosis (malignant,
     * benign) last.
     */
    public static String breastCancerCsv() {
        try {
            List<String> lines = Files.readAllLines(DIR.resolve("breast_cancer.csv"));
            String[] classes = lines.get(0).split(",");
            StringBuilder csv = new StringBuilder();
            for (int i = 0; i < 30; i++) {
                csv.append('m').append(i).append(',');
            }
            csv.append("diagnosis\n");
            for (String line : lines.subList(1, lines.size())) {
                int last = line.lastIndexOf(',');
                csv.append(line, 0, last + 1).append(classes[2 + Integer.parseInt(line.substring(last + 1).strip())])
                        .append('\n');
            }
            return csv.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The optical recognition of handwritten digits data: 1,797 8x8 images as 64 pixel counts 0 to 16 (columns pixel_0
     * to pixel_63, row by row), the digit (0 to 9) last; the file is gzipped and has no first line to replace.
     */
    public static String digitsCsv() {
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(DIR.resolve("digits.csv.gz")))) {
            StringBuilder csv = new StringBuilder();
            for (int i = 0; i < 64; i++) {
                csv.append("pixel_").append(i).append(',');
            }
            csv.append("digit\n");
            new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).lines()
                    .forEach(line -> csv.append(line.strip()).append('\n'));
            return csv.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The wine recognition data: 178 wines, 13 measurements, the cultivar (class_0, class_1, class_2) last. */
    public static String wineCsv() {
        try {
            List<String> lines = Files.readAllLines(DIR.resolve("wine_data.csv"));
            String[] classes = lines.get(0).split(",");
            StringBuilder csv = new StringBuilder(String.join(",", WINE_COLUMNS)).append(",cultivar\n");
            for (String line : lines.subList(1, lines.size())) {
                int last = line.lastIndexOf(',');
                csv.append(line, 0, last + 1).append(classes[2 + Integer.parseInt(line.substring(last + 1).strip())])
                        .append('\n');
            }
            return csv.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
