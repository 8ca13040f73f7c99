package ai.aicrypto.plaza.competition.internal;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.support.SklearnData;

/**
 * The wine table Debian's python3-sklearn ships, split for a competition: every third wine is a test row (the table is
 * sorted by cultivar, so all three are in the test), ids w0..w59; the other 118 are the training rows.
 */
final class WineSplit {

    static final int TEST_ROWS = 60;
    private static final List<String> LINES = SklearnData.wineCsv().lines().toList();

    private WineSplit() {
    }

    /** The header: the 13 measurements, then {@code cultivar}. */
    static String header() {
        return LINES.get(0);
    }

    /** The training rows (not every third), each line passed through {@code edit} (the header too). */
    static String training(UnaryOperator<String> edit) {
        StringBuilder csv = new StringBuilder(edit.apply(header())).append('\n');
        for (int row = 0; row < LINES.size() - 1; row++) {
            if (row % 3 != 0) {
                csv.append(edit.apply(LINES.get(1 + row))).append('\n');
            }
        }
        return csv.toString();
    }

    /** The test rows' cultivars under their ids. */
    static String solution() {
        StringBuilder csv = new StringBuilder("id,cultivar\n");
        for (int i = 0; i < TEST_ROWS; i++) {
            String line = LINES.get(1 + 3 * i);
            csv.append('w').append(i).append(',').append(line.substring(line.lastIndexOf(',') + 1)).append('\n');
        }
        return csv.toString();
    }

    /** The test rows' measurements under their ids, each line passed through {@code edit} (the header too). */
    static String testInputs(UnaryOperator<String> edit) {
        String header = header();
        StringBuilder csv = new StringBuilder(edit.apply("id," + header.substring(0, header.lastIndexOf(',')))).append('\n');
        for (int i = 0; i < TEST_ROWS; i++) {
            String line = LINES.get(1 + 3 * i);
            csv.append(edit.apply("w" + i + "," + line.substring(0, line.lastIndexOf(',')))).append('\n');
        }
        return csv.toString();
    }

    /** Each training line with its cultivar replaced by the next one (class_0 named class_1, ..., class_2 named class_0). */
    static String mislabelled(String line) {
        int last = line.lastIndexOf(',');
        String cultivar = line.substring(last + 1);
        if (!cultivar.startsWith("class_")) {
            return line; // the header
        }
        int next = (Integer.parseInt(cultivar.substring("class_".length())) + 1) % 3;
        return line.substring(0, last + 1) + "class_" + next;
    }

    /** Uploads {@code csv} as a dataset of {@code ownerId}, labelled by {@code cultivar}; returns its listing id. */
    static long upload(Datasets datasets, long ownerId, Path dir, String title, String csv) throws IOException {
        return upload(datasets, ownerId, dir, title, csv, "cultivar");
    }

    static long upload(Datasets datasets, long ownerId, Path dir, String title, String csv, String label) throws IOException {
        Path file = Files.writeString(Files.createTempFile(dir, "wine-", ".csv"), csv);
        return datasets.importDataset(ownerId, new DatasetUpload(new ListingDraft(title, "", List.of(), "CC0-1.0",
                BigDecimal.ZERO), file, "wine.csv", null, null, label));
    }
}
