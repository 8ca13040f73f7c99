package ai.aicrypto.plaza.worker.engine.dense;

/**
 * The extra operations a cnn ({@link ConvLayers}) needs beside the dense ones. Inside the conv stack activations are
 * channels-last: a [rows, channels] matrix whose rows are the pixels (image, y, x), as a dense layer's rows are the
 * samples, so a convolution is exactly {@link #linearForward} / {@link #linearBackward} on {@link #im2col}'s rows
 * (one GEMM for the whole batch) and batch norm works on columns. The columns of a patch row are ordered (channel,
 * ky, kx), so the conv weight is PyTorch's [out, in, k, k] read as [out, in * k * k].
 * Pooling windows are square, stride = window, no padding, floor (as {@link ai.aicrypto.plaza.worker.model.ConvSpec}).
 */
public interface ConvBackend extends DenseBackend {

    /**
     * cols[(img, oy, ox), (ch, ky, kx)] = x[img, oy * stride - padding + ky, ox * stride - padding + kx, ch], or 0
     * outside the image; x is [batch, height, width, channels], the output size (h + 2 padding - kernel) / stride + 1.
     */
    void im2col(Buf x, Buf cols, int batch, int height, int width, int channels, int kernel, int stride, int padding);

    /** The adjoint of {@link #im2col}: dx[pixel] = sum of the patch entries that read it (overwrites dx). */
    void col2im(Buf dcols, Buf dx, int batch, int height, int width, int channels, int kernel, int stride, int padding);

    /** y[b, j, i] = x[b, i, j] for each of {@code batch} [rows, cols] matrices (NCHW to NHWC and back). */
    void transpose(Buf x, Buf y, int batch, int rows, int cols);

    /** Max over each window; {@code argmax} keeps the winner's offset in its window (dy * window + dx, the first maximum). */
    void maxPoolForward(Buf x, Buf y, Buf argmax, int batch, int height, int width, int channels, int window);

    /** dx = dy at each window's argmax, 0 elsewhere (overwrites dx). */
    void maxPoolBackward(Buf dy, Buf argmax, Buf dx, int batch, int height, int width, int channels, int window);

    void avgPoolForward(Buf x, Buf y, int batch, int height, int width, int channels, int window);

    /** dx = dy / window^2 inside a window, 0 in the rows and columns the floor left out (overwrites dx). */
    void avgPoolBackward(Buf dy, Buf dx, int batch, int height, int width, int channels, int window);

    /**
     * PyTorch's BatchNorm2d on x [rows, channels]. Training: normalizes with the batch's mean and biased variance,
     * keeps mean and 1 / sqrt(var + eps) for the backward pass, and moves the running statistics toward the batch's by
     * {@code momentum} (the unbiased variance, rows / (rows - 1) of the biased one). Otherwise: the running statistics,
     * and mean / invStd are not touched.
     */
    void batchNormForward(Buf x, Buf gamma, Buf beta, Buf runningMean, Buf runningVar, Buf y, Buf mean, Buf invStd,
                          int rows, int channels, boolean training, float momentum, float eps);

    /** From the training forward's mean and invStd: dgamma = sum dy xhat, dbeta = sum dy, and dx (all overwritten). */
    void batchNormBackward(Buf x, Buf dy, Buf gamma, Buf mean, Buf invStd, Buf dx, Buf dgamma, Buf dbeta, int rows, int channels);
}
