package ai.aicrypto.plaza.worker.engine.dense;

import ai.aicrypto.plaza.worker.model.Activation;

/**
 * Plain-Java reference of every GPU kernel (llm.c style): same inputs, same outputs, same float arithmetic
 * order where it matters. Matrices are row-major; weights are [out, in] (PyTorch layout). Used by the
 * reference engine, the evaluator and the tests that check the CUDA kernels.
 */
public final class CpuKernels {

    private CpuKernels() {
    }

    // ---- dense layer (cuBLAS SGEMM + bias kernels on the GPU) ----

    /** y[B,out] = x[B,in] . w[out,in]^T  (cuBLAS: sgemm T,N). */
    public static void matmulForward(float[] x, float[] w, float[] y, int batch, int in, int out) {
        for (int i = 0; i < batch; i++) {
            int xo = i * in;
            for (int o = 0; o < out; o++) {
                int wo = o * in;
                float s = 0f;
                for (int k = 0; k < in; k++) s += x[xo + k] * w[wo + k];
                y[i * out + o] = s;
            }
        }
    }

    /** Kernel {@code bias_add}: y[i,o] += b[o]. */
    public static void biasAdd(float[] y, float[] b, int batch, int out) {
        for (int i = 0; i < batch; i++) {
            for (int o = 0; o < out; o++) y[i * out + o] += b[o];
        }
    }

    /** dw[out,in] = dy[B,out]^T . x[B,in]  (cuBLAS: sgemm N,T), overwriting dw. */
    public static void matmulWeightGrad(float[] x, float[] dy, float[] dw, int batch, int in, int out) {
        java.util.Arrays.fill(dw, 0, out * in, 0f);
        for (int i = 0; i < batch; i++) {
            for (int o = 0; o < out; o++) {
                float d = dy[i * out + o];
                if (d == 0f) continue;
                int wo = o * in, xo = i * in;
                for (int k = 0; k < in; k++) dw[wo + k] += d * x[xo + k];
            }
        }
    }

    /** dx[B,in] = dy[B,out] . w[out,in]  (cuBLAS: sgemm N,N), overwriting dx. */
    public static void matmulInputGrad(float[] w, float[] dy, float[] dx, int batch, int in, int out) {
        java.util.Arrays.fill(dx, 0, batch * in, 0f);
        for (int i = 0; i < batch; i++) {
            int xo = i * in;
            for (int o = 0; o < out; o++) {
                float d = dy[i * out + o];
                if (d == 0f) continue;
                int wo = o * in;
                for (int k = 0; k < in; k++) dx[xo + k] += d * w[wo + k];
            }
        }
    }

    /** Kernel {@code bias_grad}: db[o] = sum_i dy[i,o] (one thread per column, rows in order). */
    public static void biasGrad(float[] dy, float[] db, int batch, int out) {
        for (int o = 0; o < out; o++) {
            float s = 0f;
            for (int i = 0; i < batch; i++) s += dy[i * out + o];
            db[o] = s;
        }
    }

    // ---- convolution, pooling and batch norm (ConvBackend; activations channels-last, [pixels, channels]) ----

    /** Output size of a convolution along one axis. */
    public static int convOut(int size, int kernel, int stride, int padding) {
        return (size + 2 * padding - kernel) / stride + 1;
    }

