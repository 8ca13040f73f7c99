package ai.aicrypto.plaza.model.inference;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import ai.aicrypto.plaza.model.card.ModelCard;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * The forward pass of a card's dense network with DJL's PyTorch engine on the CPU: {@code layers.i.weight}
 * [out, in], {@code layers.i.bias} [out], the hidden activation after every layer but the last, no dropout at
 * inference. The same arithmetic as the worker's; verification and predictions both use this one.
 */
public final class DenseNetwork {

    private DenseNetwork() {
    }

    /**
     * @param x [rows, inputs]
     * @return logits (classification) or predicted values (regression), [rows, outputs]
     * @throws F32Tensors.UnfitTensorsException when the weights do not hold the card's network for this input width
     */
    public static NDArray forward(NDManager manager, ModelCard card, long inputs, LayerWeights tensors, NDArray x)
            throws IOException, F32Tensors.UnfitTensorsException {
        List<Long> sizes = new ArrayList<>();
        sizes.add(inputs);
        card.hiddenSizes().forEach(h -> sizes.add((long) h));
        sizes.add((long) card.outputSize());
        if (tensors.tensorCount() != 2 * (sizes.size() - 1)) {
            throw new F32Tensors.UnfitTensorsException("the weights hold " + tensors.tensorCount()
                    + " tensors, the card's network " + 2 * (sizes.size() - 1));
        }
        for (int layer = 0; layer < sizes.size() - 1; layer++) {
            long in = sizes.get(layer), out = sizes.get(layer + 1);
            NDArray w = manager.create(tensors.read("layers." + layer + ".weight", List.of(out, in)), new Shape(out, in));
            NDArray b = manager.create(tensors.read("layers." + layer + ".bias", List.of(out)), new Shape(out));
            x = x.matMul(w.transpose()).add(b);
            if (layer < sizes.size() - 2) {
                x = activate(x, card.activation().orElse("relu"));
            }
        }
        return x;
    }

    /** A manager on the CPU of DJL's PyTorch engine, offline: the natives are on the class path. */
    public static NDManager cpuManager() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        return NDManager.newBaseManager(Device.cpu(), Engine.getEngine("PyTorch").getEngineName());
    }

    private static NDArray activate(NDArray x, String activation) {
        return switch (activation) {
            case "tanh" -> Activation.tanh(x);
            case "sigmoid" -> Activation.sigmoid(x);
            case "gelu" -> Activation.gelu(x);
            default -> Activation.relu(x);
        };
    }
}
