package ai.aicrypto.plaza.worker.gpu;

/**
 * CUDA C source of the worker's kernels, compiled at run time with NVRTC. Each kernel has a plain-Java
 * reference in {@link ai.aicrypto.plaza.worker.engine.dense.CpuKernels} with the same name and arithmetic.
 * Activation kinds: 0 relu, 1 tanh, 2 sigmoid, 3 gelu (erf form). The conv kernels work channels-last
 * ({@link ai.aicrypto.plaza.worker.engine.dense.ConvBackend}): one thread per output element, except batch norm's, which
 * run one block of {@link #THREADS} threads per channel and sum in double (a tree over the threads' strided sums).
 */
public final class CudaKernels {

    private CudaKernels() {
    }

    public static final String[] NAMES = {
            "bias_add", "bias_grad", "act_forward", "act_backward", "mul_inplace", "softmax_xent", "mse", "sgd_update", "adam_update",
            "im2col", "col2im", "transpose", "max_pool_forward", "max_pool_backward", "avg_pool_forward", "avg_pool_backward",
            "bn_forward_train", "bn_forward_eval", "bn_backward"
    };

    /** Threads per block of every kernel; the batch norm kernels (one block per channel) reduce over exactly this many. */
    public static final int THREADS = 256;

    public static final String SOURCE = """
            __device__ __forceinline__ float act_f(int kind, float x) {
                switch (kind) {
                    case 0: return x > 0.f ? x : 0.f;
                    case 1: return tanhf(x);
                    case 2: return 1.f / (1.f + expf(-x));
                    default: return 0.5f * x * (1.f + erff(x * 0.70710678118654752f));
                }
            }

            __device__ __forceinline__ float act_df(int kind, float x) {
                switch (kind) {
                    case 0: return x > 0.f ? 1.f : 0.f;
                    case 1: { float t = tanhf(x); return 1.f - t * t; }
                    case 2: { float s = 1.f / (1.f + expf(-x)); return s * (1.f - s); }
                    default: return 0.5f * (1.f + erff(x * 0.70710678118654752f)) + x * expf(-0.5f * x * x) * 0.39894228040143268f;
                }
            }

            extern "C" __global__ void bias_add(float* y, const float* b, int batch, int out) {
                int i = blockIdx.x * blockDim.x + threadIdx.x;
                if (i < batch * out) y[i] += b[i % out];
            }

            extern "C" __global__ void bias_grad(const float* dy, float* db, int batch, int out) {
                int o = blockIdx.x * blockDim.x + threadIdx.x;
                if (o >= out) return;
                float s = 0.f;
                for (int i = 0; i < batch; i++) s += dy[i * out + o];
                db[o] = s;
            }

            extern "C" __global__ void act_forward(int kind, const float* z, float* h, int n) {
                int i = blockIdx.x * blockDim.x + threadIdx.x;
                if (i < n) h[i] = act_f(kind, z[i]);
            }

            extern "C" __global__ void act_backward(int kind, const float* z, const float* dh, float* dz, int n) {
                int i = blockIdx.x * blockDim.x + threadIdx.x;
                if (i < n) dz[i] = dh[i] * act_df(kind, z[i]);
            }

            extern "C" __global__ void mul_inplace(float* x, const float* m, int n) {
                int i = blockIdx.x * blockDim.x + threadIdx.x;
                if (i < n) x[i] *= m[i];
            }

            extern "C" __global__ void softmax_xent(const float* logits, const float* labels, float* dlogits,
                                                    float* rowLoss, float* rowCorrect, int batch, int classes) {
                int i = blockIdx.x * blockDim.x + threadIdx.x;
                if (i >= batch) return;
                const float* z = logits + (long) i * classes;
                float* d = dlogits + (long) i * classes;
                int label = (int) labels[i];
                float mx = z[0];
                int arg = 0;
                for (int j = 1; j < classes; j++) if (z[j] > mx) { mx = z[j]; arg = j; }
                float sum = 0.f;
                for (int j = 0; j < classes; j++) sum += expf(z[j] - mx);
                float lse = logf(sum) + mx;
                rowLoss[i] = lse - z[label];
                rowCorrect[i] = arg == label ? 1.f : 0.f;
                float invB = 1.f / batch;
                for (int j = 0; j < classes; j++) {
                    float p = expf(z[j] - mx) / sum;
                    d[j] = (p - (j == label ? 1.f : 0.f)) * invB;
                }
            }

            extern "C" __global__ void mse(const float* pred, const float* t, float* d, float* rowLoss, int batch) {
                int i = blockIdx.x * blockDim.x + threadIdx.x;
                if (i >= batch) return;
                float e = pred[i] - t[i];
                rowLoss[i] = e * e;
                d[i] = 2.f * e * (1.f / batch);
            }

            extern "C" __global__ void sgd_update(float* w, const float* g, float* v, int n, float lr, float wd,
                                                  float momentum, int hasMomentum) {
                int i = blockIdx.x * blockDim.x + threadIdx.x;
                if (i >= n) return;
                float gi = g[i] + wd * w[i];
                if (hasMomentum) { v[i] = momentum * v[i] + gi; gi = v[i]; }
                w[i] -= lr * gi;
            }

            extern "C" __global__ void adam_update(float* w, const float* g, float* m, float* v, int n, float lr,
                                                   float wd, float b1, float b2, float eps, float bc1, float bc2) {
                int i = blockIdx.x * blockDim.x + threadIdx.x;
                if (i >= n) return;
                float stepSize = lr / bc1;
                float sqrtBc2 = sqrtf(bc2);
                float gi = g[i] + wd * w[i];
                m[i] = b1 * m[i] + (1.f - b1) * gi;
                v[i] = b2 * v[i] + (1.f - b2) * gi * gi;
                float denom = sqrtf(v[i]) / sqrtBc2 + eps;
                w[i] -= stepSize * (m[i] / denom);
            }
            extern "C" __global__ void im2col(const float* x, float* cols, int batch, int h, int w, int c, int k, int stride,
                                              int pad, int oh, int ow) {
                long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
                int kk = c * k * k;
                if (i >= (long) batch * oh * ow * kk) return;
                int j = (int) (i % kk);
                long row = i / kk;
                int kx = j % k, ky = (j / k) % k, ch = j / (k * k);
                int ox = (int) (row % ow), oy = (int) ((row / ow) % oh), img = (int) (row / ((long) ow * oh));
                int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                cols[i] = iy >= 0 && iy < h && ix >= 0 && ix < w ? x[(((long) img * h + iy) * w + ix) * c + ch] : 0.f;
            }

            extern "C" __global__ void col2im(const float* dcols, float* dx, int batch, int h, int w, int c, int k, int stride,
                                              int pad, int oh, int ow) {
                long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
                if (i >= (long) batch * h * w * c) return;
                int kk = c * k * k;
                int ch = (int) (i % c);
                long p = i / c;
                int ix = (int) (p % w), iy = (int) ((p / w) % h), img = (int) (p / ((long) w * h));
                float s = 0.f;
                for (int ky = 0; ky < k; ky++) {
                    int ty = iy + pad - ky;
                    if (ty < 0 || ty % stride != 0 || ty / stride >= oh) continue;
                    for (int kx = 0; kx < k; kx++) {
                        int tx = ix + pad - kx;
                        if (tx < 0 || tx % stride != 0 || tx / stride >= ow) continue;
                        s += dcols[(((long) img * oh + ty / stride) * ow + tx / stride) * kk + (ch * k + ky) * k + kx];
                    }
                }
                dx[i] = s;
            }

            extern "C" __global__ void transpose(const float* x, float* y, int batch, int rows, int cols) {
                long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
                long per = (long) rows * cols;
                if (i >= batch * per) return;
                long b = i / per;
                int r = (int) ((i / cols) % rows), col = (int) (i % cols);
                y[b * per + (long) col * rows + r] = x[i];
            }

            extern "C" __global__ void max_pool_forward(const float* x, float* y, float* argmax, int batch, int h, int w, int c, int p) {
                long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
                int oh = h / p, ow = w / p;
                if (i >= (long) batch * oh * ow * c) return;
                int ch = (int) (i % c);
                long q = i / c;
                int ox = (int) (q % ow), oy = (int) ((q / ow) % oh), img = (int) (q / ((long) ow * oh));
                float best = x[(((long) img * h + oy * p) * w + ox * p) * c + ch];
                int arg = 0;
                for (int dy = 0; dy < p; dy++) {
                    for (int dx = 0; dx < p; dx++) {
                        float v = x[(((long) img * h + oy * p + dy) * w + ox * p + dx) * c + ch];
                        if (v > best) { best = v; arg = dy * p + dx; }
                    }
                }
                y[i] = best;
                argmax[i] = (float) arg;
            }

            extern "C" __global__ void max_pool_backward(const float* dy, const float* argmax, float* dx, int batch, int h, int w,
                                                         int c, int p) {
                long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
                if (i >= (long) batch * h * w * c) return;
                int oh = h / p, ow = w / p;
                int ch = (int) (i % c);
                long q = i / c;
                int ix = (int) (q % w), iy = (int) ((q / w) % h), img = (int) (q / ((long) w * h));
                int oy = iy / p, ox = ix / p;
                long o = (((long) img * oh + oy) * ow + ox) * c + ch;
                dx[i] = oy < oh && ox < ow && (int) argmax[o] == (iy % p) * p + ix % p ? dy[o] : 0.f;
            }

            extern "C" __global__ void avg_pool_forward(const float* x, float* y, int batch, int h, int w, int c, int p) {
                long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
                int oh = h / p, ow = w / p;
                if (i >= (long) batch * oh * ow * c) return;
                int ch = (int) (i % c);
                long q = i / c;
                int ox = (int) (q % ow), oy = (int) ((q / ow) % oh), img = (int) (q / ((long) ow * oh));
                float s = 0.f;
                for (int dy = 0; dy < p; dy++) {
                    for (int dx = 0; dx < p; dx++) s += x[(((long) img * h + oy * p + dy) * w + ox * p + dx) * c + ch];
                }
                y[i] = s / (p * p);
            }

            extern "C" __global__ void avg_pool_backward(const float* dy, float* dx, int batch, int h, int w, int c, int p) {
                long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
                if (i >= (long) batch * h * w * c) return;
                int oh = h / p, ow = w / p;
                int ch = (int) (i % c);
                long q = i / c;
                int ix = (int) (q % w), iy = (int) ((q / w) % h), img = (int) (q / ((long) w * h));
                int oy = iy / p, ox = ix / p;
                dx[i] = oy < oh && ox < ow ? dy[(((long) img * oh + oy) * ow + ox) * c + ch] / (p * p) : 0.f;
            }

            /** Sum of v over the block (blockDim.x a power of two, at most 256); every thread gets it. */
            __device__ double block_sum(double v, double* red) {
                int t = threadIdx.x;
                red[t] = v;
                __syncthreads();
                for (int s = blockDim.x / 2; s > 0; s >>= 1) {
                    if (t < s) red[t] += red[t + s];
                    __syncthreads();
                }
                double r = red[0];
                __syncthreads();
                return r;
            }

            extern "C" __global__ void bn_forward_train(const float* x, const float* gamma, const float* beta, float* runMean,
                                                        float* runVar, float* y, float* mean, float* invStd, int rows, int c,
                                                        float momentum, float eps) {
                __shared__ double red[256];
                int ch = blockIdx.x;
                double s = 0.0;
                for (int r = threadIdx.x; r < rows; r += blockDim.x) s += x[(long) r * c + ch];
                double m = block_sum(s, red) / rows;
                double q = 0.0;
                for (int r = threadIdx.x; r < rows; r += blockDim.x) { double d = x[(long) r * c + ch] - m; q += d * d; }
                q = block_sum(q, red);
                double var = q / rows;
                float mu = (float) m, is = (float) (1.0 / sqrt(var + eps));
                if (threadIdx.x == 0) {
                    mean[ch] = mu;
                    invStd[ch] = is;
                    float unbiased = (float) (rows > 1 ? q / (rows - 1) : var);
                    runMean[ch] = momentum * mu + (1.f - momentum) * runMean[ch];
                    runVar[ch] = momentum * unbiased + (1.f - momentum) * runVar[ch];
                }
                float g = gamma[ch], b = beta[ch];
                for (int r = threadIdx.x; r < rows; r += blockDim.x) y[(long) r * c + ch] = (x[(long) r * c + ch] - mu) * is * g + b;
            }

            extern "C" __global__ void bn_forward_eval(const float* x, const float* gamma, const float* beta, const float* runMean,
                                                       const float* runVar, float* y, int rows, int c, float eps) {
                long i = (long) blockIdx.x * blockDim.x + threadIdx.x;
                if (i >= (long) rows * c) return;
                int ch = (int) (i % c);
                float is = (float) (1.0 / sqrt((double) runVar[ch] + eps));
                y[i] = (x[i] - runMean[ch]) * is * gamma[ch] + beta[ch];
            }

            extern "C" __global__ void bn_backward(const float* x, const float* dy, const float* gamma, const float* mean,
                                                   const float* invStd, float* dx, float* dgamma, float* dbeta, int rows, int c) {
                __shared__ double red[256];
                int ch = blockIdx.x;
                float mu = mean[ch], is = invStd[ch];
                double sdy = 0.0, sdyx = 0.0;
                for (int r = threadIdx.x; r < rows; r += blockDim.x) {
                    float xhat = (x[(long) r * c + ch] - mu) * is;
                    float d = dy[(long) r * c + ch];
                    sdy += d;
                    sdyx += (double) d * xhat;
                }
                float db = (float) block_sum(sdy, red), dg = (float) block_sum(sdyx, red);
                if (threadIdx.x == 0) { dgamma[ch] = dg; dbeta[ch] = db; }
                float scale = gamma[ch] * is / rows;
                for (int r = threadIdx.x; r < rows; r += blockDim.x) {
                    float xhat = (x[(long) r * c + ch] - mu) * is;
                    dx[(long) r * c + ch] = scale * (rows * dy[(long) r * c + ch] - db - xhat * dg);
                }
            }
            """;
}
