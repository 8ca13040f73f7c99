package ai.aicrypto.plaza.dataset.format;

import java.util.Comparator;
import java.util.List;

/** Streaming type inference and statistics for one CSV/TSV column. */
final class ColumnAccumulator {

    /**
     * Distinct values tracked while a column still looks numeric: enough to decide whether a numeric label is a
     * class label, without hashing every value of large numeric columns.
     */
    static final int NUMERIC_DISTINCT_CAP = 100;
    static final int CATEGORICAL_DISTINCT_CAP = 10_000;

    /** Orders numeric strings by value, e.g. {@code "2" < "10"}. */
    static final Comparator<String> NUMERIC_ORDER =
            Comparator.<String>comparingDouble(Double::parseDouble).thenComparing(Comparator.naturalOrder());

    private final String name;
    private final int categoricalCap;
    private final CategoryCounter categories = new CategoryCounter(NUMERIC_DISTINCT_CAP);
    private boolean numeric = true;
    private boolean integer = true;
    private long present;
    private long missing;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private double sum;
    /** The values so far count up by one from 0 or 1: a row number, which says nothing about the row. */
    private boolean rowNumber = true;
    private long previous;
    // Welford's running mean and sum of squared deviations: stable where sum of squares would cancel.
    private double runningMean;
    private double squaredDeviations;

    /** @param categoricalCap distinct values counted once the column turns out not to be numeric */
    ColumnAccumulator(String name, int categoricalCap) {
        this.name = name;
        this.categoricalCap = categoricalCap;
    }

    void add(String value) {
        if (Values.isMissing(value)) {
            missing++;
            rowNumber = false;
            return;
        }
        present++;
        if (numeric) {
            addNumber(value);
        }
        categories.add(value);
    }

    private void addNumber(String value) {
        double x;
        if (integer && Values.isInteger(value)) {
            long n = Long.parseLong(value);
            rowNumber &= present == 1 ? n == 0 || n == 1 : n == previous + 1;
            previous = n;
            x = n;
        } else if (Values.isDecimal(value)) {
            integer = false;
            x = Double.parseDouble(value);
        } else {
            numeric = false;
            categories.raiseCap(categoricalCap);
            return;
        }
        min = Math.min(min, x);
        max = Math.max(max, x);
        sum += x;
        double delta = x - runningMean;
        runningMean += delta / present;
        squaredDeviations += delta * (x - runningMean);
    }

    String name() {
        return name;
    }

    long present() {
        return present;
    }

    /** An integer column counting 0, 1, 2, ... or 1, 2, 3, ... row by row, with no gaps. */
    boolean rowNumber() {
        return type() == ColumnType.INTEGER && rowNumber && present > 1;
    }

    long missing() {
        return missing;
    }

    /** Mean of a numeric column's values. */
    double mean() {
        return sum / present;
    }

    /** Population standard deviation of a numeric column's values. */
    double std() {
        return Math.sqrt(squaredDeviations / present);
    }

    ColumnType type() {
        if (present == 0 || !numeric) {
            return ColumnType.CATEGORICAL;
        }
        return integer ? ColumnType.INTEGER : ColumnType.DECIMAL;
    }

    /** Distinct values were counted completely (false for high-cardinality and many-valued numeric columns). */
    boolean countedAll() {
        return !categories.overflowed();
    }

    int distinct() {
        return categories.distinct();
    }

    Comparator<String> valueOrder() {
        return type() == ColumnType.CATEGORICAL ? Comparator.naturalOrder() : NUMERIC_ORDER;
    }

    /** Sorted distinct values; only valid when {@link #countedAll()}. */
    List<String> sortedValues() {
        return categories.values().stream().sorted(valueOrder()).toList();
    }

    /**
     * @param withHistogram also give numeric columns a histogram (class labels)
     */
    ColumnProfile toProfile(boolean withHistogram) {
        ColumnType type = type();
        boolean hasHistogram = (withHistogram || type == ColumnType.CATEGORICAL) && countedAll();
        var histogram = hasHistogram ? categories.top(ColumnProfile.HISTOGRAM_LIMIT, valueOrder()) : null;
        if (type == ColumnType.CATEGORICAL) {
            return new ColumnProfile(name, type, missing, null, null, null, histogram);
        }
        return new ColumnProfile(name, type, missing, min, max, mean(), histogram);
    }
}
