package ai.aicrypto.plaza.worker.data;

import java.io.IOException;
import java.util.SplittableRandom;

/**
 * Mini-batches of one epoch. With shuffling, the shard order and the row order inside each shard are
 * permuted by a generator seeded from (seed, epoch), so every engine sees the same batches for the same seed.
 * Batches run across shard boundaries; the last batch of an epoch may be smaller. Only one shard is loaded
 * at a time.
 */
public final class BatchStream {

    private final TrainingData data;
    private final int batchSize;
    private final SplittableRandom rng;
    private final int[] shardOrder;
    private int shardPos = -1;
    private Shard shard;
    private int[] rowOrder;
    private int rowPos;

    /** Reusable batch buffers: {@code x} is [size, featureCount], {@code y} the labels (class index or target). */
    public static final class Batch {
        public final float[] x;
        public final float[] y;
        public final int[] classes;
        public int size;

        public Batch(int batchSize, int featureCount) {
            x = new float[batchSize * featureCount];
            y = new float[batchSize];
            classes = new int[batchSize];
        }
    }

    public BatchStream(TrainingData data, int batchSize, boolean shuffle, long seed, int epoch) {
        this.data = data;
        this.batchSize = batchSize;
        this.rng = shuffle ? Seeds.rng(seed, Seeds.STREAM_SHUFFLE, epoch) : null;
        this.shardOrder = identity(data.shardCount());
        if (rng != null) shuffle(shardOrder, rng);
    }

    public Batch newBatch() {
        return new Batch(batchSize, data.featureCount());
    }

    /** Fills {@code b} with the next batch; returns false at the end of the epoch. */
    public boolean next(Batch b) throws IOException {
        int fc = data.featureCount();
        int n = 0;
        while (n < batchSize) {
            if (shard == null || rowPos >= shard.rows()) {
                if (++shardPos >= shardOrder.length) break;
                shard = data.shard(shardOrder[shardPos]);
                rowOrder = identity(shard.rows());
                if (rng != null) shuffle(rowOrder, rng);
                rowPos = 0;
                continue;
            }
            int r = rowOrder[rowPos++];
            System.arraycopy(shard.features(), r * fc, b.x, n * fc, fc);
            if (shard.labels() != null) {
                b.classes[n] = shard.labels()[r];
                b.y[n] = shard.labels()[r];
            } else {
                b.y[n] = shard.targets()[r];
            }
            n++;
        }
        b.size = n;
        return n > 0;
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
