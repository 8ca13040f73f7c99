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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dense network (parameters, gradients, optimizer state and activation buffers) living on a
 * {@link DenseBackend}, with the forward pass, the hand-written backward pass and the optimizer step.
 * This is the algorithm of the GPU engine; with {@link JavaBackend} it is the plain-Java reference.
 * A cnn card's network is its {@link ConvLayers} (on a {@link ConvBackend}) feeding this dense head.
 * Buffers belong to the backend, which frees them when it is closed.
 */
public final class DenseNetwork {

    private final DenseBackend be;
    private final ModelSpec spec;
    private final int[] sizes;
    private final int layers;
    private final int inputSize;
    private final int maxBatch;
    private final Activation act;
    private final ConvLayers conv;
    /** Every tensor in checkpoint order: the conv blocks' (with batch norm statistics), then the dense layers'. */
    private final List<Param> params = new ArrayList<>();
    private final Param[] w, b;
    private final DenseBackend.Buf x, y, rowLoss, rowCorrect;
    private final DenseBackend.Buf[] z, h, dz, dh, mask;
    private final float[] hostMask, hostLoss, hostCorrect;
    private long step;

    /** Result of one batch: summed per-row loss and number of correct predictions. */
    public record BatchResult(double lossSum, double correct, int size) {
    }

