package ai.aicrypto.plaza.competition.scoring;

/**
 * A validated submission: one prediction for every test row, aligned with the {@link Solution}'s rows. Class
 * labels are held as class indices, numbers and probabilities as doubles.
 */
public final class Predictions {

    private final Metric metric;
    private final int[] labels;
    private final double[] values;

    Predictions(Metric metric, int[] labels, double[] values) {
        this.metric = metric;
        this.labels = labels;
        this.values = values;
    }

    public Metric metric() {
        return metric;
    }

    public int size() {
        return labels != null ? labels.length : values.length;
    }

    int[] labels() {
        return labels;
    }

    double[] values() {
        return values;
    }
}
