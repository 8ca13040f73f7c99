package ai.aicrypto.plaza.worker.cpu;

import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.model.ConvSpec;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cnn card's network ({@link ConvSpec}) on DJL's PyTorch engine: its tensors, held by one manager, and its forward
 * pass, which the CPU engine trains through and the {@link ai.aicrypto.plaza.worker.engine.Evaluator} measures with.
 * Batch norm uses the batch's statistics while training (and moves the running ones toward them, in place, as
 * PyTorch's BatchNorm2d does), the running ones otherwise.
 */
public final class ConvNet implements DjlNetwork {

    private final ModelSpec spec;
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();

    /** @param weights every tensor of the network (a checkpoint's {@code weights()}), copied into {@code manager} */
    public ConvNet(NDManager manager, ModelSpec spec, Map<String, FloatTensor> weights) {
        if (!spec.isConvolutional()) throw new IllegalArgumentException("not a cnn card");
        this.spec = spec;
        weights.forEach((name, t) -> tensors.put(name, manager.create(t.data(), new Shape(t.shape()))));
    }

    /** The parameters the optimizer updates (not batch norm's running statistics), in the checkpoint's order. */
    @Override
    public List<String> trainable() {
        List<String> names = new ArrayList<>();
        tensors.keySet().forEach(n -> {
            if (!n.contains(".running_")) names.add(n);
        });
        return names;
    }

    @Override
    public NDArray tensor(String name) {
        NDArray t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("the network has no tensor " + name);
        return t;
    }

    @Override
    public Map<String, FloatTensor> tensors() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        tensors.forEach((n, a) -> out.put(n, new FloatTensor(a.getShape().getShape(), a.toFloatArray())));
        return out;
    }

    /** @param x [rows, channels x height x width], each image row-major per channel */
    @Override
    public NDArray forward(NDArray x, boolean training, NDArray[] headMasks) {
        ConvSpec conv = spec.conv();
        long n = x.getShape().get(0);
        NDArray a = x.reshape(n, conv.channels(), conv.height(), conv.width());
        for (int i = 0; i < conv.blocks().size(); i++) {
            ConvSpec.Block b = conv.blocks().get(i);
            a = Conv2d.conv2d(a, tensor(ConvSpec.convWeight(i)), tensor(ConvSpec.convBias(i)), new Shape(b.stride(), b.stride()),
                    new Shape(b.padding(), b.padding()), new Shape(1, 1), 1).singletonOrThrow();
            if (b.batchNorm()) {
                a = JniUtils.batchNorm((PtNDArray) a, (PtNDArray) tensor(ConvSpec.batchNorm(i, "running_mean")),
                        (PtNDArray) tensor(ConvSpec.batchNorm(i, "running_var")), (PtNDArray) tensor(ConvSpec.batchNorm(i, "weight")),
                        (PtNDArray) tensor(ConvSpec.batchNorm(i, "bias")), training, ConvSpec.BN_MOMENTUM, ConvSpec.BN_EPSILON);
            }
            a = DjlCpuEngine.activate(spec, a);
            Shape window = new Shape(b.poolSize(), b.poolSize());
            a = switch (b.pool()) {
                case NONE -> a;
                case MAX -> Pool.maxPool2d(a, window, window, new Shape(0, 0), false);
                case AVG -> Pool.avgPool2d(a, window, window, new Shape(0, 0), false, true);
            };
        }
        a = a.reshape(n, -1);
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
