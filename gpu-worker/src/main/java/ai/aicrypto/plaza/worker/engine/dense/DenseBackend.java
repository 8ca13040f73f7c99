package ai.aicrypto.plaza.worker.engine.dense;

import ai.aicrypto.plaza.worker.model.Activation;

/**
 * The operations a dense network needs, on some device. {@link DenseTrainer} runs the same algorithm on every
 * backend: {@link JavaBackend} (the plain-Java reference kernels) and the CUDA backend (cuBLAS + NVRTC
 * kernels). Buffers are float arrays on the backend's device; class labels are stored as floats.
 */
public interface DenseBackend extends AutoCloseable {

    /** A float buffer on the backend's device. */
    interface Buf {
        int length();
    }

    String description();

    /** A zero-filled buffer. */
    Buf alloc(int n);

    void upload(Buf dst, float[] src, int n);

    void download(Buf src, float[] dst, int n);

    /** y[B,out] = x[B,in] w[out,in]^T + b. */
    void linearForward(Buf x, Buf w, Buf b, Buf y, int batch, int in, int out);

    /** dw = dy^T x, db = column sums of dy, and dx = dy w when dx is not null (all overwritten). */
    void linearBackward(Buf x, Buf w, Buf dy, Buf dx, Buf dw, Buf db, int batch, int in, int out);

    void activationForward(Activation a, Buf z, Buf h, int n);

    /** dz = dh * act'(z). */
    void activationBackward(Activation a, Buf z, Buf dh, Buf dz, int n);

    /** x *= mask, elementwise. */
    void multiply(Buf x, Buf mask, int n);

    void softmaxCrossEntropy(Buf logits, Buf labels, Buf dlogits, Buf rowLoss, Buf rowCorrect, int batch, int classes);

    void meanSquaredError(Buf pred, Buf targets, Buf dpred, Buf rowLoss, int batch);

    /** v may be null when momentum is 0. */
    void sgdUpdate(Buf w, Buf g, Buf v, int n, float lr, float wd, float momentum);

    void adamUpdate(Buf w, Buf g, Buf m, Buf v, int n, float lr, float wd, float b1, float b2, float eps, float bc1, float bc2);

    /** Waits for queued work (no-op on the CPU). */
    default void synchronize() {
    }

    @Override
    void close();
}
