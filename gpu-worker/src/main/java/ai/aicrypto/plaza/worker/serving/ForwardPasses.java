package ai.aicrypto.plaza.worker.serving;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.function.Supplier;

import ai.aicrypto.plaza.worker.cpu.DjlNetwork;
import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.data.InMemoryChannel;
import ai.aicrypto.plaza.worker.data.Safetensors;
import ai.aicrypto.plaza.worker.data.Task;
import ai.aicrypto.plaza.worker.engine.dense.DenseBackend;
import ai.aicrypto.plaza.worker.engine.dense.DenseNetwork;
import ai.aicrypto.plaza.worker.model.BoostedTreesSpec;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * The one place that maps a model's family (its card's template) to the forward pass that serves it, from weights held
 * in memory only: a dense network runs the training engine's own {@link DenseNetwork} forward pass (on the GPU's
 * backend where the worker trains on one, else the plain-Java kernels), a cnn or fasttext classifier runs DJL's
 * ({@link DjlNetwork}: the conv and embedding kernels only DJL has here; batch norm on its running statistics), trees
 * run XGBoost's own predict.
 */
public final class ForwardPasses {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<DenseBackend> backends;
    private final int maxRows;

    /** @param maxRows the most rows one batch holds (a network's buffers are sized for it) */
    public ForwardPasses(Supplier<DenseBackend> backends, int maxRows) {
        this.backends = backends;
        this.maxRows = maxRows;
    }

    public ForwardPass load(String cardJson, byte[] weights, int inputWidth) throws IOException {
        JsonNode card = JSON.readTree(cardJson);
        if (BoostedTreesSpec.describes(card)) {
            return trees(card, weights);
        }
        ModelSpec spec = ModelSpec.fromCard(card);
        return spec.needsCpuEngine() ? djl(spec, weights, inputWidth) : dense(spec, weights, inputWidth);
    }

    private static ForwardPass djl(ModelSpec spec, byte[] weights, int inputWidth) throws IOException {
        Map<String, FloatTensor> tensors = Safetensors.readAllF32(new InMemoryChannel(weights), "the served weights");
        NDManager manager = NDManager.newBaseManager(Device.cpu(), DjlCpuEngine.pytorch().getEngineName());
        DjlNetwork network;
        try {
            network = DjlNetwork.of(manager, spec, tensors);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        long bytes = 4L * tensors.values().stream().mapToLong(t -> t.data().length).sum();
        return of(spec.outputSize(), bytes, (x, rows) -> {
            JniUtils.setGradMode(false); // per thread: no autograd graph for an answer
            try (NDManager batch = manager.newSubManager()) {
                return network.forward(batch.create(FloatBuffer.wrap(x, 0, rows * inputWidth), new Shape(rows, inputWidth)),
                        false, null).toFloatArray();
            }
        }, manager::close);
    }

    private ForwardPass dense(ModelSpec spec, byte[] weights, int inputWidth) throws IOException {
        Map<String, FloatTensor> tensors = Safetensors.readAllF32(new InMemoryChannel(weights), "the served weights");
        DenseBackend backend = backends.get();
        DenseNetwork network;
        try {
            network = new DenseNetwork(backend, spec, tensors, inputWidth, maxRows, false);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        int width = network.sizes()[network.sizes().length - 1];
        long bytes = 4L * tensors.values().stream().mapToLong(t -> t.data().length).sum();
        return of(width, bytes, (x, rows) -> {
            float[] out = new float[rows * width];
            for (int from = 0; from < rows; from += maxRows) {
                int n = Math.min(maxRows, rows - from);
                float[] chunk = new float[n * inputWidth];
                System.arraycopy(x, from * inputWidth, chunk, 0, chunk.length);
                System.arraycopy(network.predict(chunk, n), 0, out, from * width, n * width);
            }
            return out;
        }, backend::close);
    }

    /**
     * XGBoost's predictions: class probabilities (binary classification: the positive class's, so the other is added
     * in front, as the plaza reads two classes), or the value.
     */
    private static ForwardPass trees(JsonNode card, byte[] weights) throws IOException {
        Booster booster;
        try {
            booster = XGBoost.loadModel(weights);
        } catch (XGBoostError e) {
            throw new IOException("XGBoost could not read the served model: " + e.getMessage(), e);
        }
        boolean classification = Task.parse(card.path("task").asText()) == Task.CLASSIFICATION;
        int classes = classification ? card.path("output").path("classes").size() : 1;
        int features;
        try {
            features = (int) booster.getNumFeature();
        } catch (XGBoostError e) {
            throw new IOException(e);
        }
        int width = classification ? Math.max(2, classes) : 1;
        return of(width, weights.length, (x, rows) -> {
            try {
                DMatrix matrix = new DMatrix(x, rows, features, Float.NaN);
                try {
                    float[][] p = booster.predict(matrix);
                    float[] out = new float[rows * width];
                    for (int r = 0; r < rows; r++) {
                        if (p[r].length == 1 && width == 2) {
                            out[r * 2] = 1 - p[r][0];
                            out[r * 2 + 1] = p[r][0];
                        } else {
                            System.arraycopy(p[r], 0, out, r * width, width);
                        }
                    }
                    return out;
                } finally {
                    matrix.dispose();
                }
            } catch (XGBoostError e) {
                throw new IllegalStateException("XGBoost failed to predict: " + e.getMessage(), e);
            }
        }, booster::dispose);
    }

    private interface Predict {
        float[] apply(float[] x, int rows);
    }

    private static ForwardPass of(int width, long bytes, Predict predict, Runnable close) {
        return new ForwardPass() {
            @Override
            public float[] predict(float[] x, int rows) {
                return predict.apply(x, rows);
            }

            @Override
            public int outputWidth() {
                return width;
            }

            @Override
            public long bytes() {
                return bytes;
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }
}
