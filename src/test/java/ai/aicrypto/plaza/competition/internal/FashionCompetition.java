package ai.aicrypto.plaza.competition.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A competition on real data, split by the test: the first images of Fashion-MNIST's test file (Debian package
 * dataset-fashion-mnist) as training data with labels, the next ones as test inputs (id and pixels) and the
 * solution (id and label). Also a participant's model: nearest class centroid, trained on the downloaded training
 * CSV and run on the downloaded test inputs.
 */
final class FashionCompetition {

    static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final int PIXELS = 784;

    final int[][] images;
    final int[] labels;
    final int train;

    FashionCompetition(int train, int test) throws IOException {
        Path images = DIR.resolve("t10k-images-idx3-ubyte.gz");
        Path labels = DIR.resolve("t10k-labels-idx1-ubyte.gz");
        // ops/test installs the package; a missing file is a broken setup, not a reason to skip.
        assertTrue(Files.exists(images) && Files.exists(labels), "apt-get install dataset-fashion-mnist");
        this.train = train;
        int n = train + test;
        this.images = new int[n][PIXELS];
        this.labels = new int[n];
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(images)))) {
            in.skipNBytes(16); // magic, count, rows, columns
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < PIXELS; p++) {
                    this.images[i][p] = in.readUnsignedByte();
                }
            }
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(labels))) {
            in.skipNBytes(8);
            for (int i = 0; i < n; i++) {
                this.labels[i] = in.read();
            }
        }
    }

    static String pixelHeader() {
        StringBuilder s = new StringBuilder();
        for (int p = 0; p < PIXELS; p++) {
            s.append(p == 0 ? "" : ",").append("p").append(p);
        }
        return s.toString();
    }

    /** The training rows: pixels and label. */
    String trainingCsv() {
        StringBuilder s = new StringBuilder(pixelHeader()).append(",label\n");
        for (int i = 0; i < train; i++) {
            s.append(row(i)).append(',').append(labels[i]).append('\n');
        }
        return s.toString();
    }

    /** The test rows as participants get them: id and pixels, ids f0, f1, ... */
    String testInputsCsv() {
        return testInputsCsv(ids());
    }

    String testInputsCsv(List<String> ids) {
        StringBuilder s = new StringBuilder("id,").append(pixelHeader()).append('\n');
        for (int k = 0; k < ids.size(); k++) {
            s.append(ids.get(k)).append(',').append(row(train + Math.min(k, labels.length - train - 1))).append('\n');
        }
        return s.toString();
    }

    List<String> ids() {
        List<String> ids = new ArrayList<>();
        for (int i = train; i < labels.length; i++) {
            ids.add("f" + (i - train));
        }
        return ids;
    }

    String solutionCsv() {
        StringBuilder s = new StringBuilder("id,label\n");
        for (int i = train; i < labels.length; i++) {
            s.append("f").append(i - train).append(',').append(labels[i]).append('\n');
        }
        return s.toString();
    }

    private String row(int i) {
        StringBuilder s = new StringBuilder();
        for (int p = 0; p < PIXELS; p++) {
            s.append(p == 0 ? "" : ",").append(images[i][p]);
        }
        return s.toString();
    }

    /** Nearest class centroid, fitted on a training CSV (pixels then label) and applied to a test inputs CSV. */
    static String centroidPredictions(String trainingCsv, String testInputsCsv) {
        double[][] sums = new double[10][PIXELS];
        int[] counts = new int[10];
        List<String> lines = trainingCsv.lines().skip(1).toList();
        for (String line : lines) {
            String[] v = line.split(",");
            int label = Integer.parseInt(v[PIXELS]);
            counts[label]++;
            for (int p = 0; p < PIXELS; p++) {
                sums[label][p] += Integer.parseInt(v[p]);
            }
        }
        StringBuilder out = new StringBuilder("id,prediction\n");
        for (String line : testInputsCsv.lines().skip(1).toList()) {
            String[] v = line.split(",");
            int best = -1;
            double bestDistance = Double.MAX_VALUE;
            for (int c = 0; c < 10; c++) {
                if (counts[c] == 0) {
                    continue;
                }
                double d = 0;
                for (int p = 0; p < PIXELS; p++) {
                    double diff = Integer.parseInt(v[p + 1]) - sums[c][p] / counts[c];
                    d += diff * diff;
                }
                if (d < bestDistance) {
                    bestDistance = d;
                    best = c;
                }
            }
            out.append(v[0]).append(',').append(best).append('\n');
        }
        return out.toString();
    }
}
