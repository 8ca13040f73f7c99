package ai.aicrypto.plaza.competition.scoring;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.csv.CSVRecord;

/**
 * The hidden answer key of a competition: a CSV {@code id,<target>} with unique ids, read once, and its seeded
 * public/private split of the test rows.
 *
 * <p>Targets are stored compactly: numbers as a {@code double[]} (RMSE, MAE), class labels as an {@code int[]} of
 * class indices into the sorted class names (accuracy, macro F1, ROC AUC, log loss). For binary metrics the target
 * must have exactly two classes and the positive class is the one that sorts last ({@link String#compareTo}), as
 * scikit-learn's label binarizer does: {@code 1} of {@code 0/1}, {@code true} of {@code false/true}, {@code spam} of
 * {@code ham/spam}. Ids are held in an {@link IdIndex} (no boxing), so a million rows take well under 100 MB.
 *
 * <p>The split is a function of the ids and the seed only, not of the row order: every id gets a 64-bit key from a
 * fixed hash (FNV-1a, then the SplitMix64 finalizer, both specified here, so it is stable across JVMs and runs), and
 * the {@code round(n * publicFraction)} ids with the smallest keys (ties broken by id) are public. So re-uploading
 * the same solution in another order keeps every row on its side. Each part has at least one row.
 */
public final class Solution {

    public static final double DEFAULT_PUBLIC_FRACTION = 0.30;

    /** How to split the test rows: the public fraction (0 < f < 1, default 0.30) and the seed. */
    public record Split(double publicFraction, long seed) {
        public Split {
            if (!(publicFraction > 0 && publicFraction < 1)) {
                throw new IllegalArgumentException("publicFraction must be between 0 and 1, not " + publicFraction);
            }
        }

        /** The default 30% public, 70% private split with this seed. */
        public static Split withSeed(long seed) {
            return new Split(DEFAULT_PUBLIC_FRACTION, seed);
        }
    }

    private final Metric metric;
    private final Split split;
    private final String targetColumn;
    private final IdIndex ids;
    private final int[] labels;
    private final double[] values;
    private final String[] classes;
    private final Map<String, Integer> classIndex;
    private final int[] publicRows;
    private final int[] privateRows;
    private final boolean bothClassesInEachPart;

    private Solution(Metric metric, Split split, String targetColumn, IdIndex ids, int[] labels, double[] values,
            String[] classes, int[] publicRows, int[] privateRows) {
        this.metric = metric;
        this.split = split;
        this.targetColumn = targetColumn;
        this.ids = ids;
        this.labels = labels;
        this.values = values;
        this.classes = classes;
        this.classIndex = new HashMap<>();
        if (classes != null) {
            for (int c = 0; c < classes.length; c++) {
                classIndex.put(classes[c], c);
            }
        }
        this.publicRows = publicRows;
        this.privateRows = privateRows;
        this.bothClassesInEachPart = classes != null && classes.length == 2
                && singleClass(publicRows) < 0 && singleClass(privateRows) < 0;
    }

    /** Reads the solution with the default 30/70 split. */
    public static Solution read(InputStream csv, Metric metric, long seed) throws IOException {
        return read(csv, metric, Split.withSeed(seed));
    }

