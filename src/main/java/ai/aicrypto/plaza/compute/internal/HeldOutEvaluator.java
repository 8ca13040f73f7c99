package ai.aicrypto.plaza.compute.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.SafetensorsSummary;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import org.springframework.stereotype.Component;

/**
 * Measures uploaded weights on the held-out split with DJL's PyTorch engine on the CPU: the
 * card's dense network ({@code layers.i.weight} [out, in], {@code layers.i.bias} [out], the
 * hidden activation after every layer but the last; no dropout at inference), then softmax
 * cross-entropy and accuracy (classification) or mean squared error (regression), as the worker's
 * own evaluator computes them. PyTorch's natives come from the class path (offline, nothing
 * downloaded).
 */
@Component
class HeldOutEvaluator {

    record Evaluation(double loss, double accuracy, long samples) {
    }

    /** Weights that do not fit the card: the result is rejected with this reason. */
    static final class UnfitWeightsException extends Exception {
        UnfitWeightsException(String reason) {
            super(reason);
        }
    }

    Evaluation evaluate(ModelCard card, Path weights, SafetensorsSummary summary, ShardTensors heldOut)
            throws IOException, UnfitWeightsException {
        List<Integer> sizes = new java.util.ArrayList<>();
        sizes.add(heldOut.featureCount());
        sizes.addAll(card.hiddenSizes());
        sizes.add(card.outputSize());
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), pytorch().getEngineName());
             FileChannel file = FileChannel.open(weights, StandardOpenOption.READ)) {
            long dataStart = 8 + summary.headerBytes();
            NDArray x = manager.create(heldOut.features(), new Shape(heldOut.rows(), heldOut.featureCount()));
            for (int layer = 0; layer < sizes.size() - 1; layer++) {
                int in = sizes.get(layer), out = sizes.get(layer + 1);
                NDArray w = manager.create(tensor(file, dataStart, summary.tensors(), "layers." + layer + ".weight", out, in),
                        new Shape(out, in));
                NDArray b = manager.create(tensor(file, dataStart, summary.tensors(), "layers." + layer + ".bias", out),
                        new Shape(out));
                x = x.matMul(w.transpose()).add(b);
                if (layer < sizes.size() - 2) {
                    x = activate(x, card.activation().orElse("relu"));
                }
            }
            if (summary.tensors().size() != 2 * (sizes.size() - 1)) {
                throw new UnfitWeightsException("the weights hold " + summary.tensors().size() + " tensors, the card's network "
                        + 2 * (sizes.size() - 1));
            }
            if (card.isClassification()) {
                NDArray labels = manager.create(heldOut.labels());
                NDArray logProbabilities = x.logSoftmax(1);
                double loss = -logProbabilities.mul(labels.oneHot(card.outputSize())).sum().getFloat() / heldOut.rows();
                double accuracy = logProbabilities.argMax(1).eq(labels).toType(DataType.FLOAT32, false).mean().getFloat();
                return new Evaluation(loss, accuracy, heldOut.rows());
            }
            NDArray targets = manager.create(heldOut.targets(), new Shape(heldOut.rows(), 1));
            double loss = x.sub(targets).square().mean().getFloat();
            return new Evaluation(loss, Double.NaN, heldOut.rows());
        }
    }

    private static NDArray activate(NDArray x, String activation) {
        return switch (activation) {
            case "tanh" -> Activation.tanh(x);
            case "sigmoid" -> Activation.sigmoid(x);
            case "gelu" -> Activation.gelu(x);
            default -> Activation.relu(x);
        };
    }

    /** An F32 tensor of the expected shape, read from the validated file. */
    private static float[] tensor(FileChannel file, long dataStart, Map<String, SafetensorsSummary.TensorInfo> tensors,
                                  String name, long... shape) throws IOException, UnfitWeightsException {
        SafetensorsSummary.TensorInfo info = tensors.get(name);
        List<Long> expected = java.util.Arrays.stream(shape).boxed().toList();
        if (info == null) {
            throw new UnfitWeightsException("tensor " + name + " is missing");
        }
        if (!info.dtype().equals("F32") || !info.shape().equals(expected)) {
            throw new UnfitWeightsException("tensor " + name + " is " + info.dtype() + " " + info.shape()
                    + ", the card's network needs F32 " + expected);
        }
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(info.byteLength())).order(ByteOrder.LITTLE_ENDIAN);
        long position = dataStart + info.begin();
        while (bytes.hasRemaining()) {
            int read = file.read(bytes, position);
            if (read < 0) {
                throw new IOException("weights file truncated");
            }
            position += read;
        }
        float[] values = new float[(int) info.elementCount()];
        bytes.flip().asFloatBuffer().get(values);
        return values;
    }

    /** DJL's PyTorch engine, offline: the natives are on the class path and nothing may be downloaded. */
    private static Engine pytorch() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        return Engine.getEngine("PyTorch");
    }
}
