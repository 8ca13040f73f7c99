package ai.aicrypto.plaza.competition.scoring;


/**
 * How submissions are scored. Each metric knows its direction ({@link #higherIsBetter()}) and what a prediction is
 * ({@link #predictionKind()}); scores are computed from aligned arrays, where element {@code i} of the truth and of the
 * predictions belong to the same test row.
 *
 * <ul>
 * <li>{@link #ACCURACY}, {@link #MACRO_F1}: predictions are class labels, here class indices (0..k-1).</li>
 * <li>{@link #ROC_AUC}, {@link #LOG_LOSS}: binary tasks; truth is 0 or 1 (1 = the positive class), a prediction is
 * the probability of the positive class, in [0, 1].</li>
 * <li>{@link #RMSE}, {@link #MAE}: regression; truth and predictions are finite numbers.</li>
 * </ul>
 * Conventions follow scikit-learn: macro F1 averages over the classes present in the truth or the predictions
 * (a class with no true positives has F1 0); ROC AUC is the Mann–Whitney statistic, ties between a positive and a
 * negative counting one half (the same as average ranks); log loss clips probabilities to
 * [{@link #LOG_LOSS_EPSILON}, 1 - {@link #LOG_LOSS_EPSILON}] and uses the natural logarithm.
 */
public enum Metric {

    ACCURACY(true, PredictionKind.LABEL),
    MACRO_F1(true, PredictionKind.LABEL),
    ROC_AUC(true, PredictionKind.PROBABILITY),
    LOG_LOSS(false, PredictionKind.PROBABILITY),
    RMSE(false, PredictionKind.NUMBER),
    MAE(false, PredictionKind.NUMBER);

    /** What the {@code prediction} column of a submission holds. */
    public enum PredictionKind {
        /** A class label of the solution's target column, matched exactly. */
        LABEL,
        /** The probability of the positive class of a binary target, a number in [0, 1]. */
        PROBABILITY,
        /** A finite number. */
        NUMBER
    }

    /** Log loss clips probabilities to [eps, 1 - eps], like scikit-learn before 1.5 ({@code eps=1e-15}). */
    public static final double LOG_LOSS_EPSILON = 1e-15;

    private final boolean higherIsBetter;
    private final PredictionKind predictions;

    Metric(boolean higherIsBetter, PredictionKind predictions) {
        this.higherIsBetter = higherIsBetter;
        this.predictions = predictions;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    public PredictionKind predictionKind() {
        return predictions;
    }

    /** Predictions are class labels (accuracy, macro F1). */
    public boolean labelPredictions() {
        return predictions == PredictionKind.LABEL;
    }

    /** The task is binary classification and predictions are probabilities (ROC AUC, log loss). */
    public boolean binary() {
        return predictions == PredictionKind.PROBABILITY;
    }

    /** Whether score {@code a} is strictly better than score {@code b} under this metric. */
    public boolean isBetter(double a, double b) {
        return higherIsBetter ? a > b : a < b;
    }

    /** Scores class-index predictions (accuracy, macro F1). */
    public double score(int[] truth, int[] predicted) {
        requireKind(PredictionKind.LABEL);
        requireAligned(truth.length, predicted.length);
        return scoreLabels(truth, predicted, null);
    }

    /** Scores probabilities of the positive class against 0/1 truth (ROC AUC, log loss). */
    public double score(int[] truth, double[] probabilities) {
        requireKind(PredictionKind.PROBABILITY);
        requireAligned(truth.length, probabilities.length);
        for (int t : truth) {
            if (t != 0 && t != 1) {
                throw new IllegalArgumentException(this + " needs a truth of 0 or 1, not " + t);
            }
        }
        return scoreProbabilities(truth, probabilities, null);
    }

    /** Scores numeric predictions (RMSE, MAE). */
    public double score(double[] truth, double[] predicted) {
        requireKind(PredictionKind.NUMBER);
        requireAligned(truth.length, predicted.length);
        return scoreNumbers(truth, predicted, null);
    }

    private void requireKind(PredictionKind kind) {
        if (predictions != kind) {
            throw new IllegalArgumentException(this + " scores " + predictions + " predictions, not " + kind);
        }
    }

    private static void requireAligned(int truth, int predicted) {
        if (truth != predicted) {
            throw new IllegalArgumentException(truth + " truth values but " + predicted + " predictions");
        }
        if (truth == 0) {
            throw new IllegalArgumentException("nothing to score");
        }
    }

    /** The rows to score: all when {@code rows} is null, else those indices. */
    private static int count(int length, int[] rows) {
        return rows == null ? length : rows.length;
    }

    private static int row(int[] rows, int i) {
        return rows == null ? i : rows[i];
    }

    double scoreLabels(int[] truth, int[] predicted, int[] rows) {
        int n = count(truth.length, rows);
        if (this == ACCURACY) {
            long correct = 0;
            for (int i = 0; i < n; i++) {
                int r = row(rows, i);
                if (truth[r] == predicted[r]) {
                    correct++;
                }
            }
            return (double) correct / n;
        }
        int classes = 0;
        for (int i = 0; i < n; i++) {
            int r = row(rows, i);
            classes = Math.max(classes, Math.max(truth[r], predicted[r]) + 1);
        }
        long[] truePositives = new long[classes];
        long[] trueCounts = new long[classes];
        long[] predictedCounts = new long[classes];
        for (int i = 0; i < n; i++) {
            int r = row(rows, i);
            trueCounts[truth[r]]++;
            predictedCounts[predicted[r]]++;
            if (truth[r] == predicted[r]) {
                truePositives[truth[r]]++;
            }
        }
        double sum = 0;
        int present = 0;
        for (int c = 0; c < classes; c++) {
            long denominator = trueCounts[c] + predictedCounts[c];
            if (denominator > 0) {
                sum += 2.0 * truePositives[c] / denominator;
                present++;
            }
        }
        return sum / present;
    }

    double scoreProbabilities(int[] truth, double[] p, int[] rows) {
        int n = count(truth.length, rows);
        if (this == LOG_LOSS) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                int r = row(rows, i);
                double q = Math.min(Math.max(p[r], LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON);
                sum -= truth[r] == 1 ? Math.log(q) : Math.log1p(-q);
            }
            return sum / n;
        }
        double[][] sorted = sortedByClass(truth, p, rows);
        return mannWhitney(sorted[0], sorted[1]);
    }