    /**
     * Reads and checks the solution CSV for {@code metric}; closes {@code csv}.
     *
     * @throws SolutionRejected with every problem found (at most 10 of each kind)
     */
    public static Solution read(InputStream csv, Metric metric, Split split) throws IOException {
        Problems problems = new Problems();
        boolean numeric = metric.predictionKind() == Metric.PredictionKind.NUMBER;
        try (CsvLines lines = new CsvLines(csv, MessageKeys.SOLUTION_ENCODING, MessageKeys.SOLUTION_MALFORMED,
                MessageKeys.SOLUTION_LINE_TOO_LONG)) {
            CSVRecord header = lines.next();
            if (header == null) {
                throw new SolutionRejected(List.of(Problem.of(MessageKeys.SOLUTION_EMPTY)));
            }
            if (header.size() != 2 || !header.get(0).equals("id") || header.get(1).isBlank()) {
                throw new SolutionRejected(List.of(Problem.of(MessageKeys.SOLUTION_HEADER, join(header))));
            }
            IdIndex ids = new IdIndex(1024);
            int[] rowLines = new int[1024];
            double[] values = numeric ? new double[1024] : null;
            int[] labels = numeric ? null : new int[1024];
            Map<String, Integer> classIndex = new HashMap<>();
            List<String> classNames = new ArrayList<>();
            CSVRecord record;
            while ((record = lines.next()) != null) {
                long line = lines.line();
                if (record.size() != 2) {
                    problems.add(MessageKeys.SOLUTION_RAGGED, line, record.size());
                    continue;
                }
                String id = record.get(0);
                String target = record.get(1);
                if (id.isEmpty()) {
                    problems.add(MessageKeys.SOLUTION_BLANK_ID, line);
                    continue;
                }
                int row = ids.size();
                int earlier = ids.add(id);
                if (earlier >= 0) {
                    problems.add(MessageKeys.SOLUTION_DUPLICATE_ID, line, id, (long) rowLines[earlier]);
                    continue;
                }
                if (row == rowLines.length) {
                    int capacity = row + (row >> 1);
                    rowLines = Arrays.copyOf(rowLines, capacity);
                    if (numeric) {
                        values = Arrays.copyOf(values, capacity);
                    } else {
                        labels = Arrays.copyOf(labels, capacity);
                    }
                }
                rowLines[row] = (int) Math.min(line, Integer.MAX_VALUE);
                if (numeric) {
                    double value = Numbers.parse(target);
                    if (!Double.isFinite(value)) {
                        problems.add(MessageKeys.SOLUTION_NOT_A_NUMBER, line, target, id);
                    }
                    values[row] = value;
                } else if (target.isEmpty()) {
                    problems.add(MessageKeys.SOLUTION_BLANK_TARGET, line, id);
                } else {
                    Integer c = classIndex.get(target);
                    if (c == null) {
                        c = classNames.size();
                        classIndex.put(target, c);
                        classNames.add(target);
                    }
                    labels[row] = c;
                }
            }
            if (!problems.isEmpty()) {
                throw new SolutionRejected(problems.list());
            }
            int n = ids.size();
            if (n < 2) {
                throw new SolutionRejected(List.of(Problem.of(MessageKeys.SOLUTION_TOO_FEW_ROWS, n, 2)));
            }
            ids.seal();
            String[] classes = null;
            if (numeric) {
                values = Arrays.copyOf(values, n);
            } else {
                labels = Arrays.copyOf(labels, n);
                classes = classNames.toArray(String[]::new);
                Arrays.sort(classes);
                int[] remap = new int[classes.length];
                for (int c = 0; c < classes.length; c++) {
                    remap[classIndex.get(classes[c])] = c;
                }
                for (int row = 0; row < n; row++) {
                    labels[row] = remap[labels[row]];
                }
                if (metric.binary() && classes.length != 2) {
                    throw new SolutionRejected(List.of(Problem.of(MessageKeys.SOLUTION_NOT_BINARY, metric.name(),
                            classes.length, Problems.examples(Arrays.asList(classes), 20))));
                }
            }
            boolean[] isPublic = splitRows(ids, split);
            int publicCount = 0;
            for (boolean p : isPublic) {
                publicCount += p ? 1 : 0;
            }
            int[] publicRows = new int[publicCount];
            int[] privateRows = new int[n - publicCount];
            for (int row = 0, a = 0, b = 0; row < n; row++) {
                if (isPublic[row]) {
                    publicRows[a++] = row;
                } else {
                    privateRows[b++] = row;
                }
            }
            Solution solution = new Solution(metric, split, header.get(1), ids, labels, values, classes,
                    publicRows, privateRows);
            if (metric == Metric.ROC_AUC && !solution.bothClassesInEachPart) {
                int part = solution.singleClass(publicRows) >= 0 ? 0 : 1;
                int only = solution.singleClass(part == 0 ? publicRows : privateRows);
                throw new SolutionRejected(List.of(Problem.of(MessageKeys.SOLUTION_SPLIT_SINGLE_CLASS, part,
                        classes[only], metric.name())));
            }
            return solution;
        } catch (CsvLines.Stop stop) {
            throw new SolutionRejected(List.of(stop.problem));
        }
    }

    private static String join(CSVRecord record) {
        return String.join(",", record.toList());
    }

    /** The number of public rows: {@code round(n * fraction)}, but at least 1 and at most n - 1. */
    static int publicCount(int n, double fraction) {
        return (int) Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
    }

