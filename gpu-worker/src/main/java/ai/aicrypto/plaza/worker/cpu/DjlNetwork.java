package ai.aicrypto.plaza.worker.cpu;

import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network with layers only DJL's kernels run here (a cnn's {@link ConvNet}, a fasttext's {@link TextNet}): its
 * tensors, held by one manager, and its forward pass, which {@link NetworkTrainer} trains through, the
 * {@link ai.aicrypto.plaza.worker.engine.Evaluator} measures with and serving answers with. Both end in the card's
 * dense layers ({@link #denseLayers}).
 */
public abstract class DjlNetwork {

    protected final ModelSpec spec;
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();

    /** @param weights every tensor of the network (a checkpoint's {@code weights()}), copied into {@code manager} */
    DjlNetwork(NDManager manager, ModelSpec spec, Map<String, FloatTensor> weights) {
        this.spec = spec;
        weights.forEach((name, t) -> tensors.put(name, manager.create(t.data(), new Shape(t.shape()))));
    }

    /** The network of a cnn or fasttext card. */
    public static DjlNetwork of(NDManager manager, ModelSpec spec, Map<String, FloatTensor> weights) {
        if (spec.isConvolutional()) return new ConvNet(manager, spec, weights);
        if (spec.isText()) return new TextNet(manager, spec, weights);
        throw new IllegalArgumentException("a " + spec.template() + " card is a dense network");
    }

    /** The parameters the optimizer updates (not batch norm's running statistics), in the checkpoint's order. */
    public List<String> trainable() {
        List<String> names = new ArrayList<>();
        tensors.keySet().forEach(n -> {
            if (!n.contains(".running_")) names.add(n);
        });
        return names;
    }

    public NDArray tensor(String name) {
        NDArray t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("the network has no tensor " + name);
        return t;
    }

    /** Every tensor, copied to the host. */
    public Map<String, FloatTensor> tensors() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        tensors.forEach((n, a) -> out.put(n, new FloatTensor(a.getShape().getShape(), a.toFloatArray())));
        return out;
    }

    /**
     * @param x         [rows, features] as the shards hold them
     * @param headMasks inverted-dropout masks of the dense hidden layers ([rows, width] each), or null entries
     * @return logits [rows, outputs]
     */
    public abstract NDArray forward(NDArray x, boolean training, NDArray[] headMasks);

    /** The card's dense layers on {@code a} [rows, width]: the activation and dropout mask after each hidden one. */
    protected NDArray denseLayers(NDArray a, NDArray[] headMasks) {
        int layers = spec.layerCount();
        for (int l = 0; l < layers; l++) {
            a = Linear.linear(a, tensor(ModelSpec.weightName(l)), tensor(ModelSpec.biasName(l))).singletonOrThrow();
            if (l < layers - 1) {
                a = DjlCpuEngine.activate(spec, a);
                if (headMasks != null && headMasks[l] != null) a = a.mul(headMasks[l]);
            }
        }
        return a;
    }
}