    /** Kernel {@code im2col} (one thread per patch entry): see {@link ConvBackend#im2col}. */
    public static void im2col(float[] x, float[] cols, int batch, int h, int w, int c, int k, int stride, int pad) {
        int oh = convOut(h, k, stride, pad), ow = convOut(w, k, stride, pad), kk = c * k * k;
        for (int img = 0; img < batch; img++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int row = ((img * oh + oy) * ow + ox) * kk;
                    for (int ch = 0; ch < c; ch++) {
                        for (int ky = 0; ky < k; ky++) {
                            int iy = oy * stride - pad + ky;
                            for (int kx = 0; kx < k; kx++) {
                                int ix = ox * stride - pad + kx;
                                boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                                cols[row + (ch * k + ky) * k + kx] = inside ? x[((img * h + iy) * w + ix) * c + ch] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /** Kernel {@code col2im} (one thread per input pixel and channel, gathering its patch entries ky-major). */
    public static void col2im(float[] dcols, float[] dx, int batch, int h, int w, int c, int k, int stride, int pad) {
        int oh = convOut(h, k, stride, pad), ow = convOut(w, k, stride, pad), kk = c * k * k;
        for (int img = 0; img < batch; img++) {
            for (int iy = 0; iy < h; iy++) {
                for (int ix = 0; ix < w; ix++) {
                    for (int ch = 0; ch < c; ch++) {
                        float s = 0f;
                        for (int ky = 0; ky < k; ky++) {
                            int ty = iy + pad - ky;
                            if (ty < 0 || ty % stride != 0 || ty / stride >= oh) continue;
                            for (int kx = 0; kx < k; kx++) {
                                int tx = ix + pad - kx;
                                if (tx < 0 || tx % stride != 0 || tx / stride >= ow) continue;
                                s += dcols[((img * oh + ty / stride) * ow + tx / stride) * kk + (ch * k + ky) * k + kx];
                            }
                        }
                        dx[((img * h + iy) * w + ix) * c + ch] = s;
                    }
                }
            }
        }
    }

    /** Kernel {@code transpose}: y[b, j, i] = x[b, i, j]. */
    public static void transpose(float[] x, float[] y, int batch, int rows, int cols) {
        for (int b = 0; b < batch; b++) {
            int off = b * rows * cols;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) y[off + j * rows + i] = x[off + i * cols + j];
            }
        }
    }

    /** Kernel {@code max_pool_forward}: see {@link ConvBackend#maxPoolForward}. */
    public static void maxPoolForward(float[] x, float[] y, float[] argmax, int batch, int h, int w, int c, int p) {
        int oh = h / p, ow = w / p;
        for (int img = 0; img < batch; img++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int ch = 0; ch < c; ch++) {
                        float best = x[((img * h + oy * p) * w + ox * p) * c + ch];
                        int arg = 0;
                        for (int dy = 0; dy < p; dy++) {
                            for (int dx = 0; dx < p; dx++) {
                                float v = x[((img * h + oy * p + dy) * w + ox * p + dx) * c + ch];
                                if (v > best) {
                                    best = v;
                                    arg = dy * p + dx;
                                }
                            }
                        }
                        int o = ((img * oh + oy) * ow + ox) * c + ch;
                        y[o] = best;
                        argmax[o] = arg;
                    }
                }
            }
        }
    }

    /** Kernel {@code max_pool_backward} (one thread per input entry). */
    public static void maxPoolBackward(float[] dy, float[] argmax, float[] dx, int batch, int h, int w, int c, int p) {
        int oh = h / p, ow = w / p;
        for (int img = 0; img < batch; img++) {
            for (int iy = 0; iy < h; iy++) {
                for (int ix = 0; ix < w; ix++) {
                    for (int ch = 0; ch < c; ch++) {
                        int oy = iy / p, ox = ix / p, o = ((img * oh + oy) * ow + ox) * c + ch;
                        boolean hit = oy < oh && ox < ow && (int) argmax[o] == (iy % p) * p + ix % p;
                        dx[((img * h + iy) * w + ix) * c + ch] = hit ? dy[o] : 0f;
                    }
                }
            }
        }
    }

