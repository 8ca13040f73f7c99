package ai.aicrypto.plaza.worker.cpu;

import ai.aicrypto.plaza.worker.data.BatchStream;
import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.data.Task;
import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.engine.Checkpoint;
import ai.aicrypto.plaza.worker.engine.DropoutMasks;
import ai.aicrypto.plaza.worker.engine.EpochMetrics;
import ai.aicrypto.plaza.worker.engine.ImageAugmentation;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingCancelledException;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.TrainingSetup;
import ai.aicrypto.plaza.worker.model.Hyperparameters;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.aicrypto.plaza.worker.model.TextSpec;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU engine's training loop for networks beyond dense layers ({@link DjlNetwork}: cnn and fasttext cards): their
 * forward pass, PyTorch autograd backward and the same optimizer steps, seeded shuffling and dropout as the dense networks ({@link DjlCpuEngine}); weight decay on the weights (conv, embedding, dense), not on biases or
 * batch norm. A fasttext network's embedding is updated only where a batch used it, the rest caught up later ({@link EmbeddingRows}).
 * A cnn's augmentation is {@link ImageAugmentation}'s, as on the other engines.
 */
final class NetworkTrainer {

    private NetworkTrainer() {
    }

    static TrainedModel train(ModelSpec spec, TrainingData data, Checkpoint start, int lastEpoch, TrainingListener listener,
                              String engineId) throws IOException {
        Checkpoint from = TrainingSetup.begin(spec, data, start, lastEpoch, listener);
        Engine engine = DjlCpuEngine.pytorch();
        JniUtils.setGradMode(false); // per thread: the optimizer's in-place updates run outside autograd
        Hyperparameters hp = spec.hyperparameters();
        ImageAugmentation augmentation = ImageAugmentation.of(spec);
        int features = data.featureCount();
        int batchSize = (int) Math.min(hp.batchSize(), data.rows());
        boolean classification = spec.task() == Task.CLASSIFICATION;
        int[] sizes = spec.layerSizes(features);
        int hiddenLayers = sizes.length - 2;
        List<EpochMetrics> history = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager(Device.cpu(), engine.getEngineName())) {
            DjlNetwork net = DjlNetwork.of(root, spec, from.weights());
            List<String> names = new ArrayList<>(net.trainable());
            // a text network's embedding trains row by row, on the host (EmbeddingRows); autograd sees only its used rows
            EmbeddingRows embedding = null;
            if (spec.isText()) {
                embedding = new EmbeddingRows(from.tensor(TextSpec.EMBEDDING), moment(from, hp, true), moment(from, hp, false), hp, from.step());
                names.remove(TextSpec.EMBEDDING);
            }
            Map<String, NDArray> m1 = new LinkedHashMap<>(), m2 = new LinkedHashMap<>();
            for (String name : names) {
                net.tensor(name).setRequiresGradient(true);
                if (Checkpoint.hasFirstMoment(hp)) m1.put(name, root.create(from.tensor(Checkpoint.firstMoment(name)).data(), net.tensor(name).getShape()));
                if (Checkpoint.hasSecondMoment(hp)) m2.put(name, root.create(from.tensor(Checkpoint.secondMoment(name)).data(), net.tensor(name).getShape()));
            }
            DropoutMasks masks = new DropoutMasks(spec.dropout());
            float[][] hostMasks = new float[hiddenLayers][];
            for (int l = 0; l < hiddenLayers; l++) if (masks.active()) hostMasks[l] = new float[batchSize * sizes[l + 1]];
            long[] labelBuf = new long[batchSize];
            long step = from.step();
            for (int epoch = from.epoch() + 1; epoch <= lastEpoch; epoch++) {
                long t0 = System.nanoTime();
                BatchStream stream = new BatchStream(data, batchSize, true, hp.seed(), epoch);
                BatchStream.Batch batch = stream.newBatch();
                masks.startEpoch(hp.seed(), epoch);
                if (augmentation != null) augmentation.startEpoch(hp.seed(), epoch);
                double lossSum = 0, correct = 0;
                long samples = 0;
                while (stream.next(batch)) {
                    if (listener.isCancelled()) throw new TrainingCancelledException(epoch);
                    int n = batch.size;
                    if (classification) TrainingSetup.checkLabels(batch.classes, n, spec.outputSize());
                    if (augmentation != null) augmentation.apply(batch.x, n);
                    try (NDManager bm = root.newSubManager()) {
                        NDArray x = bm.create(FloatBuffer.wrap(batch.x, 0, n * features), new Shape(n, features));
                        NDArray target = DjlCpuEngine.target(bm, batch, classification, labelBuf);
                        NDArray[] maskArrays = new NDArray[hiddenLayers];
                        if (masks.active()) {
                            for (int l = 0; l < hiddenLayers; l++) {
                                int cnt = n * sizes[l + 1];
                                masks.fill(hostMasks[l], cnt);
                                maskArrays[l] = bm.create(FloatBuffer.wrap(hostMasks[l], 0, cnt), new Shape(n, sizes[l + 1]));
                            }
                        }
                        NDArray logits, loss;
                        try (GradientCollector gc = engine.newGradientCollector()) {
                            logits = embedding == null ? net.forward(x, true, maskArrays)
                                    : ((TextNet) net).forward(x, embedding.gather(bm, batch.x, n, features, spec.text().textSlots()), maskArrays);
                            loss = DjlCpuEngine.loss(logits, target, classification, n);
                            gc.backward(loss);
                        }
                        lossSum += (double) loss.getFloat() * n;
                        if (classification) correct += DjlCpuEngine.correct(logits, batch.classes, n);
                        step++;
                        for (String name : names) {
                            if (spec.isConvolutional() && spec.conv().frozen(name)) continue;
                            float decay = name.endsWith(".weight") && !name.startsWith("bn.") ? (float) hp.weightDecay() : 0f;
                            DjlCpuEngine.update(net.tensor(name), m1.get(name), m2.get(name), hp, decay, step);
                        }
                        if (embedding != null) embedding.step((float) hp.weightDecay(), step);
                    }
                    samples += n;
                }
                EpochMetrics m = new EpochMetrics(epoch, lossSum / samples, classification ? correct / samples : Double.NaN,
                        samples, (System.nanoTime() - t0) / 1e9);
                history.add(m);
                listener.onEpoch(m);
                if (embedding != null) {
                    embedding.catchUpAll(step);
                    net.tensor(TextSpec.EMBEDDING).set(embedding.table().data());
                }
                listener.onCheckpoint(checkpoint(epoch, step, net, m1, m2, embedding));
            }
            return new TrainedModel(spec, features, net.tensors(), history, engineId);
        }
    }

    /** The network's tensors, then the first moments, then the second ones (the embedding's first, as it comes first). */
    private static Checkpoint checkpoint(int epoch, long step, DjlNetwork net, Map<String, NDArray> m1, Map<String, NDArray> m2,
                                         EmbeddingRows embedding) {
        Map<String, FloatTensor> t = new LinkedHashMap<>(net.tensors());
        if (embedding != null && embedding.firstMoment() != null) t.put(Checkpoint.firstMoment(TextSpec.EMBEDDING), embedding.firstMoment());
        m1.forEach((name, a) -> t.put(Checkpoint.firstMoment(name), DjlCpuEngine.tensor(a)));
        if (embedding != null && embedding.secondMoment() != null) t.put(Checkpoint.secondMoment(TextSpec.EMBEDDING), embedding.secondMoment());
        m2.forEach((name, a) -> t.put(Checkpoint.secondMoment(name), DjlCpuEngine.tensor(a)));
        return new Checkpoint(epoch, step, t);
    }

    /** A text network's embedding moment from the checkpoint, or null where the optimizer keeps none. */
    private static FloatTensor moment(Checkpoint from, Hyperparameters hp, boolean first) {
        if (first ? !Checkpoint.hasFirstMoment(hp) : !Checkpoint.hasSecondMoment(hp)) return null;
        return from.tensor(first ? Checkpoint.firstMoment(TextSpec.EMBEDDING) : Checkpoint.secondMoment(TextSpec.EMBEDDING));
    }
}
