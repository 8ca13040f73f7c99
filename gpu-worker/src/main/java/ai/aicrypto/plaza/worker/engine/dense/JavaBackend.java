package ai.aicrypto.plaza.worker.engine.dense;

import ai.aicrypto.plaza.worker.model.Activation;

/** {@link ConvBackend} (and so {@link DenseBackend}) on plain Java arrays, delegating to {@link CpuKernels}. */
public final class JavaBackend implements ConvBackend {

    /** A Java float array buffer. */
    public record JBuf(float[] a) implements Buf {
        @Override
        public int length() {
            return a.length;
        }
    }

    private static float[] a(Buf b) {
        return b == null ? null : ((JBuf) b).a();
    }

    @Override
    public String description() {
        return "plain Java reference kernels";
    }

    @Override
    public Buf alloc(int n) {
        return new JBuf(new float[n]);
    }

    @Override
    public void upload(Buf dst, float[] src, int n) {
        System.arraycopy(src, 0, a(dst), 0, n);
    }

    @Override
    public void download(Buf src, float[] dst, int n) {
        System.arraycopy(a(src), 0, dst, 0, n);
    }

    @Override
    public void linearForward(Buf x, Buf w, Buf b, Buf y, int batch, int in, int out) {
        CpuKernels.matmulForward(a(x), a(w), a(y), batch, in, out);
        CpuKernels.biasAdd(a(y), a(b), batch, out);
    }

    @Override
    public void linearBackward(Buf x, Buf w, Buf dy, Buf dx, Buf dw, Buf db, int batch, int in, int out) {
        CpuKernels.matmulWeightGrad(a(x), a(dy), a(dw), batch, in, out);
        CpuKernels.biasGrad(a(dy), a(db), batch, out);
        if (dx != null) CpuKernels.matmulInputGrad(a(w), a(dy), a(dx), batch, in, out);
    }

    @Override
    public void activationForward(Activation act, Buf z, Buf h, int n) {
        CpuKernels.activationForward(act, a(z), a(h), n);
    }

    @Override
    public void activationBackward(Activation act, Buf z, Buf dh, Buf dz, int n) {
        CpuKernels.activationBackward(act, a(z), a(dh), a(dz), n);
    }

    @Override
    public void multiply(Buf x, Buf mask, int n) {
        CpuKernels.multiply(a(x), a(mask), n);
    }

    @Override
    public void softmaxCrossEntropy(Buf logits, Buf labels, Buf dlogits, Buf rowLoss, Buf rowCorrect, int batch, int classes) {
        CpuKernels.softmaxCrossEntropy(a(logits), a(labels), a(dlogits), a(rowLoss), a(rowCorrect), batch, classes);
    }

    @Override
    public void meanSquaredError(Buf pred, Buf targets, Buf dpred, Buf rowLoss, int batch) {
        CpuKernels.meanSquaredError(a(pred), a(targets), a(dpred), a(rowLoss), batch);
    }

    @Override
    public void sgdUpdate(Buf w, Buf g, Buf v, int n, float lr, float wd, float momentum) {
        CpuKernels.sgdUpdate(a(w), a(g), a(v), n, lr, wd, momentum);
    }

    @Override
    public void adamUpdate(Buf w, Buf g, Buf m, Buf v, int n, float lr, float wd, float b1, float b2, float eps, float bc1, float bc2) {
        CpuKernels.adamUpdate(a(w), a(g), a(m), a(v), n, lr, wd, b1, b2, eps, bc1, bc2);
    }

    @Override
    public void im2col(Buf x, Buf cols, int batch, int height, int width, int channels, int kernel, int stride, int padding) {
        CpuKernels.im2col(a(x), a(cols), batch, height, width, channels, kernel, stride, padding);
    }

    @Override
    public void col2im(Buf dcols, Buf dx, int batch, int height, int width, int channels, int kernel, int stride, int padding) {
        CpuKernels.col2im(a(dcols), a(dx), batch, height, width, channels, kernel, stride, padding);
    }

    @Override
    public void transpose(Buf x, Buf y, int batch, int rows, int cols) {
        CpuKernels.transpose(a(x), a(y), batch, rows, cols);
    }

    @Override
    public void maxPoolForward(Buf x, Buf y, Buf argmax, int batch, int height, int width, int channels, int window) {
        CpuKernels.maxPoolForward(a(x), a(y), a(argmax), batch, height, width, channels, window);
    }

    @Override
    public void maxPoolBackward(Buf dy, Buf argmax, Buf dx, int batch, int height, int width, int channels, int window) {
        CpuKernels.maxPoolBackward(a(dy), a(argmax), a(dx), batch, height, width, channels, window);
    }

    @Override
    public void avgPoolForward(Buf x, Buf y, int batch, int height, int width, int channels, int window) {
        CpuKernels.avgPoolForward(a(x), a(y), batch, height, width, channels, window);
    }

    @Override
    public void avgPoolBackward(Buf dy, Buf dx, int batch, int height, int width, int channels, int window) {
        CpuKernels.avgPoolBackward(a(dy), a(dx), batch, height, width, channels, window);
    }

    @Override
    public void batchNormForward(Buf x, Buf gamma, Buf beta, Buf runningMean, Buf runningVar, Buf y, Buf mean, Buf invStd,
                                 int rows, int channels, boolean training, float momentum, float eps) {
        CpuKernels.batchNormForward(a(x), a(gamma), a(beta), a(runningMean), a(runningVar), a(y), a(mean), a(invStd), rows, channels,
                training, momentum, eps);
    }

    @Override
    public void batchNormBackward(Buf x, Buf dy, Buf gamma, Buf mean, Buf invStd, Buf dx, Buf dgamma, Buf dbeta, int rows, int channels) {
        CpuKernels.batchNormBackward(a(x), a(dy), a(gamma), a(mean), a(invStd), a(dx), a(dgamma), a(dbeta), rows, channels);
    }

    @Override
    public void close() {
    }
}