    /** Kernel {@code avg_pool_forward}: the window's sum (row-major) divided by window^2. */
    public static void avgPoolForward(float[] x, float[] y, int batch, int h, int w, int c, int p) {
        int oh = h / p, ow = w / p;
        for (int img = 0; img < batch; img++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int ch = 0; ch < c; ch++) {
                        float s = 0f;
                        for (int dy = 0; dy < p; dy++) {
                            for (int dx = 0; dx < p; dx++) s += x[((img * h + oy * p + dy) * w + ox * p + dx) * c + ch];
                        }
                        y[((img * oh + oy) * ow + ox) * c + ch] = s / (p * p);
                    }
                }
            }
        }
    }

    /** Kernel {@code avg_pool_backward} (one thread per input entry). */
    public static void avgPoolBackward(float[] dy, float[] dx, int batch, int h, int w, int c, int p) {
        int oh = h / p, ow = w / p;
        for (int img = 0; img < batch; img++) {
            for (int iy = 0; iy < h; iy++) {
                for (int ix = 0; ix < w; ix++) {
                    for (int ch = 0; ch < c; ch++) {
                        int oy = iy / p, ox = ix / p;
                        dx[((img * h + iy) * w + ix) * c + ch] = oy < oh && ox < ow ? dy[((img * oh + oy) * ow + ox) * c + ch] / (p * p) : 0f;
                    }
                }
            }
        }
    }

    /**
     * Kernels {@code bn_forward_train} (one block per channel; sums in double) and {@code bn_forward_eval}: see
     * {@link ConvBackend#batchNormForward}. y = (x - mean) * invStd * gamma + beta.
     */
    public static void batchNormForward(float[] x, float[] gamma, float[] beta, float[] runningMean, float[] runningVar, float[] y,
                                        float[] mean, float[] invStd, int rows, int c, boolean training, float momentum, float eps) {
        for (int ch = 0; ch < c; ch++) {
            float mu, is;
            if (training) {
                double s = 0;
                for (int r = 0; r < rows; r++) s += x[r * c + ch];
                double m = s / rows, q = 0;
                for (int r = 0; r < rows; r++) {
                    double d = x[r * c + ch] - m;
                    q += d * d;
                }
                double var = q / rows;
                mu = (float) m;
                is = (float) (1.0 / Math.sqrt(var + eps));
                mean[ch] = mu;
                invStd[ch] = is;
                float unbiased = (float) (rows > 1 ? q / (rows - 1) : var);
                runningMean[ch] = momentum * mu + (1f - momentum) * runningMean[ch];
                runningVar[ch] = momentum * unbiased + (1f - momentum) * runningVar[ch];
            } else {
                mu = runningMean[ch];
                is = (float) (1.0 / Math.sqrt((double) runningVar[ch] + eps));
            }
            for (int r = 0; r < rows; r++) y[r * c + ch] = (x[r * c + ch] - mu) * is * gamma[ch] + beta[ch];
        }
    }

    /**
     * Kernel {@code bn_backward} (one block per channel; sums in double): with xhat = (x - mean) invStd,
     * dgamma = sum dy xhat, dbeta = sum dy, dx = gamma invStd / rows (rows dy - dbeta - xhat dgamma).
     */
    public static void batchNormBackward(float[] x, float[] dy, float[] gamma, float[] mean, float[] invStd, float[] dx,
                                         float[] dgamma, float[] dbeta, int rows, int c) {
        for (int ch = 0; ch < c; ch++) {
            double sdy = 0, sdyx = 0;
            for (int r = 0; r < rows; r++) {
                float xhat = (x[r * c + ch] - mean[ch]) * invStd[ch];
                sdy += dy[r * c + ch];
                sdyx += (double) dy[r * c + ch] * xhat;
            }
            float dg = (float) sdyx, db = (float) sdy;
            dgamma[ch] = dg;
            dbeta[ch] = db;
            float scale = gamma[ch] * invStd[ch] / rows;
            for (int r = 0; r < rows; r++) {
                float xhat = (x[r * c + ch] - mean[ch]) * invStd[ch];
                dx[r * c + ch] = scale * (rows * dy[r * c + ch] - db - xhat * dg);
            }
        }
    }

    // ---- activations (kernels act_forward / act_backward) ----

    public static float activate(Activation a, float x) {
        return switch (a) {
            case RELU -> x > 0f ? x : 0f;
            case TANH -> (float) Math.tanh(x);
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-x)));
            case GELU -> (float) (0.5 * x * (1.0 + erf(x * 0.7071067811865476)));
        };
    }

    /** d activate(x) / dx. */
    public static float activationDerivative(Activation a, float x) {
        return switch (a) {
            case RELU -> x > 0f ? 1f : 0f;
            case TANH -> {
                double t = Math.tanh(x);
                yield (float) (1.0 - t * t);
            }
            case SIGMOID -> {
                double s = 1.0 / (1.0 + Math.exp(-x));
                yield (float) (s * (1.0 - s));
            }
            case GELU -> (float) (0.5 * (1.0 + erf(x * 0.7071067811865476)) + x * Math.exp(-0.5 * x * x) * 0.3989422804014327);
        };
    }

    public static void activationForward(Activation a, float[] z, float[] h, int n) {
        for (int i = 0; i < n; i++) h[i] = activate(a, z[i]);
    }

    /** dz = dh * act'(z). */
    public static void activationBackward(Activation a, float[] z, float[] dh, float[] dz, int n) {
        for (int i = 0; i < n; i++) dz[i] = dh[i] * activationDerivative(a, z[i]);
    }

    /** Error function, |error| < 1.2e-7 (Numerical Recipes' erfc Chebyshev fit); CUDA uses erff. */
    public static double erf(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1.0 - erfc : erfc - 1.0;
    }

    // ---- dropout (kernel mul_inplace) ----

    /** x[i] *= mask[i] (dropout forward and backward). */
    public static void multiply(float[] x, float[] mask, int n) {
        for (int i = 0; i < n; i++) x[i] *= mask[i];
    }

    // ---- losses ----

    /**
     * Kernel {@code softmax_xent}: per row, loss = logsumexp(z) - z[label]; dlogits = (softmax(z) - onehot) / batch;
     * correct = 1 if the first arg-max equals the label. Labels are class indices stored as floats.
     */
    public static void softmaxCrossEntropy(float[] logits, float[] labels, float[] dlogits, float[] rowLoss,
                                           float[] rowCorrect, int batch, int classes) {
        float invB = 1f / batch;
        for (int i = 0; i < batch; i++) {
            int off = i * classes;
            int label = (int) labels[i];
            float max = logits[off];
            int arg = 0;
            for (int j = 1; j < classes; j++) {
                if (logits[off + j] > max) {
                    max = logits[off + j];
                    arg = j;
                }
            }
            float sum = 0f;
            for (int j = 0; j < classes; j++) sum += (float) Math.exp(logits[off + j] - max);
            float lse = (float) Math.log(sum) + max;
            rowLoss[i] = lse - logits[off + label];
            rowCorrect[i] = arg == label ? 1f : 0f;
            for (int j = 0; j < classes; j++) {
                float p = (float) Math.exp(logits[off + j] - max) / sum;
                dlogits[off + j] = (p - (j == label ? 1f : 0f)) * invB;
            }
        }
    }

    /** Kernel {@code mse}: loss = (y - t)^2, dy = 2 (y - t) / batch (one output per row). */
    public static void meanSquaredError(float[] pred, float[] targets, float[] dpred, float[] rowLoss, int batch) {
        float invB = 1f / batch;
        for (int i = 0; i < batch; i++) {
            float d = pred[i] - targets[i];
            rowLoss[i] = d * d;
            dpred[i] = 2f * d * invB;
        }
    }

    // ---- optimizers (kernels sgd_update / adam_update) ----

    /** g' = g + wd w; with momentum: v = mu v + g', w -= lr v; else w -= lr g'. */
    public static void sgdUpdate(float[] w, float[] g, float[] v, int n, float lr, float wd, float momentum) {
        for (int i = 0; i < n; i++) {
            float gi = g[i] + wd * w[i];
            if (momentum != 0f) {
                v[i] = momentum * v[i] + gi;
                gi = v[i];
            }
            w[i] -= lr * gi;
        }
    }

    /**
     * Adam, in PyTorch's arithmetic: g' = g + wd w; m = b1 m + (1-b1) g'; v = b2 v + (1-b2) g'^2;
     * w -= (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps), with bc1 = 1 - b1^t, bc2 = 1 - b2^t.
     */
    public static void adamUpdate(float[] w, float[] g, float[] m, float[] v, int n, float lr, float wd,
                                  float b1, float b2, float eps, float bc1, float bc2) {
        float stepSize = lr / bc1;
        float sqrtBc2 = (float) Math.sqrt(bc2);
        for (int i = 0; i < n; i++) {
            float gi = g[i] + wd * w[i];
            m[i] = b1 * m[i] + (1f - b1) * gi;
            v[i] = b2 * v[i] + (1f - b2) * gi * gi;
            float denom = (float) Math.sqrt(v[i]) / sqrtBc2 + eps;
            w[i] -= stepSize * (m[i] / denom);
        }
    }
}
