package ai.aicrypto.plaza.compute.internal;

/** Rows of a parsed shard picked by index: the whole-shard split the streaming one is compared with. */
final class ShardRows {

    private ShardRows() {
    }

    /** The rows whose index {@code keep} marks, as a new shard with the same metadata. */
    static ShardTensors select(ShardTensors shard, boolean[] keep) {
        int n = 0;
        for (boolean k : keep) {
            n += k ? 1 : 0;
        }
        int width = shard.featureCount();
        float[] f = new float[n * width];
        long[] l = shard.labels() == null ? null : new long[n];
        float[] t = shard.targets() == null ? null : new float[n];
        int out = 0;
        for (int row = 0; row < shard.rows(); row++) {
            if (keep[row]) {
                System.arraycopy(shard.features(), row * width, f, out * width, width);
                if (l != null) l[out] = shard.labels()[row];
                if (t != null) t[out] = shard.targets()[row];
                out++;
            }
        }
        return new ShardTensors(n, width, f, l, t, shard.metadata());
    }
}
