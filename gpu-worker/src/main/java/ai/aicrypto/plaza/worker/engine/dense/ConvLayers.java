package ai.aicrypto.plaza.worker.engine.dense;

import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.model.Activation;
import ai.aicrypto.plaza.worker.model.ConvSpec;
import ai.aicrypto.plaza.worker.model.ModelSpec;

import java.util.List;
import java.util.Map;

/**
 * A cnn card's conv blocks on a {@link ConvBackend}, in DJL's {@link ai.aicrypto.plaza.worker.cpu.ConvNet} order: conv
 * -> batch norm (training: the batch's statistics, moving the running ones) -> activation -> pooling, then the last
 * block's output flattened in [channels, height, width] order for the dense head of {@link DenseNetwork}. Inside, the
 * activations are channels-last ({@link ConvBackend}): the input is transposed once on the way in, the flattened output
 * once on the way out (and their gradients back), and each conv is im2col + the dense layer's GEMM.
 */
final class ConvLayers {

    /** One block's geometry, parameters and buffers (grad buffers null when not training). */
    private static final class Block {
        final ConvSpec.Block spec;
        final int inC, inH, inW, outC, convH, convW, outH, outW, patch;
        Param weight, bias, gamma, beta, runningMean, runningVar;
        DenseBackend.Buf cols, z, zb, mean, invStd, h, pooled, argmax;
        DenseBackend.Buf dOut, dh, dAct, dz, dcols;

        Block(ConvSpec.Block spec, int[] in, int[] out) {
            this.spec = spec;
            inC = in[0];
            inH = in[1];
            inW = in[2];
            outC = out[0];
            convH = CpuKernels.convOut(inH, spec.kernel(), spec.stride(), spec.padding());
            convW = CpuKernels.convOut(inW, spec.kernel(), spec.stride(), spec.padding());
            outH = out[1];
            outW = out[2];
            patch = inC * spec.kernel() * spec.kernel();
        }

        DenseBackend.Buf output() {
            return spec.pool() == ConvSpec.Pooling.NONE ? h : pooled;
        }
    }

    private final ConvBackend be;
    private final Activation act;
    private final Block[] blocks;
    private final DenseBackend.Buf inputNhwc, flat, dFlat;
    private final int flatSize;

    /** Adds the blocks' parameters and statistics to {@code params}, in checkpoint order. */
    ConvLayers(ConvBackend be, ModelSpec spec, Map<String, FloatTensor> initial, int maxBatch, boolean training, List<Param> params) {
        this.be = be;
        this.act = spec.activation();
        ConvSpec conv = spec.conv();
        int[][] shapes = conv.shapes();
        blocks = new Block[conv.blocks().size()];
        for (int i = 0; i < blocks.length; i++) {
            Block b = new Block(conv.blocks().get(i), shapes[i], shapes[i + 1]);
            blocks[i] = b;
            int k = b.spec.kernel(), convSize = maxBatch * b.convH * b.convW * b.outC;
            b.weight = Param.trainable(be, ConvSpec.convWeight(i), initial, training, spec.hyperparameters(), true, b.outC, b.inC, k, k);
            b.bias = Param.trainable(be, ConvSpec.convBias(i), initial, training, spec.hyperparameters(), false, b.outC);
            params.add(b.weight);
            params.add(b.bias);
            b.cols = be.alloc(maxBatch * b.convH * b.convW * b.patch);
            b.z = be.alloc(convSize);
            b.h = be.alloc(convSize);
            if (b.spec.batchNorm()) {
                b.gamma = Param.trainable(be, ConvSpec.batchNorm(i, "weight"), initial, training, spec.hyperparameters(), false, b.outC);
                b.beta = Param.trainable(be, ConvSpec.batchNorm(i, "bias"), initial, training, spec.hyperparameters(), false, b.outC);
                b.runningMean = Param.statistic(be, ConvSpec.batchNorm(i, "running_mean"), initial, b.outC);
                b.runningVar = Param.statistic(be, ConvSpec.batchNorm(i, "running_var"), initial, b.outC);
                params.addAll(List.of(b.gamma, b.beta, b.runningMean, b.runningVar));
                b.zb = be.alloc(convSize);
                b.mean = be.alloc(b.outC);
                b.invStd = be.alloc(b.outC);
            }
            if (b.spec.pool() != ConvSpec.Pooling.NONE) b.pooled = be.alloc(maxBatch * b.outH * b.outW * b.outC);
            if (b.spec.pool() == ConvSpec.Pooling.MAX) b.argmax = be.alloc(maxBatch * b.outH * b.outW * b.outC);
            if (training) {
                b.dOut = be.alloc(maxBatch * b.outH * b.outW * b.outC);
                b.dh = b.spec.pool() == ConvSpec.Pooling.NONE ? b.dOut : be.alloc(convSize);
                b.dAct = be.alloc(convSize);
                b.dz = b.spec.batchNorm() ? be.alloc(convSize) : b.dAct;
                if (i > 0) b.dcols = be.alloc(maxBatch * b.convH * b.convW * b.patch);
            }
        }
        inputNhwc = be.alloc(maxBatch * conv.inputSize());
        flatSize = conv.flattenedSize();
        flat = be.alloc(maxBatch * flatSize);
        dFlat = training ? be.alloc(maxBatch * flatSize) : null;
    }

