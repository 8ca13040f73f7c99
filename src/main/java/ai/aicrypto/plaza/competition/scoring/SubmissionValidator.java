package ai.aicrypto.plaza.competition.scoring;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

import org.apache.commons.csv.CSVRecord;

/**
 * Checks a predictions CSV against a {@link Solution} in one streaming pass and returns the predictions aligned with
 * the solution's rows. A submission counts only if its first line is exactly {@code id,prediction} and it has
 * exactly one row for every test id, each with a valid prediction for the metric: a class label of the solution
 * (accuracy, macro F1), a probability in [0, 1] (ROC AUC, log loss) or a finite number (RMSE, MAE). Blank lines are
 * ignored and a UTF-8 byte order mark is skipped.
 *
 * <p>Everything wrong is reported at once, with the exact line and id; per kind of problem the first
 * {@link Problems#EXAMPLES} are listed and then how many more there are. Memory is bounded by the solution's size,
 * whatever the submission holds. Reading stops with a {@link CancellationException} if the thread is interrupted.
 */
public final class SubmissionValidator {

    static final String ID = "id";
    static final String PREDICTION = "prediction";
    private static final int CHECK_INTERRUPT_EVERY = 1 << 16;
    private static final int MAX_SEQUENTIAL_MISSES = 1_000;

    private SubmissionValidator() {
    }

    /** Validates against the solution's own metric. */
    public static Predictions validate(Solution solution, InputStream submission) throws IOException {
        return validate(solution, solution.metric(), submission);
    }

    /**
     * Validates {@code submission} (closed afterwards) for scoring with {@code metric}.
     *
     * @throws SubmissionRejected with every problem found
     * @throws IllegalArgumentException if the solution does not {@linkplain Solution#supports support} the metric
     */
    public static Predictions validate(Solution solution, Metric metric, InputStream submission) throws IOException {
        if (!solution.supports(metric)) {
            throw new IllegalArgumentException(solution + " cannot be scored with " + metric);
        }
        try (CsvLines lines = new CsvLines(submission, MessageKeys.SUBMISSION_ENCODING,
                MessageKeys.SUBMISSION_MALFORMED, MessageKeys.SUBMISSION_LINE_TOO_LONG)) {
            return read(solution, metric, lines);
        } catch (CsvLines.Stop stop) {
            throw new SubmissionRejected(List.of(stop.problem));
        }
    }

    private static Predictions read(Solution solution, Metric metric, CsvLines lines)
            throws IOException, CsvLines.Stop {
        CSVRecord header = lines.next();
        if (header == null) {
            throw new SubmissionRejected(List.of(Problem.of(MessageKeys.SUBMISSION_EMPTY)));
        }
        if (header.size() != 2 || !header.get(0).equals(ID) || !header.get(1).equals(PREDICTION)) {
            throw new SubmissionRejected(List.of(Problem.of(MessageKeys.SUBMISSION_HEADER,
                    String.join(",", header.toList()))));
        }
        int n = solution.size();
        IdIndex ids = solution.ids();
        boolean labels = metric.labelPredictions();
        boolean probabilities = metric.binary();
        int[] predictedLabels = labels ? new int[n] : null;
        double[] predictedValues = labels ? null : new double[n];
        int[] seenOnLine = new int[n]; // 0: not seen yet
        Problems problems = new Problems();
        long rows = 0;
        int found = 0;
        int next = 0;
        int sequentialMisses = 0;
        CSVRecord record;
        while ((record = lines.next()) != null) {
            if ((++rows & (CHECK_INTERRUPT_EVERY - 1)) == 0 && Thread.currentThread().isInterrupted()) {
                throw new CancellationException("submission validation interrupted");
            }
            long line = lines.line();
            if (record.size() != 2) {
                problems.add(MessageKeys.SUBMISSION_RAGGED, line, record.size());
                continue;
            }
            String id = record.get(0);
            // Most submissions list the ids in the test set's order: try the row after the last one first, until
            // that has failed too often (a shuffled submission would only pay for the extra cache misses).
            int row;
            if (sequentialMisses < MAX_SEQUENTIAL_MISSES && next < n && ids.id(next).equals(id)) {
                row = next;
            } else {
                row = ids.row(id);
                sequentialMisses++;
            }
            if (row < 0) {
                problems.add(MessageKeys.SUBMISSION_UNKNOWN_ID, line, id);
                continue;
            }
            if (seenOnLine[row] != 0) {
                problems.add(MessageKeys.SUBMISSION_DUPLICATE_ID, line, id, (long) seenOnLine[row]);
                continue;
            }
            seenOnLine[row] = (int) Math.min(line, Integer.MAX_VALUE);
            next = row + 1;
            found++;
            String prediction = record.get(1);
            if (labels) {
                int c = solution.classIndex(prediction);
                if (c < 0) {
                    problems.add(MessageKeys.SUBMISSION_UNKNOWN_LABEL, line, prediction, id,
                            Problems.examples(solution.classes(), 20));
                }
                predictedLabels[row] = c;
                continue;
            }
            double value = Numbers.parse(prediction);
            if (Double.isNaN(value) && !Numbers.isNonFiniteLiteral(prediction)) {
                problems.add(MessageKeys.SUBMISSION_NOT_A_NUMBER, line, prediction, id);
            } else if (!Double.isFinite(value)) {
                problems.add(MessageKeys.SUBMISSION_NOT_FINITE, line, prediction, id);
            } else if (probabilities && !(value >= 0 && value <= 1)) {
                problems.add(MessageKeys.SUBMISSION_NOT_A_PROBABILITY, line, prediction, id);
            }
            predictedValues[row] = value;
        }
        if (rows == 0) {
            throw new SubmissionRejected(List.of(Problem.of(MessageKeys.SUBMISSION_NO_ROWS, n)));
        }
        if (rows != n) {
            problems.addFirst(MessageKeys.SUBMISSION_ROW_COUNT, rows, n);
        }
        if (found < n) {
            List<String> missing = new ArrayList<>(Problems.EXAMPLES);
            for (int row = 0; row < n && missing.size() < Problems.EXAMPLES; row++) {
                if (seenOnLine[row] == 0) {
                    missing.add(ids.id(row));
                }
            }
            problems.add(MessageKeys.SUBMISSION_MISSING_IDS, n - found, Problems.examples(missing, Problems.EXAMPLES));
        }
        if (!problems.isEmpty()) {
            throw new SubmissionRejected(problems.list());
        }
        return new Predictions(metric, predictedLabels, predictedValues);
    }
}
