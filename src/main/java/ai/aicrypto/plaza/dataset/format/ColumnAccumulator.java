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
    /** Words per value, on average, from which a mostly distinct column is free text rather than names or codes. */
    static final int TEXT_MIN_MEAN_WORDS = 3;

    /** Orders numeric strings by value, e.g. {@code "2" < "10"}. */
    static final Comparator<String> NUMERIC_ORDER =
            Comparator.<String>comparingDouble(Double::parseDouble).thenComparing(Comparator.naturalOrder());

    /** Whether the column is free text: said by the uploader, never for the label, else detected. */
    enum TextRule { DETECT, ALWAYS, NEVER }

    private final String name;
    private final int categoricalCap;
    private final TextRule textRule;
    /** The uploader named it as text: no numbers or categories are counted. */
    private final boolean text;
    private long words;
    /** The most n-grams one value has (up to a record's slots): how many id features the column needs. */
    private int maxNgrams;
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
    ColumnAccumulator(String name, int categoricalCap, TextRule textRule) {
        this.name = name;
        this.categoricalCap = categoricalCap;
        this.textRule = textRule;
        this.text = textRule == TextRule.ALWAYS;
    }

    void add(String value) {
        if (Values.isMissing(value)) {
            missing++;
            rowNumber = false;
            return;
        }
        present++;
        if (numeric && !text) {
            addNumber(value);
        }
        if ((!numeric || text) && textRule != TextRule.NEVER) {
            words += TextNgrams.words(value).size();
            maxNgrams = Math.max(maxNgrams, TextNgrams.count(value, Preprocessing.DEFAULT_TEXT, Preprocessing.MAX_TEXT_SLOTS));
        }
        if (!text) {
            categories.add(value);
        }
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
        if (text || looksLikeText()) {
            return ColumnType.TEXT;
        }
        if (present == 0 || !numeric) {
            return ColumnType.CATEGORICAL;
        }
        return integer ? ColumnType.INTEGER : ColumnType.DECIMAL;
    }

    private boolean looksLikeText() {
        boolean mostlyDistinct = categories.overflowed() || categories.distinct() > Preprocessing.IDENTIFIER_SHARE * present;
        return textRule == TextRule.DETECT && !numeric && present > 0 && mostlyDistinct && words >= (long) TEXT_MIN_MEAN_WORDS * present;
    }

    /** Id features a text column needs: its longest value's n-grams, within a record's maximum. */
    int textSlots() {
        return maxNgrams;
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
        if (type == ColumnType.CATEGORICAL || type == ColumnType.TEXT) {
            return new ColumnProfile(name, type, missing, null, null, null, type == ColumnType.TEXT ? null : histogram);
        }
        return new ColumnProfile(name, type, missing, min, max, mean(), histogram);
    }
}
