package ai.aicrypto.plaza.compute.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import ai.aicrypto.plaza.model.card.ModelCard;
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

    Evaluation evaluate(ModelCard card, Path weights, ShardTensors heldOut) throws IOException, F32Tensors.UnfitTensorsException {
        List<Integer> sizes = new java.util.ArrayList<>();
        sizes.add(heldOut.featureCount());
        sizes.addAll(card.hiddenSizes());
        sizes.add(card.outputSize());
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), pytorch().getEngineName());
             F32Tensors tensors = F32Tensors.open(weights)) {
            if (tensors.summary().tensors().size() != 2 * (sizes.size() - 1)) {
                throw new F32Tensors.UnfitTensorsException("the weights hold " + tensors.summary().tensors().size()
                        + " tensors, the card's network " + 2 * (sizes.size() - 1));
            }
            NDArray x = manager.create(heldOut.features(), new Shape(heldOut.rows(), heldOut.featureCount()));
            for (int layer = 0; layer < sizes.size() - 1; layer++) {
                long in = sizes.get(layer), out = sizes.get(layer + 1);
                NDArray w = manager.create(tensors.read("layers." + layer + ".weight", List.of(out, in)), new Shape(out, in));
                NDArray b = manager.create(tensors.read("layers." + layer + ".bias", List.of(out)), new Shape(out));
                x = x.matMul(w.transpose()).add(b);
                if (layer < sizes.size() - 2) {
                    x = activate(x, card.activation().orElse("relu"));
                }
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

    /** DJL's PyTorch engine, offline: the natives are on the class path and nothing may be downloaded. */
    private static Engine pytorch() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        return Engine.getEngine("PyTorch");
    }
}
