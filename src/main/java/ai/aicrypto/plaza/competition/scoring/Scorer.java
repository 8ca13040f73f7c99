package ai.aicrypto.plaza.competition.scoring;

import java.io.IOException;
import java.io.InputStream;

/**
 * Validates a submission and scores it on the public rows, the private rows and all rows: one streaming pass over
 * the CSV into arrays aligned with the solution, then the metric on each part. Stops with a
 * {@link java.util.concurrent.CancellationException} when the thread is interrupted while reading.
 */
public final class Scorer {

    private Scorer() {
    }

    /** Scores with the solution's own metric. */
    public static Scores score(Solution solution, InputStream submission) throws IOException {
        return score(solution, solution.metric(), submission);
    }

    /** Scores with the solution's own metric, reading labels the solution does not have as {@code unknown} says. */
    public static Scores score(Solution solution, InputStream submission, SubmissionValidator.UnknownLabels unknown)
            throws IOException {
        return score(solution, SubmissionValidator.validate(solution, submission, unknown));
    }

    /**
     * @throws SubmissionRejected if the submission does not count
     * @throws IllegalArgumentException if the solution does not {@linkplain Solution#supports support} the metric
     */
    public static Scores score(Solution solution, Metric metric, InputStream submission) throws IOException {
        return score(solution, SubmissionValidator.validate(solution, metric, submission));
    }

    /** Scores predictions already validated against {@code solution}. */
    public static Scores score(Solution solution, Predictions predictions) {
        Metric metric = predictions.metric();
        if (predictions.size() != solution.size() || !solution.supports(metric)) {
            throw new IllegalArgumentException("predictions were not validated against " + solution);
        }
        int[] publicRows = solution.publicRows();
        int[] privateRows = solution.privateRows();
        if (metric == Metric.ROC_AUC) {
            double[] parts = Metric.rocAucOfParts(solution.labels(), predictions.values(), publicRows, privateRows);
            return new Scores(metric, parts[0], publicRows.length, parts[1], privateRows.length, parts[2]);
        }
        return new Scores(metric, score(solution, predictions, publicRows), publicRows.length,
                score(solution, predictions, privateRows), privateRows.length, score(solution, predictions, null));
    }

    private static double score(Solution solution, Predictions predictions, int[] rows) {
        Metric metric = predictions.metric();
        return switch (metric.predictionKind()) {
            case LABEL -> metric.scoreLabels(solution.labels(), predictions.labels(), rows);
            case PROBABILITY -> metric.scoreProbabilities(solution.labels(), predictions.values(), rows);
            case NUMBER -> metric.scoreNumbers(solution.values(), predictions.values(), rows);
        };
    }
}
