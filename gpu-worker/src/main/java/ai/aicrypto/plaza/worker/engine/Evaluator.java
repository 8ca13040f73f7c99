package ai.aicrypto.plaza.worker.engine;

import ai.aicrypto.plaza.worker.data.BatchStream;
import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.data.Safetensors;
import ai.aicrypto.plaza.worker.data.Task;
import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.engine.dense.DenseNetwork;
import ai.aicrypto.plaza.worker.engine.dense.JavaBackend;
import ai.aicrypto.plaza.worker.model.ModelSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loss and accuracy of trained weights on a held-out split, in plain Java (no native libraries), so that the
 * app can reuse it to verify a worker's result: softmax cross-entropy (classification) or mean squared error
 * (regression), no dropout.
 */
public final class Evaluator {

    public record Result(double loss, double accuracy, long samples) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "loss %.5f, accuracy %.4f on %d samples", loss, accuracy, samples);
        }
    }

    private Evaluator() {
    }

    public static Result evaluate(ModelSpec spec, Path weightsFile, TrainingData data) throws IOException {
        return evaluate(spec, Safetensors.readAllF32(weightsFile), data);
    }

    public static Result evaluate(ModelSpec spec, Map<String, FloatTensor> weights, TrainingData data) throws IOException {
        TrainingSetup.validate(spec, data);
        int batchSize = 256;
        DenseNetwork net = new DenseNetwork(new JavaBackend(), spec, weights, data.featureCount(), batchSize, false);
        BatchStream stream = new BatchStream(data, batchSize, false, 0, 0);
        BatchStream.Batch batch = stream.newBatch();
        double loss = 0, correct = 0;
        long n = 0;
        while (stream.next(batch)) {
            if (spec.task() == Task.CLASSIFICATION) TrainingSetup.checkLabels(batch.classes, batch.size, spec.outputSize());
            DenseNetwork.BatchResult r = net.evaluate(batch);
            loss += r.lossSum();
            correct += r.correct();
            n += r.size();
        }
        return new Result(loss / n, spec.task() == Task.CLASSIFICATION ? correct / n : Double.NaN, n);
    }
}
