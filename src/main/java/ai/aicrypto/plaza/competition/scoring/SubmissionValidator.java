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
        Run run = new Run(labels);
        long rows = 0;
        int found = 0;
        int next = 0;
        int sequentialMisses = 0;
        CSVRecord record;
        boolean more = true;
        while (more) {
            // Rows are read a run at a time, then their ids resolved, then checked in the order read. While the ids
            // follow the test set's order, runs are short and each id is compared with the row after the last one;
            // once that has failed too often, a run takes as many rows as the test set has (and ids of at most a few
            // times its characters: memory stays bounded by the solution's size), whose ids are looked up together.
            int capacity = sequentialMisses < MAX_SEQUENTIAL_MISSES ? Run.SEQUENTIAL : Math.max(n, Run.SEQUENTIAL);
            int maxChars = Math.max(4 * ids.charCount(), 1 << 20);
            run.clear(capacity, ids.charCount() / n);
            while (run.size < capacity && run.ids.charCount() < maxChars && (more = (record = lines.next()) != null)) {
                if ((++rows & (CHECK_INTERRUPT_EVERY - 1)) == 0 && Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("submission validation interrupted");
                }
                if (record.size() != 2) {
                    run.addRagged(lines.line(), record.size());
                } else if (labels) {
                    String prediction = record.get(1);
                    int c = solution.classIndex(prediction);
                    run.addLabel(lines.line(), record.get(0), c, c < 0 ? prediction : null);
                } else {
                    String prediction = record.get(1);
                    double value = Numbers.parse(prediction);
                    boolean valid = Double.isFinite(value) && (!probabilities || value >= 0 && value <= 1);
                    run.addValue(lines.line(), record.get(0), value, valid ? null : prediction);
                }
            }
            int pending = 0;
            for (int i = 0; i < run.size; i++) {
                if (run.rows[i] == Run.RAGGED) {
                    continue;
                }
                if (sequentialMisses < MAX_SEQUENTIAL_MISSES) {
                    // Most submissions list the ids in the test set's order: try the row after the last one first,
                    // until that has failed too often.
                    int row;
                    if (next < n && ids.is(next, run.ids, i)) {
                        row = next;
                    } else {
                        row = ids.row(run.ids, i);
                        sequentialMisses++;
                    }
                    run.rows[i] = row;
                    if (row >= 0) {
                        next = row + 1;
                    }
                } else {
                    run.pending[pending++] = i;
                }
            }
            if (pending > 0) {
                ids.rows(run.ids, run.pending, pending, run.rows);
            }
            for (int i = 0; i < run.size; i++) {
                long line = run.lines[i];
                int row = run.rows[i];
                if (row == Run.RAGGED) {
                    problems.add(MessageKeys.SUBMISSION_RAGGED, line, run.odd.get(i));
                    continue;
                }
                if (row < 0) {
                    problems.add(MessageKeys.SUBMISSION_UNKNOWN_ID, line, run.ids.id(i));
                    continue;
                }
                int earlier = seenOnLine[row];
                if (earlier != 0) {
                    problems.add(MessageKeys.SUBMISSION_DUPLICATE_ID, line, run.ids.id(i), (long) earlier);
                    continue;
                }
                seenOnLine[row] = (int) Math.min(line, Integer.MAX_VALUE);
                found++;
                String odd = run.odd.isEmpty() ? null : (String) run.odd.get(i);
                if (labels) {
                    int c = run.labels[i];
                    if (c < 0 && unknown == UnknownLabels.WRONG) {
                        c = extraClasses.computeIfAbsent(odd, label -> solution.classes().size() + extraClasses.size());
                    } else if (c < 0) {
                        problems.add(MessageKeys.SUBMISSION_UNKNOWN_LABEL, line, odd, run.ids.id(i),
                                Problems.examples(solution.classes(), 20));
                    }
                    predictedLabels[row] = c;
                    continue;
                }
                double value = run.values[i];
                if (odd != null) {
                    if (Double.isNaN(value) && !Numbers.isNonFiniteLiteral(odd)) {
                        problems.add(MessageKeys.SUBMISSION_NOT_A_NUMBER, line, odd, run.ids.id(i));
                    } else if (!Double.isFinite(value)) {
                        problems.add(MessageKeys.SUBMISSION_NOT_FINITE, line, odd, run.ids.id(i));
                    } else {
                        problems.add(MessageKeys.SUBMISSION_NOT_A_PROBABILITY, line, odd, run.ids.id(i));
                    }
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
     * Rows read but not yet checked, in the order read: line, id, prediction (a class index, -1 for a label the
     * solution lacks, or a number), then the id's row once resolved. An invalid prediction keeps its text in
     * {@link #odd} for the message, and a ragged row its number of fields; no other row keeps a string.
     */
    private static final class Run {
        static final int SEQUENTIAL = 1024;
        static final int RAGGED = -2;
        final IdBatch ids = new IdBatch(SEQUENTIAL, 16 * SEQUENTIAL);
        final Map<Integer, Object> odd = new HashMap<>();
        long[] lines = new long[SEQUENTIAL];
        int[] labels;
        double[] values;
        int[] rows = new int[SEQUENTIAL];
        int[] pending = new int[SEQUENTIAL];
        int size;

        Run(boolean labels) {
            if (labels) {
                this.labels = new int[SEQUENTIAL];
            } else {
                values = new double[SEQUENTIAL];
            }
        }

        /** Empties the run, making room for {@code capacity} rows of ids about {@code idLength} long. */
        void clear(int capacity, int idLength) {
            size = 0;
            odd.clear();
            if (lines.length < capacity) {
                lines = new long[capacity];
                rows = new int[capacity];
                pending = new int[capacity];
                if (labels != null) {
                    labels = new int[capacity];
                } else {
                    values = new double[capacity];
                }
                ids.reserve(capacity, capacity * (idLength + 1));
            }
            ids.clear();
        }

        void addRagged(long line, int fields) {
            odd.put(size, fields);
            add(line, "", RAGGED);
        }

        void addLabel(long line, String id, int label, String unknownLabel) {
            if (unknownLabel != null) {
                odd.put(size, unknownLabel);
            }
            labels[size] = label;
            add(line, id, 0);
        }

        void addValue(long line, String id, double value, String invalid) {
            if (invalid != null) {
                odd.put(size, invalid);
            }
            values[size] = value;
            add(line, id, 0);
        }

        private void add(long line, String id, int row) {
            lines[size] = line;
            rows[size++] = row;
            ids.add(id);
        }
    }
}
