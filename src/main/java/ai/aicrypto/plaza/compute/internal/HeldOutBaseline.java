package ai.aicrypto.plaza.compute.internal;

/**
 * What a model that learned nothing scores on the held-out split, which a verified result must
 * beat whatever the worker claimed: predicting the most frequent class (classification), or the
 * targets' mean (regression). A worker that claims little (a low accuracy, a high loss) is held to
 * these, not only to its own claim.
 */
final class HeldOutBaseline {

    /** The smallest margin over the majority class's share a classifier must clear. */
    static final double MIN_MARGIN = 0.01;

    private HeldOutBaseline() {
    }

    /** Share of the held-out rows in their most frequent class. */
    static double majorityShare(long[] labels) {
        if (labels.length == 0) {
            return 0;
        }
        long[] sorted = labels.clone();
        java.util.Arrays.sort(sorted);
        int best = 0;
        for (int i = 0, run = 0; i < sorted.length; i++) {
            run = i > 0 && sorted[i] == sorted[i - 1] ? run + 1 : 1;
            best = Math.max(best, run);
        }
        return (double) best / labels.length;
    }

    /**
     * How far above the majority share a classifier's held-out accuracy must be: two standard errors
     * of that share on {@code rows} rows (a model that guesses the majority class scores within that
     * by chance), and at least {@link #MIN_MARGIN}.
     */
    static double margin(double majorityShare, long rows) {
        if (rows <= 0) {
            return 1;
        }
        return Math.max(MIN_MARGIN, 2 * Math.sqrt(majorityShare * (1 - majorityShare) / rows));
    }

    /**
     * Mean squared error of predicting each target column's mean, over {@code rows} rows of
     * {@code targets.length / rows} columns (row-major), the same loss the evaluator measures.
     */
    static double constantPredictionMse(float[] targets, int rows) {
        if (rows == 0 || targets.length == 0) {
            return 0;
        }
        int columns = targets.length / rows;
        double squares = 0;
        for (int c = 0; c < columns; c++) {
            double mean = 0;
            for (int r = 0; r < rows; r++) {
                mean += targets[r * columns + c];
            }
            mean /= rows;
            for (int r = 0; r < rows; r++) {
                double d = targets[r * columns + c] - mean;
                squares += d * d;
            }
        }
        return squares / targets.length;
    }
}
