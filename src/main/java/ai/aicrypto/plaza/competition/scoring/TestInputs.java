package ai.aicrypto.plaza.competition.scoring;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;

import org.apache.commons.csv.CSVRecord;

/**
 * The test inputs participants predict on: a CSV with an {@code id} column and the feature columns, one row for
 * every id of the solution and no other (or, for an image competition, one image named by its id for each;
 * {@link #checkImages}), and no column named like the solution's target (a host who exports the
 * test set with its labels must not publish them). Checked against the {@link Solution} in one streaming pass;
 * everything wrong is reported at once: how many ids are missing and which come first, likewise the ids the
 * solution does not have, and each duplicate with its lines.
 */
public final class TestInputs {

    private final int columns;
    private final int[] rowOrder;

    private TestInputs(int columns, int[] rowOrder) {
        this.columns = columns;
        this.rowOrder = rowOrder;
    }

    /**
     * Reads and checks {@code csv} (closed afterwards) against {@code solution}.
     *
     * @throws TestInputsRejected with every problem found
     */
    public static TestInputs check(Solution solution, InputStream csv) throws IOException {
        try (CsvLines lines = new CsvLines(csv, MessageKeys.TEST_INPUTS_ENCODING, MessageKeys.TEST_INPUTS_MALFORMED,
                MessageKeys.TEST_INPUTS_LINE_TOO_LONG)) {
            CSVRecord header = lines.next();
            if (header == null) {
                throw new TestInputsRejected(List.of(Problem.of(MessageKeys.TEST_INPUTS_EMPTY)));
            }
            List<String> names = header.toList();
            int idColumn = names.indexOf(SubmissionValidator.ID);
            if (idColumn < 0 || names.lastIndexOf(SubmissionValidator.ID) != idColumn || names.size() < 2) {
                throw new TestInputsRejected(List.of(Problem.of(MessageKeys.TEST_INPUTS_HEADER,
                        Problems.examples(names, 20))));
            }
            String target = solution.targetColumn().toLowerCase(Locale.ROOT);
            for (String name : names) {
                if (name.strip().toLowerCase(Locale.ROOT).equals(target)) {
                    throw new TestInputsRejected(List.of(Problem.of(MessageKeys.TEST_INPUTS_TARGET_COLUMN, name)));
                }
            }
            Problems problems = new Problems();
            IdCoverage coverage = new IdCoverage(solution);
            int[] order = new int[solution.size()];
            int inOrder = 0;
            CSVRecord record;
            while ((record = lines.next()) != null) {
                long line = lines.line();
                if (record.size() != names.size()) {
                    problems.add(MessageKeys.TEST_INPUTS_RAGGED, line, record.size(), names.size());
                    continue;
                }
                String id = record.get(idColumn);
                if (id.isEmpty()) {
                    problems.add(MessageKeys.TEST_INPUTS_BLANK_ID, line);
                    continue;
                }
                int row = coverage.see(line, id, problems, MessageKeys.TEST_INPUTS_DUPLICATE_ID);
                if (row >= 0) {
                    order[inOrder++] = row;
                }
            }
            coverage.summarize(problems, MessageKeys.TEST_INPUTS_EXTRA_IDS, MessageKeys.TEST_INPUTS_MISSING_IDS);
            if (!problems.isEmpty()) {
                throw new TestInputsRejected(problems.list());
            }
            return new TestInputs(names.size(), order);
        } catch (CsvLines.Stop stop) {
            throw new TestInputsRejected(List.of(stop.problem));
        }
    }

    /**
     * Checks the ids of an image competition's test images (a ZIP's, in its order) against {@code solution}: every id
     * once, no other.
     *
     * @throws TestInputsRejected with every problem found
     */
    public static TestInputs checkImages(Solution solution, List<String> ids) {
        Problems problems = new Problems();
        IdCoverage coverage = new IdCoverage(solution);
        int[] order = new int[solution.size()];
        int inOrder = 0;
        for (int i = 0; i < ids.size(); i++) {
            int row = coverage.see(i + 1, ids.get(i), problems, MessageKeys.TEST_INPUTS_DUPLICATE_IMAGE);
            if (row >= 0) {
                order[inOrder++] = row;
            }
        }
        coverage.summarize(problems, MessageKeys.TEST_INPUTS_EXTRA_IMAGES, MessageKeys.TEST_INPUTS_MISSING_IMAGES);
        if (!problems.isEmpty()) {
            throw new TestInputsRejected(problems.list());
        }
        return new TestInputs(0, order);
    }

    /** Whether these are an image competition's test images (a ZIP), not a CSV. */
    public boolean images() {
        return columns == 0;
    }

    /** Columns of the file, the id column included; 0 for images. */
    public int columns() {
        return columns;
    }

    /** Rows of the file: as many as the solution has. */
    public int rows() {
        return rowOrder.length;
    }

    /** The solution rows in the order the test inputs list their ids. */
    int[] rowOrder() {
        return rowOrder;
    }
}
