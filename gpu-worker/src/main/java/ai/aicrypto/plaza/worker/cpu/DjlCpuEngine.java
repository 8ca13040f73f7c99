package ai.aicrypto.plaza.worker.cpu;

import ai.aicrypto.plaza.worker.data.BatchStream;
import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.data.Task;
import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.engine.Checkpoint;
import ai.aicrypto.plaza.worker.engine.DropoutMasks;
import ai.aicrypto.plaza.worker.engine.EpochMetrics;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingCancelledException;
import ai.aicrypto.plaza.worker.engine.TrainingEngine;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.TrainingSetup;
import ai.aicrypto.plaza.worker.model.Hyperparameters;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.aicrypto.plaza.worker.model.OptimizerKind;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU engine: DJL 0.36 with the PyTorch 2.7.1 engine. Forward with {@code torch.linear} and DJL activations,
 * backward by PyTorch autograd ({@link GradientCollector}), optimizer steps with in-place tensor ops in the same
 * arithmetic as the GPU kernels. Initialisation, shuffling and dropout masks come from the shared seeded
 * streams, so the loss curve matches the GPU and reference engines up to float rounding.
 * <p>
 * Runs offline: {@code ai.djl.offline=true} is set before DJL is touched, and the PyTorch natives come from the
 * {@code pytorch-native-cpu} jar on the class path (extracted once to DJL's cache, {@code ~/.djl.ai} or
 * {@code $DJL_CACHE_DIR}).
 */
public final class DjlCpuEngine implements TrainingEngine {

    private static final Object ENGINE_LOCK = new Object();

    /** Returns DJL's PyTorch engine, forcing offline mode (nothing may be downloaded at run time). */
    public static Engine pytorch() {
        synchronized (ENGINE_LOCK) {
            if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
            return Engine.getEngine("PyTorch");
        }
    }

    @Override
    public String id() {
        return "cpu";
    }

    @Override
    public String description() {
        return "DJL " + Engine.getDjlVersion() + " / PyTorch " + pytorch().getVersion() + " (CPU)";
    }

    /** Trains every template but trees: dense networks here, cnns and fasttext classifiers with {@link NetworkTrainer}. */
    @Override
    public boolean trains(ModelSpec spec) {
        return true;
    }

    @Override
    public boolean hasConvKernels() {
        return true;
    }

