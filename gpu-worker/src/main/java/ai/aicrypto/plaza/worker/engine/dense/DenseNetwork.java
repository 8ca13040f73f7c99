package ai.aicrypto.plaza.worker.engine.dense;

import ai.aicrypto.plaza.worker.data.BatchStream;
import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.data.Task;
import ai.aicrypto.plaza.worker.engine.Checkpoint;
import ai.aicrypto.plaza.worker.engine.DropoutMasks;
import ai.aicrypto.plaza.worker.model.Activation;
import ai.aicrypto.plaza.worker.model.Hyperparameters;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.aicrypto.plaza.worker.model.OptimizerKind;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A dense network (parameters, gradients, optimizer state and activation buffers) living on a
 * {@link DenseBackend}, with the forward pass, the hand-written backward pass and the optimizer step.
 * This is the algorithm of the GPU engine; with {@link JavaBackend} it is the plain-Java reference.
 * Buffers belong to the backend, which frees them when it is closed.
 */
public final class DenseNetwork {

    private final DenseBackend be;
    private final ModelSpec spec;
    private final int[] sizes;
    private final int layers;
    private final int maxBatch;
    private final Activation act;
    private final DenseBackend.Buf[] w, b, dw, db, m1w, m1b, m2w, m2b;
    private final DenseBackend.Buf x, y, rowLoss, rowCorrect;
    private final DenseBackend.Buf[] z, h, dz, dh, mask;
    private final float[] hostMask, hostLoss, hostCorrect;
    private long step;

    /** Result of one batch: summed per-row loss and number of correct predictions. */
    public record BatchResult(double lossSum, double correct, int size) {
    }

    public DenseNetwork(DenseBackend be, ModelSpec spec, Map<String, FloatTensor> initial, int inputSize, int maxBatch, boolean training) {
        this.be = be;
        this.spec = spec;
        this.sizes = spec.layerSizes(inputSize);
        this.layers = sizes.length - 1;
        this.maxBatch = maxBatch;
        this.act = spec.activation();
        w = new DenseBackend.Buf[layers];
        b = new DenseBackend.Buf[layers];
        dw = new DenseBackend.Buf[layers];
        db = new DenseBackend.Buf[layers];
        m1w = new DenseBackend.Buf[layers];
        m1b = new DenseBackend.Buf[layers];
        m2w = new DenseBackend.Buf[layers];
        m2b = new DenseBackend.Buf[layers];
        z = new DenseBackend.Buf[layers];
        h = new DenseBackend.Buf[layers];
        dz = new DenseBackend.Buf[layers];
        dh = new DenseBackend.Buf[layers];
        mask = new DenseBackend.Buf[layers];
        Hyperparameters hp = spec.hyperparameters();
        boolean dropout = training && spec.dropout() > 0;
        int maxWidth = 0;
        for (int l = 0; l < layers; l++) {
            int in = sizes[l], out = sizes[l + 1];
            maxWidth = Math.max(maxWidth, out);
            FloatTensor wt = initial.get(ModelSpec.weightName(l));
            FloatTensor bt = initial.get(ModelSpec.biasName(l));
            if (wt == null || bt == null || wt.size() != out * in || bt.size() != out) {
                throw new IllegalArgumentException("weights do not match layer " + l + " [" + out + ", " + in + "]");
            }
            w[l] = be.alloc(out * in);
            be.upload(w[l], wt.data(), out * in);
            b[l] = be.alloc(out);
            be.upload(b[l], bt.data(), out);
            z[l] = be.alloc(maxBatch * out);
            boolean hidden = l < layers - 1;
            if (hidden) h[l] = be.alloc(maxBatch * out);
            if (training) {
                dw[l] = be.alloc(out * in);
                db[l] = be.alloc(out);
                dz[l] = be.alloc(maxBatch * out);
                if (hidden) dh[l] = be.alloc(maxBatch * out);
                if (hidden && dropout) mask[l] = be.alloc(maxBatch * out);
                if (Checkpoint.hasFirstMoment(hp)) {
                    m1w[l] = be.alloc(out * in);
                    m1b[l] = be.alloc(out);
                }
                if (Checkpoint.hasSecondMoment(hp)) {
                    m2w[l] = be.alloc(out * in);
                    m2b[l] = be.alloc(out);
                }
            }
        }
        x = be.alloc(maxBatch * inputSize);
        y = be.alloc(maxBatch);
        rowLoss = be.alloc(maxBatch);
        rowCorrect = be.alloc(maxBatch);
        hostMask = dropout ? new float[maxBatch * maxWidth] : null;
        hostLoss = new float[maxBatch];
        hostCorrect = new float[maxBatch];
    }