    /** Which rows are public: the {@link #publicCount} rows whose ids have the smallest {@link #key}s. */
    static boolean[] splitRows(IdIndex ids, Split split) {
        int n = ids.size();
        int k = publicCount(n, split.publicFraction());
        long[] keys = new long[n];
        for (int row = 0; row < n; row++) {
            keys[row] = key(ids.id(row), split.seed());
        }
        long[] sorted = keys.clone();
        Arrays.sort(sorted);
        long threshold = sorted[k - 1];
        boolean[] isPublic = new boolean[n];
        int below = 0;
        List<String> tied = new ArrayList<>();
        for (int row = 0; row < n; row++) {
            if (keys[row] < threshold) {
                isPublic[row] = true;
                below++;
            } else if (keys[row] == threshold) {
                tied.add(ids.id(row));
            }
        }
        tied.sort(null);
        for (String id : tied.subList(0, k - below)) {
            isPublic[ids.row(id)] = true;
        }
        return isPublic;
    }

    /** The split key of an id: FNV-1a over its UTF-16 chars, mixed with the seed by the SplitMix64 finalizer. */
    static long key(String id, long seed) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        long z = h + seed * 0x9E3779B97F4A7C15L + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The only class among {@code rows}, or -1 when there are two. */
    private int singleClass(int[] rows) {
        if (classes == null || rows.length == 0) {
            return -1;
        }
        int first = labels[rows[0]];
        for (int row : rows) {
            if (labels[row] != first) {
                return -1;
            }
        }
        return first;
    }

    /**
     * Checks that a fixed solution names exactly the ids of this one (it is read with the same metric and split,
     * so every id stays on its side of the split).
     *
     * @throws SolutionRejected with the counts of missing and extra ids and the first of each
     */
    public void requireSameIds(Solution fixed) {
        Problems problems = new Problems();
        IdCoverage coverage = new IdCoverage(this);
        for (int row = 0; row < fixed.size(); row++) {
            coverage.see(row + 2L, fixed.ids.id(row), problems, MessageKeys.SOLUTION_DUPLICATE_ID);
        }
        coverage.summarize(problems, MessageKeys.FIXED_SOLUTION_EXTRA_IDS, MessageKeys.FIXED_SOLUTION_MISSING_IDS);
        if (!problems.isEmpty()) {
            throw new SolutionRejected(problems.list());
        }
    }

    /** The metric this solution was checked for. */
    public Metric metric() {
        return metric;
    }

    /**
     * Whether submissions can be scored with {@code metric} against this solution: the same kind of target
     * (numbers or classes), two classes for binary metrics, and for ROC AUC both classes in each part.
     */
    public boolean supports(Metric other) {
        boolean numeric = other.predictionKind() == Metric.PredictionKind.NUMBER;
        if (numeric != (values != null)) {
            return false;
        }
        if (other.binary() && classes.length != 2) {
            return false;
        }
        return other != Metric.ROC_AUC || bothClassesInEachPart;
    }

    public Split split() {
        return split;
    }

    /** The name of the target column (the header's second column). */
    public String targetColumn() {
        return targetColumn;
    }

    /** Test rows in all. */
    public int size() {
        return ids.size();
    }

    /** About the bytes it holds in memory, for a cache to weigh it by. */
    public long bytes() {
        return ids.bytes() + (labels == null ? 0 : 4L * labels.length) + (values == null ? 0 : 8L * values.length)
                + 4L * (publicRows.length + privateRows.length);
    }

    public int publicSize() {
        return publicRows.length;
    }

    public int privateSize() {
        return privateRows.length;
    }

    /** The class labels, sorted; empty for a numeric target. For two classes the second is the positive one. */
    public List<String> classes() {
        return classes == null ? List.of() : List.of(classes);
    }

    /** Whether the row of {@code id} is public; for the host's own checks, never to show to participants. */
    boolean isPublic(String id) {
        int row = ids.row(id);
        if (row < 0) {
            throw new IllegalArgumentException("unknown id " + id);
        }
        return Arrays.binarySearch(publicRows, row) >= 0;
    }

    IdIndex ids() {
        return ids;
    }

    int[] labels() {
        return labels;
    }

    double[] values() {
        return values;
    }

    /** The class index of {@code label}, or -1. */
    int classIndex(String label) {
        Integer c = classIndex.get(label);
        return c == null ? -1 : c;
    }

    int[] publicRows() {
        return publicRows;
    }

    int[] privateRows() {
        return privateRows;
    }

    @Override
    public String toString() {
        return "Solution[" + metric + ", " + size() + " rows, " + publicSize() + " public]";
    }
}
