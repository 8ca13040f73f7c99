package ai.aicrypto.plaza.worker.gpu;

import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.engine.Checkpoint;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingEngine;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.dense.DenseTrainer;
import ai.aicrypto.plaza.worker.model.ModelSpec;

import java.io.IOException;
import java.util.List;

/** GPU engine: the {@link DenseTrainer} algorithm on a {@link CudaBackend}. */
public final class JCudaEngine implements TrainingEngine {

    private final GpuDevice device;

    public JCudaEngine(GpuDevice device) {
        this.device = device;
    }

    /** The engine on the first GPU; throws if there is none. */
    public static JCudaEngine firstDevice() {
        List<GpuDevice> devices = GpuDevices.discover();
        if (devices.isEmpty()) throw new IllegalStateException("GPU engine unavailable: " + GpuDevices.unavailableReason());
        return new JCudaEngine(devices.get(0));
    }

    public GpuDevice device() {
        return device;
    }

    @Override
    public String id() {
        return "gpu";
    }

    @Override
    public String description() {
        return "JCuda 12.6.0 (cuBLAS + NVRTC) on " + device;
    }

    @Override
    public boolean hasConvKernels() {
        return true;
    }

    @Override
    public TrainedModel train(ModelSpec spec, TrainingData data, Checkpoint start, int lastEpoch, TrainingListener listener)
            throws IOException {
        try (CudaBackend be = new CudaBackend(device)) {
            return DenseTrainer.train(be, id(), spec, data, start, lastEpoch, listener);
        }
    }
}
