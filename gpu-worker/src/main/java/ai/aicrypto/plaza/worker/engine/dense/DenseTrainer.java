package ai.aicrypto.plaza.worker.engine.dense;

import ai.aicrypto.plaza.worker.data.BatchStream;
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

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The epoch / mini-batch loop over a {@link DenseNetwork} (a cnn's too), shared by the GPU and the reference engine. */
public final class DenseTrainer {

    private DenseTrainer() {
    }

    /** See {@link ai.aicrypto.plaza.worker.engine.TrainingEngine#train(ModelSpec, TrainingData, Checkpoint, int, TrainingListener)}. */
    public static TrainedModel train(DenseBackend backend, String engineId, ModelSpec spec, TrainingData data, Checkpoint start,
                                     int lastEpoch, TrainingListener listener) throws IOException {
        if (spec.isText() || spec.isConvolutional() && !(backend instanceof ConvBackend)) {
            throw new UnsupportedOperationException("the " + engineId + " engine has no " + (spec.isText() ? "embedding bags" : "convolution kernels")
                    + " yet: a " + spec.template() + " card trains on the CPU engine (--engine cpu; a worker on the plaza picks it for such a job by itself)");
        }
        Checkpoint from = TrainingSetup.begin(spec, data, start, lastEpoch, listener);
        Hyperparameters hp = spec.hyperparameters();
        int batchSize = (int) Math.min(hp.batchSize(), data.rows());
        DenseNetwork net = new DenseNetwork(backend, spec, from.weights(), data.featureCount(), batchSize, true);
        net.restoreOptimizer(from);
        DropoutMasks masks = new DropoutMasks(spec.dropout());
        ImageAugmentation augmentation = ImageAugmentation.of(spec);
        List<EpochMetrics> history = new ArrayList<>();
        for (int epoch = from.epoch() + 1; epoch <= lastEpoch; epoch++) {
            long t0 = System.nanoTime();
            BatchStream stream = new BatchStream(data, batchSize, true, hp.seed(), epoch);
            BatchStream.Batch batch = stream.newBatch();
            masks.startEpoch(hp.seed(), epoch);
            if (augmentation != null) augmentation.startEpoch(hp.seed(), epoch);
            double loss = 0, correct = 0;
            long samples = 0;
            while (stream.next(batch)) {
                if (listener.isCancelled()) throw new TrainingCancelledException(epoch);
                if (spec.task() == Task.CLASSIFICATION) TrainingSetup.checkLabels(batch.classes, batch.size, spec.outputSize());
                if (augmentation != null) augmentation.apply(batch.x, batch.size);
                DenseNetwork.BatchResult r = net.trainStep(batch, masks);
                loss += r.lossSum();
                correct += r.correct();
                samples += r.size();
            }
            backend.synchronize();
            EpochMetrics m = new EpochMetrics(epoch, loss / samples,
                    spec.task() == Task.CLASSIFICATION ? correct / samples : Double.NaN, samples, (System.nanoTime() - t0) / 1e9);
            history.add(m);
            listener.onEpoch(m);
            listener.onCheckpoint(net.checkpoint(epoch));
        }
        return new TrainedModel(spec, data.featureCount(), net.weights(), history, engineId);
    }
}
