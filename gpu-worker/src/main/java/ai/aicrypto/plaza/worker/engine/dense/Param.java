package ai.aicrypto.plaza.worker.engine.dense;

import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.engine.Checkpoint;
import ai.aicrypto.plaza.worker.model.Hyperparameters;

import java.util.Map;

/**
 * A named tensor of a network on a backend (PyTorch's name and shape): a trainable parameter with its gradient and
 * optimizer moments (null where not training or where the optimizer keeps none), or a statistic (batch norm's running
 * mean and variance), which the forward pass moves and the optimizer leaves alone.
 *
 * @param decays whether weight decay applies (weights of conv and dense layers; not biases nor batch norm)
 */
record Param(String name, long[] shape, DenseBackend.Buf value, DenseBackend.Buf grad, DenseBackend.Buf m1, DenseBackend.Buf m2,
             boolean decays, boolean statistic) {

    int size() {
        long n = 1;
        for (long d : shape) n *= d;
        return (int) n;
    }

    /** A parameter uploaded from {@code initial[name]}; with its gradient and moments when training. */
    static Param trainable(DenseBackend be, String name, Map<String, FloatTensor> initial, boolean training, Hyperparameters hp,
                           boolean decays, long... shape) {
        DenseBackend.Buf value = upload(be, name, initial, shape);
        int n = value.length();
        return new Param(name, shape, value, training ? be.alloc(n) : null,
                training && Checkpoint.hasFirstMoment(hp) ? be.alloc(n) : null,
                training && Checkpoint.hasSecondMoment(hp) ? be.alloc(n) : null, decays, false);
    }

    /** A statistic uploaded from {@code initial[name]}. */
    static Param statistic(DenseBackend be, String name, Map<String, FloatTensor> initial, long... shape) {
        return new Param(name, shape, upload(be, name, initial, shape), null, null, null, false, true);
    }

    private static DenseBackend.Buf upload(DenseBackend be, String name, Map<String, FloatTensor> initial, long[] shape) {
        FloatTensor t = initial.get(name);
        long n = 1;
        for (long d : shape) n *= d;
        if (t == null || t.size() != n) {
            throw new IllegalArgumentException("weights do not match " + name + " " + java.util.Arrays.toString(shape));
        }
        DenseBackend.Buf buf = be.alloc((int) n);
        be.upload(buf, t.data(), (int) n);
        return buf;
    }
}
