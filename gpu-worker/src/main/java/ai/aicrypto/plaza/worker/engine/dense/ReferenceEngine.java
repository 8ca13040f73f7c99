package ai.aicrypto.plaza.worker.engine.dense;

import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.engine.Checkpoint;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingEngine;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.model.ModelSpec;

import java.io.IOException;

/**
 * The GPU engine's algorithm on the plain-Java reference kernels: slow, dependency-free, and the oracle the
 * tests compare the DJL and JCuda engines with.
 */
public final class ReferenceEngine implements TrainingEngine {

    @Override
    public String id() {
        return "reference";
    }

    @Override
    public String description() {
        return "reference (plain Java kernels, single thread)";
    }

    @Override
    public boolean hasConvKernels() {
        return true;
    }

    @Override
    public TrainedModel train(ModelSpec spec, TrainingData data, Checkpoint start, int lastEpoch, TrainingListener listener)
            throws IOException {
        try (JavaBackend be = new JavaBackend()) {
            return DenseTrainer.train(be, id(), spec, data, start, lastEpoch, listener);
        }
    }
}
