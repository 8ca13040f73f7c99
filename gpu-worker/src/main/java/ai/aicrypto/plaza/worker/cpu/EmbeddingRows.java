package ai.aicrypto.plaza.worker.cpu;

import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.model.Hyperparameters;
import ai.aicrypto.plaza.worker.model.OptimizerKind;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A fasttext network's embedding table while it trains, held on the host with its optimizer moments: each batch
 * reads only the rows its ids name (a leaf tensor of those rows, so autograd computes a gradient of their size; the
 * mean over a record's ids is a product with averaging weights, not a gather of [n, slots, dim]), and its optimizer
 * step touches only those rows. A dense step read and wrote all 65,536 rows and both moments every batch, and its
 * gradient was as large: most of a text job's time.
 * <p>
 * The result is still the dense optimizer's ({@link DjlCpuEngine#update}), not a lazy one's: a row no batch used
 * keeps moving on its momentum in the dense step, and those steps are caught up when the row is next used, and for
 * every row before a checkpoint (so a checkpoint holds the dense state, and an epoch trained again from it gives the
 * same result). The catch-up sums the idle steps in closed form, leaving out Adam's epsilon (about 1% of the
 * denominator for the smallest moments) and the weight decay of idle rows; momentum older than {@value #IDLE_STEPS}
 * steps (0.9<sup>256</sup>: nothing) is dropped.
 */
final class EmbeddingRows {

    private final int rows, dim;
    private final float[] table, m, v; // m, v: null where the optimizer keeps no such moment
    /** Idle steps caught up at most: Adam's and momentum's share of older ones is below float precision. */
    static final int IDLE_STEPS = 256;
    private final int[] local; // row -> its index in the current batch's rows, -1 when unused
    private final long[] current; // row -> the step its values and moments are at
    private int[] used = new int[0];
    private NDArray batchRows;

    private final Hyperparameters hp;
    private final Map<Long, Double> moved = new HashMap<>();
    private long movedFor = -1;

    /**
     * @param m, v the optimizer's moments of the table (copied), or null
     * @param step the step the checkpoint was taken after
     */
    EmbeddingRows(FloatTensor table, FloatTensor m, FloatTensor v, Hyperparameters hp, long step) {
        this.hp = hp;
        rows = (int) table.shape()[0];
        dim = (int) table.shape()[1];
        this.table = table.data().clone();
        this.m = m == null ? null : m.data().clone();
        this.v = v == null ? null : v.data().clone();
        local = new int[rows];
        Arrays.fill(local, -1);
        current = new long[rows];
        Arrays.fill(current, step);
    }

    /**
     * What {@link TextNet#forward(NDArray, Batch, NDArray[])} reads for one batch.
     *
     * @param weights [n, used rows]: 1 / (ids of the record) where the record has the row's id, else 0
     * @param rows    [used rows, dim], a leaf tensor whose gradient the step reads
     */
    record Batch(NDArray weights, NDArray rows) {
    }

    /**
     * The rows named by the id slots of a batch ({@code id + 1}; 0 unused) and each record's averaging weights over
     * them.
     *
     * @param x host features [n, features], the last {@code slots} of each row ids
     */
    Batch gather(NDManager manager, float[] x, int n, int features, int slots) {
        int[] order = new int[Math.min(rows, n * slots)];
        int[] ids = new int[n * slots];
        int[] perRecord = new int[n];
        int count = 0;
        for (int r = 0; r < n; r++) {
            for (int s = 0; s < slots; s++) {
                float slot = x[r * features + features - slots + s];
                if (slot <= 0f) {
                    ids[r * slots + s] = -1;
                    continue;
                }
                int id = (int) slot - 1;
                if (id >= rows) throw new IllegalArgumentException("a text id is beyond the card's " + rows + " buckets");
                if (local[id] < 0) {
                    local[id] = count;
                    order[count++] = id;
                }
                ids[r * slots + s] = local[id];
                perRecord[r]++;
            }
        }
        used = Arrays.copyOf(order, count);
        for (int id : used) local[id] = -1;
        int width = Math.max(1, count); // a batch with no id at all reads one zero row
        float[] weights = new float[n * width];
        for (int r = 0; r < n; r++) {
            for (int s = 0; s < slots; s++) {
                int at = ids[r * slots + s];
                if (at >= 0) weights[r * width + at] += 1f / perRecord[r];
            }
        }
        float[] values = new float[width * dim];
        for (int i = 0; i < count; i++) System.arraycopy(table, used[i] * dim, values, i * dim, dim);
        batchRows = manager.create(FloatBuffer.wrap(values), new Shape(width, dim));
        batchRows.setRequiresGradient(true);
        return new Batch(manager.create(FloatBuffer.wrap(weights), new Shape(n, width)), batchRows);
    }

    /** The optimizer step on the rows of the last {@link #gather}, from their gradient (the others are caught up later). */
    void step(float weightDecay, long step) {
        if (used.length == 0) return;
        float[] g = batchRows.getGradient().toFloatArray();
        float lr = (float) hp.learningRate();
        boolean adam = hp.optimizer() == OptimizerKind.ADAM;
        float b1 = (float) Hyperparameters.ADAM_BETA1, b2 = (float) Hyperparameters.ADAM_BETA2;
        float bc1 = (float) (1 - Math.pow(Hyperparameters.ADAM_BETA1, step));
        float sqrtBc2 = (float) Math.sqrt(1 - Math.pow(Hyperparameters.ADAM_BETA2, step));
        float eps = (float) Hyperparameters.ADAM_EPSILON, momentum = (float) hp.momentum();
        for (int i = 0; i < used.length; i++) {
            int row = used[i], base = row * dim;
            catchUp(row, step - 1);
            current[row] = step;
            for (int j = 0; j < dim; j++) {
                int at = base + j;
                float grad = g[i * dim + j] + weightDecay * table[at];
                if (adam) {
                    m[at] = m[at] * b1 + grad * (1f - b1);
                    v[at] = v[at] * b2 + grad * grad * (1f - b2);
                    table[at] -= m[at] / ((float) Math.sqrt(v[at]) / sqrtBc2 + eps) * (lr / bc1);
                } else if (m != null) {
                    m[at] = m[at] * momentum + grad;
                    table[at] -= m[at] * lr;
                } else {
                    table[at] -= grad * lr;
                }
            }
        }
    }

    /** Brings every row to {@code step}: before a checkpoint, which holds the dense optimizer's state. */
    void catchUpAll(long step) {
        for (int row = 0; row < rows; row++) catchUp(row, step);
    }

    /** The steps after the row's last one up to {@code step}, in which its gradient was zero. */
    private void catchUp(int row, long step) {
        long last = current[row];
        current[row] = step;
        if (m == null || step <= last) return; // plain SGD does not move a row without gradient
        boolean adam = hp.optimizer() == OptimizerKind.ADAM;
        float lrMoved = (float) (hp.learningRate() * moved(last, step));
        float decay1 = (float) Math.pow(adam ? Hyperparameters.ADAM_BETA1 : hp.momentum(), step - last);
        float decay2 = (float) Math.pow(Hyperparameters.ADAM_BETA2, step - last);
        for (int at = row * dim; at < (row + 1) * dim; at++) {
            if (adam) {
                if (v[at] > 0f) table[at] -= m[at] / (float) Math.sqrt(v[at]) * lrMoved;
                v[at] *= decay2;
            } else {
                table[at] -= m[at] * lrMoved;
            }
            m[at] *= decay1;
        }
    }

    /**
     * What the idle steps after {@code last} up to {@code step} move a row by, per unit of learning rate and of its
     * {@code m / sqrt(v)} (Adam: the sum over idle steps i, k = i - last, of b1^k / b2^(k/2) * sqrt(1 - b2^i) / (1 - b1^i))
     * or of its {@code m} (momentum: the sum of mu^k). Rows last used together share it: remembered for one target step.
     */
    private double moved(long last, long step) {
        if (step != movedFor) {
            movedFor = step;
            moved.clear();
        }
        return moved.computeIfAbsent(last, l -> {
            int idle = (int) Math.min(step - l, IDLE_STEPS);
            double sum = 0;
            if (hp.optimizer() == OptimizerKind.ADAM) {
                double b1 = Hyperparameters.ADAM_BETA1, b2 = Hyperparameters.ADAM_BETA2, ratio = b1 / Math.sqrt(b2), rk = 1;
                double b1i = Math.pow(b1, l), b2i = Math.pow(b2, l); // b1^i, b2^i as i advances
                for (int k = 1; k <= idle; k++) {
                    rk *= ratio;
                    b1i *= b1;
                    b2i *= b2;
                    sum += rk * Math.sqrt(1 - b2i) / (1 - b1i);
                }
            } else {
                double mk = 1;
                for (int k = 1; k <= idle; k++) sum += mk *= hp.momentum();
            }
            return sum;
        });
    }

    FloatTensor table() {
        return FloatTensor.of(table.clone(), rows, dim);
    }

    /** The first moment, or null. */
    FloatTensor firstMoment() {
        return m == null ? null : FloatTensor.of(m.clone(), rows, dim);
    }

    /** The second moment, or null. */
    FloatTensor secondMoment() {
        return v == null ? null : FloatTensor.of(v.clone(), rows, dim);
    }
}