    public int[] sizes() {
        return sizes.clone();
    }

    /** Forward pass of a batch (dropout masks applied when {@code masks} is given), then the loss. */
    private BatchResult forwardAndLoss(BatchStream.Batch batch, DropoutMasks masks, boolean backward) {
        int n = batch.size;
        forward(batch.x, n, masks);
        be.upload(y, batch.y, n);
        int outSize = sizes[layers];
        DenseBackend.Buf dlogits = backward ? dz[layers - 1] : scratchLogitGrad(n * outSize);
        if (spec.task() == Task.CLASSIFICATION) {
            be.softmaxCrossEntropy(z[layers - 1], y, dlogits, rowLoss, rowCorrect, n, outSize);
        } else {
            be.meanSquaredError(z[layers - 1], y, dlogits, rowLoss, n);
        }
        be.download(rowLoss, hostLoss, n);
        double loss = 0, correct = 0;
        for (int i = 0; i < n; i++) loss += hostLoss[i];
        if (spec.task() == Task.CLASSIFICATION) {
            be.download(rowCorrect, hostCorrect, n);
            for (int i = 0; i < n; i++) correct += hostCorrect[i];
        }
        return new BatchResult(loss, correct, n);
    }

    /** The forward pass of {@code n} rows into {@code z[layers - 1]} (dropout masks applied when given). */
    private void forward(float[] rows, int n, DropoutMasks masks) {
        if (n > maxBatch) throw new IllegalArgumentException("batch larger than " + maxBatch);
        be.upload(x, rows, n * sizes[0]);
        DenseBackend.Buf a = x;
        for (int l = 0; l < layers; l++) {
            int in = sizes[l], out = sizes[l + 1];
            be.linearForward(a, w[l], b[l], z[l], n, in, out);
            if (l < layers - 1) {
                be.activationForward(act, z[l], h[l], n * out);
                if (masks != null && masks.active()) {
                    masks.fill(hostMask, n * out);
                    be.upload(mask[l], hostMask, n * out);
                    be.multiply(h[l], mask[l], n * out);
                }
                a = h[l];
            }
        }
    }

    /** Inference: the last layer's outputs (logits, or regression values) of {@code n} rows, row-major. */
    public float[] predict(float[] rows, int n) {
        forward(rows, n, null);
        float[] out = new float[n * sizes[layers]];
        be.download(z[layers - 1], out, out.length);
        return out;
    }

    private DenseBackend.Buf scratch;

    private DenseBackend.Buf scratchLogitGrad(int n) {
        if (scratch == null || scratch.length() < n) scratch = be.alloc(Math.max(n, maxBatch * sizes[layers]));
        return scratch;
    }

    /** Loss and accuracy of a batch without dropout and without updating anything. */
    public BatchResult evaluate(BatchStream.Batch batch) {
        return forwardAndLoss(batch, null, false);
    }

    /** One training step: forward with dropout, backward, optimizer update. Returns the pre-update loss. */
    public BatchResult trainStep(BatchStream.Batch batch, DropoutMasks masks) {
        BatchResult r = forwardAndLoss(batch, masks, true);
        int n = batch.size;
        backward(n, masks);
        update();
        return r;
    }

    /** Gradients only (for gradient checks): forward without dropout, backward, no update. */
    public BatchResult computeGradients(BatchStream.Batch batch) {
        BatchResult r = forwardAndLoss(batch, null, true);
        backward(batch.size, null);
        return r;
    }

    private void backward(int n, DropoutMasks masks) {
        for (int l = layers - 1; l >= 0; l--) {
            int in = sizes[l], out = sizes[l + 1];
            DenseBackend.Buf input = l == 0 ? x : h[l - 1];
            be.linearBackward(input, w[l], dz[l], l > 0 ? dh[l - 1] : null, dw[l], db[l], n, in, out);
            if (l > 0) {
                if (masks != null && masks.active()) be.multiply(dh[l - 1], mask[l - 1], n * in);
                be.activationBackward(act, z[l - 1], dh[l - 1], dz[l - 1], n * in);
            }
        }
    }

