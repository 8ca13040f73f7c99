package ai.aicrypto.plaza.worker.cpu;

import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.model.ConvSpec;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.Map;

/**
 * A cnn card's network ({@link ConvSpec}) on DJL's PyTorch engine: its tensors, held by one manager, and its forward
 * pass, which the CPU engine trains through and the {@link ai.aicrypto.plaza.worker.engine.Evaluator} measures with.
 * Batch norm uses the batch's statistics while training (and moves the running ones toward them, in place, as
 * PyTorch's BatchNorm2d does), the running ones otherwise.
 */
public final class ConvNet extends DjlNetwork {

    /** @param weights every tensor of the network (a checkpoint's {@code weights()}), copied into {@code manager} */
    public ConvNet(NDManager manager, ModelSpec spec, Map<String, FloatTensor> weights) {
        super(manager, spec, weights);
        if (!spec.isConvolutional()) throw new IllegalArgumentException("not a cnn card");
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
        return denseLayers(a.reshape(n, -1), headMasks);
    }
}
