package ai.aicrypto.plaza.worker.gpu;

import ai.aicrypto.plaza.worker.engine.dense.ConvBackend;
import ai.aicrypto.plaza.worker.engine.dense.CpuKernels;
import ai.aicrypto.plaza.worker.engine.dense.DenseBackend;
import ai.aicrypto.plaza.worker.model.Activation;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.nvrtc.JNvrtc;
import jcuda.nvrtc.nvrtcProgram;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link ConvBackend} (and so {@link DenseBackend}) on an NVIDIA GPU: cuBLAS SGEMM for the dense layers (forward and
 * both backward products, and so for the convolutions on im2col rows) and NVRTC-compiled kernels ({@link CudaKernels}) for everything else, all on the default stream
 * of the device's primary context. Needs the NVIDIA driver plus the CUDA 12 libraries cuBLAS and NVRTC
 * ({@code libcublas.so.12}, {@code libnvrtc.so.12}) on the library path.
 */
public final class CudaBackend implements ConvBackend {

    private static final int THREADS = CudaKernels.THREADS;

    private final GpuDevice device;
    private final CUdevice cuDevice = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final cublasHandle cublas = new cublasHandle();
    private final CUmodule module = new CUmodule();
    private final Map<String, CUfunction> kernels = new HashMap<>();
    private final List<CUdeviceptr> allocations = new ArrayList<>();
    private final Pointer one = Pointer.to(new float[]{1f});
    private final Pointer zero = Pointer.to(new float[]{0f});
    private boolean closed;

    /** A device buffer. */
    public record CBuf(CUdeviceptr ptr, int length) implements Buf {
    }

    public CudaBackend(GpuDevice device) {
        this.device = device;
        JCudaDriver.setExceptionsEnabled(true);
        JCublas2.setExceptionsEnabled(true);
        JNvrtc.setExceptionsEnabled(true);
        JCudaDriver.cuInit(0);
        JCudaDriver.cuDeviceGet(cuDevice, device.ordinal());
        JCudaDriver.cuDevicePrimaryCtxRetain(context, cuDevice);
        makeCurrent();
        JCublas2.cublasCreate(cublas);
        String ptx = compile(CudaKernels.SOURCE, device);
        JCudaDriver.cuModuleLoadData(module, ptx);
        for (String name : CudaKernels.NAMES) {
            CUfunction f = new CUfunction();
            JCudaDriver.cuModuleGetFunction(f, module, name);
            kernels.put(name, f);
        }
    }

    /** Compiles CUDA C to PTX for the device's architecture with NVRTC; throws with the compiler log on error. */
    static String compile(String source, GpuDevice device) {
        nvrtcProgram program = new nvrtcProgram();
        JNvrtc.nvrtcCreateProgram(program, source, "aiplaza_kernels.cu", 0, null, null);
        try {
            String arch = "--gpu-architecture=compute_" + device.computeMajor() + device.computeMinor();
            try {
                JNvrtc.nvrtcCompileProgram(program, 1, new String[]{arch});
            } catch (RuntimeException e) {
                String[] log = new String[1];
                JNvrtc.nvrtcGetProgramLog(program, log);
                throw new IllegalStateException("NVRTC compilation failed: " + log[0], e);
            }
            String[] ptx = new String[1];
            JNvrtc.nvrtcGetPTX(program, ptx);
            return ptx[0];
        } finally {
            JNvrtc.nvrtcDestroyProgram(program);
        }
    }

    /** Binds this backend's context to the calling thread. */
    public void makeCurrent() {
        JCudaDriver.cuCtxSetCurrent(context);
    }

    public GpuDevice device() {
        return device;
    }

    cublasHandle cublas() {
        return cublas;
    }

    @Override
    public String description() {
        return "JCuda 12.6 on " + device;
    }

    private static CUdeviceptr p(Buf b) {
        return ((CBuf) b).ptr();
    }

    @Override
    public Buf alloc(int n) {
        CUdeviceptr ptr = new CUdeviceptr();
        JCudaDriver.cuMemAlloc(ptr, Math.max(1, n) * 4L);
        if (n > 0) JCudaDriver.cuMemsetD32(ptr, 0, n);
        allocations.add(ptr);
        return new CBuf(ptr, n);
    }

    @Override
    public void upload(Buf dst, float[] src, int n) {
        if (n > 0) JCudaDriver.cuMemcpyHtoD(p(dst), Pointer.to(src), n * 4L);
    }

    @Override
    public void download(Buf src, float[] dst, int n) {
        if (n > 0) JCudaDriver.cuMemcpyDtoH(Pointer.to(dst), p(src), n * 4L);
    }

    /** Row-major y[B,out] = x[B,in] w[out,in]^T is column-major y'(out x B) = w'^T (out x in) x'(in x B). */
    @Override
    public void linearForward(Buf x, Buf w, Buf b, Buf y, int batch, int in, int out) {
        JCublas2.cublasSgemm(cublas, cublasOperation.CUBLAS_OP_T, cublasOperation.CUBLAS_OP_N, out, batch, in,
                one, p(w), in, p(x), in, zero, p(y), out);
        launch("bias_add", batch * out, Pointer.to(p(y)), Pointer.to(p(b)), Pointer.to(new int[]{batch}), Pointer.to(new int[]{out}));
    }

