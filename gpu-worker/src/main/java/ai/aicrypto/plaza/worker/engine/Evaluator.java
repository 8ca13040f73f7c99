package ai.aicrypto.plaza.worker.engine;

import ai.aicrypto.plaza.worker.cpu.DjlNetwork;
import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.data.BatchStream;
import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.data.Safetensors;
import ai.aicrypto.plaza.worker.data.Task;
import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.engine.dense.CpuKernels;
import ai.aicrypto.plaza.worker.engine.dense.DenseNetwork;
import ai.aicrypto.plaza.worker.engine.dense.JavaBackend;
import ai.aicrypto.plaza.worker.model.ModelSpec;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loss and accuracy of trained weights on a held-out split: softmax cross-entropy (classification) or mean squared
 * error (regression), no dropout. Dense networks in plain Java (no native libraries); a cnn or fasttext classifier
 * through the CPU engine's own forward pass ({@link DjlNetwork}; a cnn's batch norm with its running statistics),
 * whose conv and embedding kernels only DJL has here.
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
        if (spec.needsCpuEngine()) return evaluateWithDjl(spec, weights, data);
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

    private static Result evaluateWithDjl(ModelSpec spec, Map<String, FloatTensor> weights, TrainingData data) throws IOException {
        int batchSize = 256, features = data.featureCount(), outputs = spec.outputSize();
        boolean classification = spec.task() == Task.CLASSIFICATION;
        float[] gradient = new float[batchSize * outputs], rowLoss = new float[batchSize], rowCorrect = new float[batchSize];
        double loss = 0, correct = 0;
        long n = 0;
        JniUtils.setGradMode(false);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), DjlCpuEngine.pytorch().getEngineName())) {
            DjlNetwork net = DjlNetwork.of(manager, spec, weights);
            BatchStream stream = new BatchStream(data, batchSize, false, 0, 0);
            BatchStream.Batch batch = stream.newBatch();
            while (stream.next(batch)) {
                int rows = batch.size;
                if (classification) TrainingSetup.checkLabels(batch.classes, rows, outputs);
                float[] logits;
                try (NDManager bm = manager.newSubManager()) {
                    logits = net.forward(bm.create(FloatBuffer.wrap(batch.x, 0, rows * features), new Shape(rows, features)), false, null)
                            .toFloatArray();
                }
                if (classification) {
                    CpuKernels.softmaxCrossEntropy(logits, batch.y, gradient, rowLoss, rowCorrect, rows, outputs);
                } else {
                    CpuKernels.meanSquaredError(logits, batch.y, gradient, rowLoss, rows);
                }
                for (int i = 0; i < rows; i++) {
                    loss += rowLoss[i];
                    correct += rowCorrect[i];
                }
                n += rows;
            }
        }
        return new Result(loss / n, classification ? correct / n : Double.NaN, n);
    }
}