    private void update() {
        Hyperparameters hp = spec.hyperparameters();
        step++;
        float lr = (float) hp.learningRate();
        float wd = (float) hp.weightDecay();
        for (int l = 0; l < layers; l++) {
            int nw = sizes[l] * sizes[l + 1], nb = sizes[l + 1];
            if (hp.optimizer() == OptimizerKind.ADAM) {
                float b1 = (float) Hyperparameters.ADAM_BETA1, b2 = (float) Hyperparameters.ADAM_BETA2;
                float eps = (float) Hyperparameters.ADAM_EPSILON;
                float bc1 = (float) (1 - Math.pow(Hyperparameters.ADAM_BETA1, step));
                float bc2 = (float) (1 - Math.pow(Hyperparameters.ADAM_BETA2, step));
                be.adamUpdate(w[l], dw[l], m1w[l], m2w[l], nw, lr, wd, b1, b2, eps, bc1, bc2);
                be.adamUpdate(b[l], db[l], m1b[l], m2b[l], nb, lr, 0f, b1, b2, eps, bc1, bc2);
            } else {
                float mu = (float) hp.momentum();
                be.sgdUpdate(w[l], dw[l], m1w[l], nw, lr, wd, mu);
                be.sgdUpdate(b[l], db[l], m1b[l], nb, lr, 0f, mu);
            }
        }
    }

    /** Continues from a checkpoint whose parameters this network was built with: its step count and moments. */
    public void restoreOptimizer(Checkpoint start) {
        step = start.step();
        for (int l = 0; l < layers; l++) {
            upload(m1w[l], start, Checkpoint.firstMoment(ModelSpec.weightName(l)));
            upload(m1b[l], start, Checkpoint.firstMoment(ModelSpec.biasName(l)));
            upload(m2w[l], start, Checkpoint.secondMoment(ModelSpec.weightName(l)));
            upload(m2b[l], start, Checkpoint.secondMoment(ModelSpec.biasName(l)));
        }
    }

    private void upload(DenseBackend.Buf buf, Checkpoint c, String name) {
        if (buf == null) return; // the optimizer has no such moment
        FloatTensor t = c.tensor(name);
        be.upload(buf, t.data(), t.size());
    }

    /** The training state after {@code epoch}, copied to the host. */
    public Checkpoint checkpoint(int epoch) {
        Map<String, FloatTensor> out = weights();
        for (int l = 0; l < layers; l++) {
            long[] ws = {sizes[l + 1], sizes[l]}, bs = {sizes[l + 1]};
            if (m1w[l] != null) {
                out.put(Checkpoint.firstMoment(ModelSpec.weightName(l)), download(m1w[l], ws));
                out.put(Checkpoint.firstMoment(ModelSpec.biasName(l)), download(m1b[l], bs));
            }
            if (m2w[l] != null) {
                out.put(Checkpoint.secondMoment(ModelSpec.weightName(l)), download(m2w[l], ws));
                out.put(Checkpoint.secondMoment(ModelSpec.biasName(l)), download(m2b[l], bs));
            }
        }
        return new Checkpoint(epoch, step, out);
    }

    /** Current weights, copied to the host. */
    public Map<String, FloatTensor> weights() {
        be.synchronize();
        return parameterTensors(w, b);
    }

    /** Gradients of the last {@link #computeGradients} call, same names as the weights. */
    public Map<String, FloatTensor> gradients() {
        return parameterTensors(dw, db);
    }

    private Map<String, FloatTensor> parameterTensors(DenseBackend.Buf[] weights, DenseBackend.Buf[] biases) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (int l = 0; l < layers; l++) {
            out.put(ModelSpec.weightName(l), download(weights[l], sizes[l + 1], sizes[l]));
            out.put(ModelSpec.biasName(l), download(biases[l], sizes[l + 1]));
        }
        return out;
    }

    private FloatTensor download(DenseBackend.Buf buf, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        float[] data = new float[(int) n];
        be.download(buf, data, data.length);
        return new FloatTensor(shape, data);
    }
}