    /**
     * ROC AUC of the public rows, the private rows and all rows, sorting each row once: the parts are sorted and
     * all rows are their merge.
     */
    static double[] rocAucOfParts(int[] truth, double[] p, int[] publicRows, int[] privateRows) {
        double[][] a = sortedByClass(truth, p, publicRows);
        double[][] b = sortedByClass(truth, p, privateRows);
        return new double[] {mannWhitney(a[0], a[1]), mannWhitney(b[0], b[1]),
                mannWhitney(merge(a[0], b[0]), merge(a[1], b[1]))};
    }

    /** The scores of the positive rows and of the negative rows, each sorted ascending. */
    private static double[][] sortedByClass(int[] truth, double[] p, int[] rows) {
        int n = count(truth.length, rows);
        int positives = 0;
        for (int i = 0; i < n; i++) {
            positives += truth[row(rows, i)];
        }
        int negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException("ROC AUC needs both classes, but only class "
                    + (positives == 0 ? 0 : 1) + " is present");
        }
        double[] pos = new double[positives];
        double[] neg = new double[negatives];
        for (int i = 0, a = 0, b = 0; i < n; i++) {
            int r = row(rows, i);
            double score = p[r] + 0.0; // -0.0 becomes 0.0 so that sorting and comparison agree
            if (truth[r] == 1) {
                pos[a++] = score;
            } else {
                neg[b++] = score;
            }
        }
        ScoreSort.sort(pos);
        ScoreSort.sort(neg);
        return new double[][] {pos, neg};
    }

    private static double[] merge(double[] a, double[] b) {
        double[] merged = new double[a.length + b.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < a.length && j < b.length) {
            merged[k++] = a[i] <= b[j] ? a[i++] : b[j++];
        }
        System.arraycopy(a, i, merged, k, a.length - i);
        System.arraycopy(b, j, merged, k + a.length - i, b.length - j);
        return merged;
    }

    /**
     * The Mann–Whitney U statistic over (positive, negative) pairs, normalized: for each positive, the negatives
     * scored below it plus half of those tied with it, divided by the number of pairs. Both arrays sorted.
     */
    private static double mannWhitney(double[] pos, double[] neg) {
        int positives = pos.length;
        int negatives = neg.length;
        double u = 0;
        int below = 0;
        for (int i = 0; i < positives; ) {
            double score = pos[i];
            int run = 1;
            while (i + run < positives && pos[i + run] == score) {
                run++;
            }
            while (below < negatives && neg[below] < score) {
                below++;
            }
            int tied = 0;
            while (below + tied < negatives && neg[below + tied] == score) {
                tied++;
            }
            u += run * (below + 0.5 * tied);
            i += run;
        }
        return u / ((double) positives * negatives);
    }

    double scoreNumbers(double[] truth, double[] predicted, int[] rows) {
        int n = count(truth.length, rows);
        double sum = 0;
        if (this == RMSE) {
            for (int i = 0; i < n; i++) {
                int r = row(rows, i);
                double d = predicted[r] - truth[r];
                sum += d * d;
            }
            return Math.sqrt(sum / n);
        }
        for (int i = 0; i < n; i++) {
            int r = row(rows, i);
            sum += Math.abs(predicted[r] - truth[r]);
        }
        return sum / n;
    }
}
