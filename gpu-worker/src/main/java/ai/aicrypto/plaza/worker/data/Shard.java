package ai.aicrypto.plaza.worker.data;

/**
 * One shard in memory: {@code features} is row-major {@code [rows, featureCount]}; exactly one of
 * {@code labels} (classification) and {@code targets} (regression) is non-null.
 */
public record Shard(int rows, int featureCount, float[] features, int[] labels, float[] targets) {

    public Shard {
        if ((long) rows * featureCount != features.length) throw new IllegalArgumentException("features do not match [rows, featureCount]");
        if ((labels == null) == (targets == null)) throw new IllegalArgumentException("exactly one of labels and targets is required");
        if (labels != null && labels.length != rows) throw new IllegalArgumentException("labels do not match rows");
        if (targets != null && targets.length != rows) throw new IllegalArgumentException("targets do not match rows");
    }

    public Task task() {
        return labels != null ? Task.CLASSIFICATION : Task.REGRESSION;
    }

    /** Rows [from, to) as a new shard (copies). */
    public Shard slice(int from, int to) {
        float[] f = java.util.Arrays.copyOfRange(features, from * featureCount, to * featureCount);
        return new Shard(to - from, featureCount, f,
                labels == null ? null : java.util.Arrays.copyOfRange(labels, from, to),
                targets == null ? null : java.util.Arrays.copyOfRange(targets, from, to));
    }

    /** The label of a row as a float (class index or target value). */
    public float labelAsFloat(int row) {
        return labels != null ? labels[row] : targets[row];
    }
}
