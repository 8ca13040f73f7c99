package ai.aicrypto.plaza.worker;

import ai.aicrypto.plaza.worker.data.InMemoryData;
import ai.aicrypto.plaza.worker.data.Task;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.trees.XgboostGpu;
import ai.aicrypto.plaza.worker.engine.trees.XgboostTrainer;
import ai.aicrypto.plaza.worker.gpu.GpuDevices;
import ai.aicrypto.plaza.worker.model.BoostedTreesSpec;
import ai.aicrypto.plaza.worker.plaza.TrainableFamilies;
import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * XGBoost's GPU mode: asked in a child JVM, because Maven Central's CPU-only build aborts the process that asks it for a
 * CUDA device. Where the probe finds a CUDA build and a device, trees trained there match the CPU's on wine.
 */
class XgboostGpuTest {

    @Test
    void theProbeAnswersWithAReasonWhereXgboostCannotUseAGpuAndThisJvmLivesOn() {
        String reason = XgboostGpu.unsupportedReason();
        System.out.println("XgboostGpuTest: XGBoost GPU mode " + (reason == null ? "available" : "unavailable: " + reason));
        if (GpuDevices.discover().isEmpty()) {
            assertTrue(reason != null && reason.startsWith("XGBoost: "), "no GPU here, yet the probe said: " + reason);
        }
        assertEquals("cpu", TrainableFamilies.treeDevice(new DjlCpuEngine()), "a CPU slot trains trees on the CPU");
        assertEquals("xgboost-cpu", TrainableFamilies.probe(new DjlCpuEngine(), null).families().get("gbdt"));
    }

    @Test
    void onlyTheCpuOrANumberedCudaDeviceIsAcceptedAsADevice() {
        assertThrows(IllegalArgumentException.class, () -> new XgboostTrainer("cuda"));
        assertThrows(IllegalArgumentException.class, () -> new XgboostTrainer("gpu:0"));
        assertTrue(new XgboostTrainer("cuda:1").description().contains("GPU cuda:1"));
        assertTrue(new XgboostTrainer().description().contains("CPU"));
    }

    @Test
    void treesTrainedOnTheGpuHoldTheCpusAccuracyOnWine() throws Exception {
        String reason = XgboostGpu.unsupportedReason();
        assumeTrue(reason == null, () -> "XGBoost GPU mode unavailable: " + reason);
        InMemoryData wine = TestData.sklearn("wine_data.csv");
        BoostedTreesSpec spec = new BoostedTreesSpec("test", Task.CLASSIFICATION, wine.classes(), 13, 30, 4, 0.3, 0.8, 1, 1, 7);
        double cpu = new XgboostTrainer().train(spec, wine, TrainingListener.NONE).finalMetrics().accuracy();
        double gpu = new XgboostTrainer("cuda:0").train(spec, wine, TrainingListener.NONE).finalMetrics().accuracy();
        assertEquals(cpu, gpu, 0.06, "one validation row of 17 either way");
        assertFalse(Double.isNaN(gpu));
    }
}