    /**
     * @param initial   every tensor of the network (a checkpoint's {@code weights()})
     * @param inputSize the width of a row (a cnn's: channels x height x width)
     */
    public DenseNetwork(DenseBackend be, ModelSpec spec, Map<String, FloatTensor> initial, int inputSize, int maxBatch, boolean training) {
        if (spec.isText()) throw new IllegalArgumentException("a " + spec.template() + " card needs an embedding bag, which only the CPU engine has");
        this.be = be;
        this.spec = spec;
        this.sizes = spec.layerSizes(inputSize);
        this.layers = sizes.length - 1;
        this.inputSize = inputSize;
        this.maxBatch = maxBatch;
        this.act = spec.activation();
        if (spec.isConvolutional()) {
            if (!(be instanceof ConvBackend cb)) throw new IllegalArgumentException(be.description() + " has no conv kernels");
            conv = new ConvLayers(cb, spec, initial, maxBatch, training, params);
        } else {
            conv = null;
        }
        w = new Param[layers];
        b = new Param[layers];
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
            w[l] = Param.trainable(be, ModelSpec.weightName(l), initial, training, hp, true, out, in);
            b[l] = Param.trainable(be, ModelSpec.biasName(l), initial, training, hp, false, out);
            params.add(w[l]);
            params.add(b[l]);
            z[l] = be.alloc(maxBatch * out);
            boolean hidden = l < layers - 1;
            if (hidden) h[l] = be.alloc(maxBatch * out);
            if (training) {
                dz[l] = be.alloc(maxBatch * out);
                if (hidden) dh[l] = be.alloc(maxBatch * out);
                if (hidden && dropout) mask[l] = be.alloc(maxBatch * out);
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

    /** Forward pass of a batch (training: dropout masks applied when given, batch norm on the batch), then the loss. */
    private BatchResult forwardAndLoss(BatchStream.Batch batch, DropoutMasks masks, boolean training) {
        int n = batch.size;
        forward(batch.x, n, masks, training);
        be.upload(y, batch.y, n);
        int outSize = sizes[layers];
        DenseBackend.Buf dlogits = training ? dz[layers - 1] : scratchLogitGrad(n * outSize);
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
    private void forward(float[] rows, int n, DropoutMasks masks, boolean training) {
        if (n > maxBatch) throw new IllegalArgumentException("batch larger than " + maxBatch);
        be.upload(x, rows, n * inputSize);
        DenseBackend.Buf a = conv != null ? conv.forward(x, n, training) : x;
        for (int l = 0; l < layers; l++) {
            int in = sizes[l], out = sizes[l + 1];
            be.linearForward(a, w[l].value(), b[l].value(), z[l], n, in, out);
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
        forward(rows, n, null, false);
        float[] out = new float[n * sizes[layers]];
        be.download(z[layers - 1], out, out.length);
        return out;
    }

    private DenseBackend.Buf scratch;

    private DenseBackend.Buf scratchLogitGrad(int n) {
        if (scratch == null || scratch.length() < n) scratch = be.alloc(Math.max(n, maxBatch * sizes[layers]));
        return scratch;
    }

    /** Loss and accuracy of a batch without dropout, with batch norm's running statistics, updating nothing. */
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

    /** Gradients only (for gradient checks): forward without dropout (batch norm on the batch), backward, no update. */
    public BatchResult computeGradients(BatchStream.Batch batch) {
        BatchResult r = forwardAndLoss(batch, null, true);
        backward(batch.size, null);
        return r;
    }

    private void backward(int n, DropoutMasks masks) {
        for (int l = layers - 1; l >= 0; l--) {
            int in = sizes[l], out = sizes[l + 1];
            DenseBackend.Buf input = l > 0 ? h[l - 1] : conv != null ? conv.output() : x;
            DenseBackend.Buf dx = l > 0 ? dh[l - 1] : conv != null ? conv.flatGradient() : null;
            be.linearBackward(input, w[l].value(), dz[l], dx, w[l].grad(), b[l].grad(), n, in, out);
            if (l > 0) {
                if (masks != null && masks.active()) be.multiply(dh[l - 1], mask[l - 1], n * in);
                be.activationBackward(act, z[l - 1], dh[l - 1], dz[l - 1], n * in);
            }
        }
        if (conv != null) conv.backward(n);
    }

    private void update() {
        Hyperparameters hp = spec.hyperparameters();
        step++;
        float lr = (float) hp.learningRate();
        float b1 = (float) Hyperparameters.ADAM_BETA1, b2 = (float) Hyperparameters.ADAM_BETA2;
        float eps = (float) Hyperparameters.ADAM_EPSILON;
        float bc1 = (float) (1 - Math.pow(Hyperparameters.ADAM_BETA1, step));
        float bc2 = (float) (1 - Math.pow(Hyperparameters.ADAM_BETA2, step));
        for (Param p : params) {
            if (p.statistic() || spec.isConvolutional() && spec.conv().frozen(p.name())) continue;
            float wd = p.decays() ? (float) hp.weightDecay() : 0f;
            if (hp.optimizer() == OptimizerKind.ADAM) {
                be.adamUpdate(p.value(), p.grad(), p.m1(), p.m2(), p.size(), lr, wd, b1, b2, eps, bc1, bc2);
            } else {
                be.sgdUpdate(p.value(), p.grad(), p.m1(), p.size(), lr, wd, (float) hp.momentum());
            }
        }
    }

    /** Continues from a checkpoint whose parameters this network was built with: its step count and moments. */
    public void restoreOptimizer(Checkpoint start) {
        step = start.step();
        for (Param p : params) {
            upload(p.m1(), start, Checkpoint.firstMoment(p.name()));
            upload(p.m2(), start, Checkpoint.secondMoment(p.name()));
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
        for (Param p : params) {
            if (p.m1() != null) out.put(Checkpoint.firstMoment(p.name()), download(p.m1(), p.shape()));
            if (p.m2() != null) out.put(Checkpoint.secondMoment(p.name()), download(p.m2(), p.shape()));
        }
        return new Checkpoint(epoch, step, out);
    }

    /** Current weights (and batch norm statistics), copied to the host. */
    public Map<String, FloatTensor> weights() {
        be.synchronize();
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (Param p : params) out.put(p.name(), download(p.value(), p.shape()));
        return out;
    }

    /** Gradients of the last {@link #computeGradients} call, same names as the trainable weights. */
    public Map<String, FloatTensor> gradients() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (Param p : params) if (!p.statistic()) out.put(p.name(), download(p.grad(), p.shape()));
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