    @Override
    public void linearBackward(Buf x, Buf w, Buf dy, Buf dx, Buf dw, Buf db, int batch, int in, int out) {
        // dw'(in x out) = x'(in x B) dy'^T (B x out)
        JCublas2.cublasSgemm(cublas, cublasOperation.CUBLAS_OP_N, cublasOperation.CUBLAS_OP_T, in, out, batch,
                one, p(x), in, p(dy), out, zero, p(dw), in);
        launch("bias_grad", out, Pointer.to(p(dy)), Pointer.to(p(db)), Pointer.to(new int[]{batch}), Pointer.to(new int[]{out}));
        if (dx != null) {
            // dx'(in x B) = w'(in x out) dy'(out x B)
            JCublas2.cublasSgemm(cublas, cublasOperation.CUBLAS_OP_N, cublasOperation.CUBLAS_OP_N, in, batch, out,
                    one, p(w), in, p(dy), out, zero, p(dx), in);
        }
    }

    private static int kind(Activation a) {
        return switch (a) {
            case RELU -> 0;
            case TANH -> 1;
            case SIGMOID -> 2;
            case GELU -> 3;
        };
    }

    @Override
    public void activationForward(Activation a, Buf z, Buf h, int n) {
        launch("act_forward", n, Pointer.to(new int[]{kind(a)}), Pointer.to(p(z)), Pointer.to(p(h)), Pointer.to(new int[]{n}));
    }

    @Override
    public void activationBackward(Activation a, Buf z, Buf dh, Buf dz, int n) {
        launch("act_backward", n, Pointer.to(new int[]{kind(a)}), Pointer.to(p(z)), Pointer.to(p(dh)), Pointer.to(p(dz)),
                Pointer.to(new int[]{n}));
    }

    @Override
    public void multiply(Buf x, Buf mask, int n) {
        launch("mul_inplace", n, Pointer.to(p(x)), Pointer.to(p(mask)), Pointer.to(new int[]{n}));
    }

    @Override
    public void softmaxCrossEntropy(Buf logits, Buf labels, Buf dlogits, Buf rowLoss, Buf rowCorrect, int batch, int classes) {
        launch("softmax_xent", batch, Pointer.to(p(logits)), Pointer.to(p(labels)), Pointer.to(p(dlogits)),
                Pointer.to(p(rowLoss)), Pointer.to(p(rowCorrect)), Pointer.to(new int[]{batch}), Pointer.to(new int[]{classes}));
    }

    @Override
    public void meanSquaredError(Buf pred, Buf targets, Buf dpred, Buf rowLoss, int batch) {
        launch("mse", batch, Pointer.to(p(pred)), Pointer.to(p(targets)), Pointer.to(p(dpred)), Pointer.to(p(rowLoss)),
                Pointer.to(new int[]{batch}));
    }

    @Override
    public void sgdUpdate(Buf w, Buf g, Buf v, int n, float lr, float wd, float momentum) {
        Buf vv = v != null ? v : g; // not read without momentum
        launch("sgd_update", n, Pointer.to(p(w)), Pointer.to(p(g)), Pointer.to(p(vv)), Pointer.to(new int[]{n}),
                Pointer.to(new float[]{lr}), Pointer.to(new float[]{wd}), Pointer.to(new float[]{momentum}),
                Pointer.to(new int[]{v != null && momentum != 0f ? 1 : 0}));
    }

    @Override
    public void adamUpdate(Buf w, Buf g, Buf m, Buf v, int n, float lr, float wd, float b1, float b2, float eps, float bc1, float bc2) {
        launch("adam_update", n, Pointer.to(p(w)), Pointer.to(p(g)), Pointer.to(p(m)), Pointer.to(p(v)), Pointer.to(new int[]{n}),
                Pointer.to(new float[]{lr}), Pointer.to(new float[]{wd}), Pointer.to(new float[]{b1}), Pointer.to(new float[]{b2}),
                Pointer.to(new float[]{eps}), Pointer.to(new float[]{bc1}), Pointer.to(new float[]{bc2}));
    }

    private static Pointer i(int v) {
        return Pointer.to(new int[]{v});
    }

    @Override
    public void im2col(Buf x, Buf cols, int batch, int height, int width, int channels, int kernel, int stride, int padding) {
        int oh = CpuKernels.convOut(height, kernel, stride, padding), ow = CpuKernels.convOut(width, kernel, stride, padding);
        launch("im2col", batch * oh * ow * channels * kernel * kernel, Pointer.to(p(x)), Pointer.to(p(cols)), i(batch), i(height), i(width),
                i(channels), i(kernel), i(stride), i(padding), i(oh), i(ow));
    }