    @Override
    public TrainedModel train(ModelSpec spec, TrainingData data, Checkpoint start, int lastEpoch, TrainingListener listener)
            throws IOException {
        if (spec.needsCpuEngine()) return NetworkTrainer.train(spec, data, start, lastEpoch, listener, id());
        Checkpoint from = TrainingSetup.begin(spec, data, start, lastEpoch, listener);
        Engine engine = pytorch();
        // PyTorch's grad mode is per thread and on in a new thread; DJL turns it off only in the thread that loaded
        // the engine. The optimizer's in-place updates of the parameters must run with it off (a worker trains on
        // one thread per slot).
        JniUtils.setGradMode(false);
        Hyperparameters hp = spec.hyperparameters();
        int features = data.featureCount();
        int[] sizes = spec.layerSizes(features);
        int layers = sizes.length - 1;
        int batchSize = (int) Math.min(hp.batchSize(), data.rows());
        boolean classification = spec.task() == Task.CLASSIFICATION;
        List<EpochMetrics> history = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager(Device.cpu(), engine.getEngineName())) {
            int np = 2 * layers;
            String[] names = new String[np];
            NDArray[] params = new NDArray[np];
            NDArray[] m1 = new NDArray[np];
            NDArray[] m2 = new NDArray[np];
            float[] decay = new float[np];
            for (int l = 0; l < layers; l++) {
                names[2 * l] = ModelSpec.weightName(l);
                names[2 * l + 1] = ModelSpec.biasName(l);
                decay[2 * l] = (float) hp.weightDecay();
            }
            for (int i = 0; i < np; i++) {
                params[i] = create(root, from.tensor(names[i]));
                params[i].setRequiresGradient(true);
                if (Checkpoint.hasFirstMoment(hp)) m1[i] = create(root, from.tensor(Checkpoint.firstMoment(names[i])));
                if (Checkpoint.hasSecondMoment(hp)) m2[i] = create(root, from.tensor(Checkpoint.secondMoment(names[i])));
            }
            DropoutMasks masks = new DropoutMasks(spec.dropout());
            float[][] hostMasks = new float[layers][];
            for (int l = 0; l < layers - 1; l++) if (masks.active()) hostMasks[l] = new float[batchSize * sizes[l + 1]];
            long[] labelBuf = new long[batchSize];
            long step = from.step();
            for (int epoch = from.epoch() + 1; epoch <= lastEpoch; epoch++) {
                long t0 = System.nanoTime();
                BatchStream stream = new BatchStream(data, batchSize, true, hp.seed(), epoch);
                BatchStream.Batch batch = stream.newBatch();
                masks.startEpoch(hp.seed(), epoch);
                double lossSum = 0, correct = 0;
                long samples = 0;
                while (stream.next(batch)) {
                    if (listener.isCancelled()) throw new TrainingCancelledException(epoch);
                    int n = batch.size;
                    if (classification) TrainingSetup.checkLabels(batch.classes, n, spec.outputSize());
                    try (NDManager bm = root.newSubManager()) {
                        NDArray x = bm.create(FloatBuffer.wrap(batch.x, 0, n * features), new Shape(n, features));
                        NDArray target = target(bm, batch, classification, labelBuf);
                        NDArray[] maskArrays = new NDArray[layers];
                        if (masks.active()) {
                            for (int l = 0; l < layers - 1; l++) {
                                int cnt = n * sizes[l + 1];
                                masks.fill(hostMasks[l], cnt);
                                maskArrays[l] = bm.create(FloatBuffer.wrap(hostMasks[l], 0, cnt), new Shape(n, sizes[l + 1]));
                            }
                        }
                        NDArray logits;
                        NDArray loss;
                        try (GradientCollector gc = engine.newGradientCollector()) {
                            NDArray a = x;
                            NDArray z = null;
                            for (int l = 0; l < layers; l++) {
                                z = Linear.linear(a, params[2 * l], params[2 * l + 1]).singletonOrThrow();
                                if (l < layers - 1) {
                                    a = activate(spec, z);
                                    if (maskArrays[l] != null) a = a.mul(maskArrays[l]);
                                }
                            }
                            logits = z;
                            loss = loss(logits, target, classification, n);
                            gc.backward(loss);
                        }
                        lossSum += (double) loss.getFloat() * n;
                        if (classification) correct += correct(logits, batch.classes, n);
                        step++;
                        for (int i = 0; i < np; i++) {
                            update(params[i], m1[i], m2[i], hp, decay[i], step);
                        }
                    }
                    samples += n;
                }
                EpochMetrics m = new EpochMetrics(epoch, lossSum / samples, classification ? correct / samples : Double.NaN,
                        samples, (System.nanoTime() - t0) / 1e9);
                history.add(m);
                listener.onEpoch(m);
                listener.onCheckpoint(checkpoint(epoch, step, names, params, m1, m2));
            }
            Map<String, FloatTensor> weights = new LinkedHashMap<>();
            for (int i = 0; i < np; i++) weights.put(names[i], tensor(params[i]));
            return new TrainedModel(spec, features, weights, history, id());
        }
    }

    private static NDArray create(NDManager manager, FloatTensor t) {
        return manager.create(t.data(), new Shape(t.shape()));
    }

    static FloatTensor tensor(NDArray a) {
        return new FloatTensor(a.getShape().getShape(), a.toFloatArray());
    }

    /** A batch's labels: class indices [n, 1] (classification) or targets [n]. */
    static NDArray target(NDManager manager, BatchStream.Batch batch, boolean classification, long[] labelBuf) {
        int n = batch.size;
        if (!classification) return manager.create(FloatBuffer.wrap(batch.y, 0, n), new Shape(n));
        for (int i = 0; i < n; i++) labelBuf[i] = batch.classes[i];
        return manager.create(LongBuffer.wrap(labelBuf, 0, n), new Shape(n, 1));
    }

    /** Mean softmax cross-entropy (classification) or mean squared error of a batch. */
    static NDArray loss(NDArray logits, NDArray target, boolean classification, int n) {
        return classification ? logits.logSoftmax(1).gather(target, 1).mean().neg() : logits.reshape(n).sub(target).square().mean();
    }

    /** How many of the batch's rows have their class as the largest logit. */
    static int correct(NDArray logits, int[] classes, int n) {
        float[] host = logits.toFloatArray();
        int c = host.length / n, correct = 0;
        for (int i = 0; i < n; i++) {
            int arg = 0;
            for (int j = 1; j < c; j++) if (host[i * c + j] > host[i * c + arg]) arg = j;
            if (arg == classes[i]) correct++;
        }
        return correct;
    }

    private static Checkpoint checkpoint(int epoch, long step, String[] names, NDArray[] params, NDArray[] m1, NDArray[] m2) {
        Map<String, FloatTensor> t = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            t.put(names[i], tensor(params[i]));
            if (m1[i] != null) t.put(Checkpoint.firstMoment(names[i]), tensor(m1[i]));
            if (m2[i] != null) t.put(Checkpoint.secondMoment(names[i]), tensor(m2[i]));
        }
        return new Checkpoint(epoch, step, t);
    }

    static NDArray activate(ModelSpec spec, NDArray z) {
        return switch (spec.activation()) {
            case RELU -> ai.djl.nn.Activation.relu(z);
            case TANH -> ai.djl.nn.Activation.tanh(z);
            case SIGMOID -> ai.djl.nn.Activation.sigmoid(z);
            case GELU -> ai.djl.nn.Activation.gelu(z);
        };
    }

    /**
     * One optimizer step on a parameter (outside grad mode), same arithmetic as the CUDA kernels
     * {@code sgd_update} / {@code adam_update}; then zeroes the accumulated gradient. Temporaries are closed
     * here because results of ops on {@code p} belong to the parameter's (long-lived) manager.
     */
    static void update(NDArray p, NDArray m, NDArray v, Hyperparameters hp, float wd, long step) {
        try (NDArray g = p.getGradient()) {
            if (wd != 0f) {
                try (NDArray t = p.mul(wd)) {
                    g.addi(t);
                }
            }
            float lr = (float) hp.learningRate();
            if (hp.optimizer() == OptimizerKind.ADAM) {
                float b1 = (float) Hyperparameters.ADAM_BETA1, b2 = (float) Hyperparameters.ADAM_BETA2;
                float bc1 = (float) (1 - Math.pow(Hyperparameters.ADAM_BETA1, step));
                float bc2 = (float) (1 - Math.pow(Hyperparameters.ADAM_BETA2, step));
                m.muli(b1);
                try (NDArray t = g.mul(1f - b1)) {
                    m.addi(t);
                }
                v.muli(b2);
                try (NDArray t = g.square()) {
                    t.muli(1f - b2);
                    v.addi(t);
                }
                try (NDArray denom = v.sqrt()) {
                    denom.divi((float) Math.sqrt(bc2)).addi((float) Hyperparameters.ADAM_EPSILON);
                    try (NDArray upd = m.div(denom)) {
                        upd.muli(lr / bc1);
                        p.subi(upd);
                    }
                }
            } else if (m != null) {
                m.muli((float) hp.momentum()).addi(g);
                try (NDArray t = m.mul(lr)) {
                    p.subi(t);
                }
            } else {
                try (NDArray t = g.mul(lr)) {
                    p.subi(t);
                }
            }
            g.subi(g);
        }
    }
}
