package ai.aicrypto.plaza.competition.scoring;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    public static final String ID = "id";
    public static final String PREDICTION = "prediction";
    private static final int CHECK_INTERRUPT_EVERY = 1 << 16;
    private static final int MAX_SEQUENTIAL_MISSES = 1_000;

    private SubmissionValidator() {
    }

    /** What a class label that the solution does not have means. */
    public enum UnknownLabels {
        /** A mistake in the file (a typo, the wrong column): the submission is refused, naming the line. */
        REFUSED,
        /**
         * A wrong answer, a class of its own: a model's answers, where a class it learnt may be absent from the hidden
         * truth. Macro F1 then averages over it too, as scikit-learn's does over the classes of truth and predictions.
         */
        WRONG
    }

    /** Validates against the solution's own metric. */
    public static Predictions validate(Solution solution, InputStream submission) throws IOException {
        return validate(solution, solution.metric(), submission);
    }

    /** Validates against the solution's own metric, reading labels the solution does not have as {@code unknown} says. */
    public static Predictions validate(Solution solution, InputStream submission, UnknownLabels unknown) throws IOException {
        return validate(solution, solution.metric(), submission, unknown);
    }

    /**
     * Validates {@code submission} (closed afterwards) for scoring with {@code metric}.
     *
     * @throws SubmissionRejected with every problem found
     * @throws IllegalArgumentException if the solution does not {@linkplain Solution#supports support} the metric
     */
    public static Predictions validate(Solution solution, Metric metric, InputStream submission) throws IOException {
        return validate(solution, metric, submission, UnknownLabels.REFUSED);
    }

    private static Predictions validate(Solution solution, Metric metric, InputStream submission, UnknownLabels unknown)
            throws IOException {
        if (!solution.supports(metric)) {
            throw new IllegalArgumentException(solution + " cannot be scored with " + metric);
        }
        try (CsvLines lines = new CsvLines(submission, MessageKeys.SUBMISSION_ENCODING,
                MessageKeys.SUBMISSION_MALFORMED, MessageKeys.SUBMISSION_LINE_TOO_LONG)) {
            return read(solution, metric, lines, unknown);
        } catch (CsvLines.Stop stop) {
            throw new SubmissionRejected(List.of(stop.problem));
        }
    }

    private static Predictions read(Solution solution, Metric metric, CsvLines lines, UnknownLabels unknown)
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
        Map<String, Integer> extraClasses = new HashMap<>(); // UnknownLabels.WRONG: indices after the solution's
        Problems problems = new Problems();
        Batch batch = new Batch();
        long rows = 0;
        int found = 0;
        int next = 0;
        int sequentialMisses = 0;
        CSVRecord record;
        boolean more = true;
        while (more) {
            // Rows are read a batch at a time and their ids resolved together: in a shuffled submission each
            // lookup is a cache miss, and resolving many ids at once lets the processor wait for many misses at once.
            batch.size = 0;
            while (batch.size < Batch.SIZE && (more = (record = lines.next()) != null)) {
                if ((++rows & (CHECK_INTERRUPT_EVERY - 1)) == 0 && Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("submission validation interrupted");
                }
                if (record.size() != 2) {
                    problems.add(MessageKeys.SUBMISSION_RAGGED, lines.line(), record.size());
                    continue;
                }
                batch.add(lines.line(), record.get(0), record.get(1));
            }
            if (sequentialMisses < MAX_SEQUENTIAL_MISSES) {
                for (int i = 0; i < batch.size; i++) {
                    // Most submissions list the ids in the test set's order: try the row after the last one first,
                    // until that has failed too often.
                    String id = batch.ids[i];
                    int row;
                    if (next < n && ids.is(next, id)) {
                        row = next;
                    } else {
                        row = ids.row(id);
                        sequentialMisses++;
                    }
                    batch.rows[i] = row;
                    if (row >= 0) {
                        next = row + 1;
                    }
                }
            } else {
                ids.rows(batch.ids, batch.size, batch.rows);
            }
            // Marking the rows seen is a pass of its own too, for the same reason.
            for (int i = 0; i < batch.size; i++) {
                int row = batch.rows[i];
                if (row >= 0) {
                    int earlier = seenOnLine[row];
                    batch.earlierLines[i] = earlier;
                    if (earlier == 0) {
                        seenOnLine[row] = (int) Math.min(batch.lines[i], Integer.MAX_VALUE);
                    }
                }
            }
            for (int i = 0; i < batch.size; i++) {
                long line = batch.lines[i];
                String id = batch.ids[i];
                int row = batch.rows[i];
                if (row < 0) {
                    problems.add(MessageKeys.SUBMISSION_UNKNOWN_ID, line, id);
                    continue;
                }
                if (batch.earlierLines[i] != 0) {
                    problems.add(MessageKeys.SUBMISSION_DUPLICATE_ID, line, id, (long) batch.earlierLines[i]);
                    continue;
                }
                found++;
                String prediction = batch.predictions[i];
                if (labels) {
                    int c = solution.classIndex(prediction);
                    if (c < 0 && unknown == UnknownLabels.WRONG) {
                        c = extraClasses.computeIfAbsent(prediction, label -> solution.classes().size() + extraClasses.size());
                    } else if (c < 0) {
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

    /**
     * Rows read but not yet checked: line, id and prediction, then the id's row and the line the row was seen on
     * before (0 if not).
     */
    private static final class Batch {
        static final int SIZE = 1024;
        final long[] lines = new long[SIZE];
        final String[] ids = new String[SIZE];
        final String[] predictions = new String[SIZE];
        final int[] rows = new int[SIZE];
        final int[] earlierLines = new int[SIZE];
        int size;

        void add(long line, String id, String prediction) {
            lines[size] = line;
            ids[size] = id;
            predictions[size++] = prediction;
        }
    }
}
