package ai.aicrypto.plaza.worker.cpu;

import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.List;
import java.util.Map;

/**
 * A network with layers only DJL's kernels run here (a cnn's {@link ConvNet}, a fasttext's {@link TextNet}): its
 * tensors, held by one manager, and its forward pass, which {@link NetworkTrainer} trains through, the
 * {@link ai.aicrypto.plaza.worker.engine.Evaluator} measures with and serving answers with.
 */
public interface DjlNetwork {

    /** @param weights every tensor of the network (a checkpoint's {@code weights()}), copied into {@code manager} */
    static DjlNetwork of(NDManager manager, ModelSpec spec, Map<String, FloatTensor> weights) {
        if (spec.isConvolutional()) return new ConvNet(manager, spec, weights);
        if (spec.isText()) return new TextNet(manager, spec, weights);
        throw new IllegalArgumentException("a " + spec.template() + " card is a dense network");
    }

    /** The parameters the optimizer updates, in the checkpoint's order. */
    List<String> trainable();

    NDArray tensor(String name);

    /** Every tensor, copied to the host. */
    Map<String, FloatTensor> tensors();

    /**
     * @param x         [rows, features] as the shards hold them
     * @param headMasks inverted-dropout masks of the dense hidden layers ([rows, width] each), or null entries
     * @return logits [rows, outputs]
     */
    NDArray forward(NDArray x, boolean training, NDArray[] headMasks);
}