    /** The flattened output [n, channels x height x width] of {@code n} images x [n, channels, height, width]. */
    DenseBackend.Buf forward(DenseBackend.Buf x, int n, boolean training) {
        Block first = blocks[0];
        be.transpose(x, inputNhwc, n, first.inC, first.inH * first.inW);
        DenseBackend.Buf a = inputNhwc;
        for (Block b : blocks) {
            int rows = n * b.convH * b.convW;
            be.im2col(a, b.cols, n, b.inH, b.inW, b.inC, b.spec.kernel(), b.spec.stride(), b.spec.padding());
            be.linearForward(b.cols, b.weight.value(), b.bias.value(), b.z, rows, b.patch, b.outC);
            DenseBackend.Buf pre = b.z;
            if (b.spec.batchNorm()) {
                be.batchNormForward(b.z, b.gamma.value(), b.beta.value(), b.runningMean.value(), b.runningVar.value(), b.zb, b.mean,
                        b.invStd, rows, b.outC, training, ConvSpec.BN_MOMENTUM, ConvSpec.BN_EPSILON);
                pre = b.zb;
            }
            be.activationForward(act, pre, b.h, rows * b.outC);
            switch (b.spec.pool()) {
                case MAX -> be.maxPoolForward(b.h, b.pooled, b.argmax, n, b.convH, b.convW, b.outC, b.spec.poolSize());
                case AVG -> be.avgPoolForward(b.h, b.pooled, n, b.convH, b.convW, b.outC, b.spec.poolSize());
                case NONE -> {
                }
            }
            a = b.output();
        }
        Block last = blocks[blocks.length - 1];
        be.transpose(a, flat, n, last.outH * last.outW, last.outC);
        return flat;
    }

    /** The flattened output of the last {@link #forward}: the dense head's input. */
    DenseBackend.Buf output() {
        return flat;
    }

    /** Where the dense head's first layer writes the gradient of the flattened output. */
    DenseBackend.Buf flatGradient() {
        return dFlat;
    }

    /** Gradients of every block's parameters from {@link #flatGradient()} (after a training forward of the same batch). */
    void backward(int n) {
        Block last = blocks[blocks.length - 1];
        be.transpose(dFlat, last.dOut, n, last.outC, last.outH * last.outW);
        for (int i = blocks.length - 1; i >= 0; i--) {
            Block b = blocks[i];
            int rows = n * b.convH * b.convW, window = b.spec.poolSize();
            switch (b.spec.pool()) {
                case MAX -> be.maxPoolBackward(b.dOut, b.argmax, b.dh, n, b.convH, b.convW, b.outC, window);
                case AVG -> be.avgPoolBackward(b.dOut, b.dh, n, b.convH, b.convW, b.outC, window);
                case NONE -> {
                }
            }
            be.activationBackward(act, b.spec.batchNorm() ? b.zb : b.z, b.dh, b.dAct, rows * b.outC);
            if (b.spec.batchNorm()) {
                be.batchNormBackward(b.z, b.dAct, b.gamma.value(), b.mean, b.invStd, b.dz, b.gamma.grad(), b.beta.grad(), rows, b.outC);
            }
            be.linearBackward(b.cols, b.weight.value(), b.dz, b.dcols, b.weight.grad(), b.bias.grad(), rows, b.patch, b.outC);
            if (i > 0) be.col2im(b.dcols, blocks[i - 1].dOut, n, b.inH, b.inW, b.inC, b.spec.kernel(), b.spec.stride(), b.spec.padding());
        }
    }
}
