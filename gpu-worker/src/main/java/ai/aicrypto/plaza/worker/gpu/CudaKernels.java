package ai.aicrypto.plaza.worker.gpu;

/**
 * CUDA C source of the worker's kernels, compiled at run time with NVRTC. Each kernel has a plain-Java
 * reference in {@link ai.aicrypto.plaza.worker.engine.dense.CpuKernels} with the same name and arithmetic.
 * Activation kinds: 0 relu, 1 tanh, 2 sigmoid, 3 gelu (erf form).
 */
public final class CudaKernels {

    private CudaKernels() {
    }

    public static final String[] NAMES = {
            "bias_add", "bias_grad", "act_forward", "act_backward", "mul_inplace", "softmax_xent", "mse", "sgd_update", "adam_update"
    };

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
            """;
}