    @Override
    public void col2im(Buf dcols, Buf dx, int batch, int height, int width, int channels, int kernel, int stride, int padding) {
        int oh = CpuKernels.convOut(height, kernel, stride, padding), ow = CpuKernels.convOut(width, kernel, stride, padding);
        launch("col2im", batch * height * width * channels, Pointer.to(p(dcols)), Pointer.to(p(dx)), i(batch), i(height), i(width),
                i(channels), i(kernel), i(stride), i(padding), i(oh), i(ow));
    }

    @Override
    public void transpose(Buf x, Buf y, int batch, int rows, int cols) {
        launch("transpose", batch * rows * cols, Pointer.to(p(x)), Pointer.to(p(y)), i(batch), i(rows), i(cols));
    }

    @Override
    public void maxPoolForward(Buf x, Buf y, Buf argmax, int batch, int height, int width, int channels, int window) {
        launch("max_pool_forward", batch * (height / window) * (width / window) * channels, Pointer.to(p(x)), Pointer.to(p(y)),
                Pointer.to(p(argmax)), i(batch), i(height), i(width), i(channels), i(window));
    }

    @Override
    public void maxPoolBackward(Buf dy, Buf argmax, Buf dx, int batch, int height, int width, int channels, int window) {
        launch("max_pool_backward", batch * height * width * channels, Pointer.to(p(dy)), Pointer.to(p(argmax)), Pointer.to(p(dx)),
                i(batch), i(height), i(width), i(channels), i(window));
    }

    @Override
    public void avgPoolForward(Buf x, Buf y, int batch, int height, int width, int channels, int window) {
        launch("avg_pool_forward", batch * (height / window) * (width / window) * channels, Pointer.to(p(x)), Pointer.to(p(y)),
                i(batch), i(height), i(width), i(channels), i(window));
    }

    @Override
    public void avgPoolBackward(Buf dy, Buf dx, int batch, int height, int width, int channels, int window) {
        launch("avg_pool_backward", batch * height * width * channels, Pointer.to(p(dy)), Pointer.to(p(dx)), i(batch), i(height),
                i(width), i(channels), i(window));
    }

    @Override
    public void batchNormForward(Buf x, Buf gamma, Buf beta, Buf runningMean, Buf runningVar, Buf y, Buf mean, Buf invStd,
                                 int rows, int channels, boolean training, float momentum, float eps) {
        if (training) {
            launchPerChannel("bn_forward_train", channels, Pointer.to(p(x)), Pointer.to(p(gamma)), Pointer.to(p(beta)),
                    Pointer.to(p(runningMean)), Pointer.to(p(runningVar)), Pointer.to(p(y)), Pointer.to(p(mean)), Pointer.to(p(invStd)),
                    i(rows), i(channels), Pointer.to(new float[]{momentum}), Pointer.to(new float[]{eps}));
        } else {
            launch("bn_forward_eval", rows * channels, Pointer.to(p(x)), Pointer.to(p(gamma)), Pointer.to(p(beta)),
                    Pointer.to(p(runningMean)), Pointer.to(p(runningVar)), Pointer.to(p(y)), i(rows), i(channels),
                    Pointer.to(new float[]{eps}));
        }
    }

    @Override
    public void batchNormBackward(Buf x, Buf dy, Buf gamma, Buf mean, Buf invStd, Buf dx, Buf dgamma, Buf dbeta, int rows, int channels) {
        launchPerChannel("bn_backward", channels, Pointer.to(p(x)), Pointer.to(p(dy)), Pointer.to(p(gamma)), Pointer.to(p(mean)),
                Pointer.to(p(invStd)), Pointer.to(p(dx)), Pointer.to(p(dgamma)), Pointer.to(p(dbeta)), i(rows), i(channels));
    }

    private void launch(String kernel, int threads, Pointer... args) {
        if (threads <= 0) return;
        int blocks = (threads + THREADS - 1) / THREADS;
        JCudaDriver.cuLaunchKernel(kernels.get(kernel), blocks, 1, 1, THREADS, 1, 1, 0, null, Pointer.to(args), null);
    }

    /** One block of {@link #THREADS} threads per channel (the batch norm kernels reduce over the block). */
    private void launchPerChannel(String kernel, int channels, Pointer... args) {
        if (channels <= 0) return;
        JCudaDriver.cuLaunchKernel(kernels.get(kernel), channels, 1, 1, THREADS, 1, 1, 0, null, Pointer.to(args), null);
    }

    @Override
    public void synchronize() {
        JCudaDriver.cuCtxSynchronize();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        makeCurrent();
        JCudaDriver.cuCtxSynchronize();
        for (CUdeviceptr ptr : allocations) JCudaDriver.cuMemFree(ptr);
        allocations.clear();
        JCublas2.cublasDestroy(cublas);
        JCudaDriver.cuModuleUnload(module);
        JCudaDriver.cuDevicePrimaryCtxRelease(cuDevice);
    }
}
