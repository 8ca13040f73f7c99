package ai.aicrypto.plaza.worker.plaza;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.engine.dense.ReferenceEngine;
import ai.aicrypto.plaza.worker.gpu.GpuDevice;
import ai.aicrypto.plaza.worker.gpu.JCudaEngine;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

/** What a worker reports it can train, found by loading the engines on this machine (DJL's PyTorch, XGBoost). */
class TrainableFamiliesTest {

    @Test
    void aCpuWorkerTrainsEveryFamilyWithTheEngineThatLoads() {
        TrainableFamilies found = TrainableFamilies.probe(new DjlCpuEngine(), null);
        assertEquals(Map.of("softmax-regression", "cpu", "mlp", "cpu", "cnn", "cpu", "fasttext", "cpu", "gbdt", "xgboost-cpu"),
                found.families(), found.describe());
        assertTrue(found.missing().isEmpty(), found.describe());
    }

    @Test
    void theReferenceEngineTrainsDenseNetworksAndCnnsInPlainJavaAndTheRestOnTheCpuEngines() {
        TrainableFamilies found = TrainableFamilies.probe(new ReferenceEngine(), null);
        assertEquals("reference", found.families().get("mlp"));
        assertEquals("reference", found.families().get("softmax-regression"));
        assertEquals("reference", found.families().get("cnn"));
        assertEquals("cpu", found.families().get("fasttext"));
    }

    /** The engine is only asked its id and kernels here: no CUDA call, so the slot's report is checked without a GPU. */
    @Test
    void aGpuSlotReportsCnnsOnTheGpuAndLeavesFasttextToDjl() {
        JCudaEngine gpu = new JCudaEngine(new GpuDevice(0, "test device", 1L << 30, 9, 0));
        TrainableFamilies found = TrainableFamilies.probe(gpu, null);
        assertEquals(Map.of("softmax-regression", "gpu", "mlp", "gpu", "cnn", "gpu", "fasttext", "cpu", "gbdt", "xgboost-cpu"),
                found.families(), found.describe());
        assertTrue(found.missing().isEmpty(), found.describe());
    }

    @Test
    void theProviderMayLeaveFamiliesOutAndTheLogSaysSo() {
        TrainableFamilies found = TrainableFamilies.probe(new DjlCpuEngine(), TrainableFamilies.parse("mlp, softmax-regression"));
        assertEquals(Set.of("mlp", "softmax-regression"), found.families().keySet());
        assertEquals("left out by --families", found.missing().get("gbdt"));
        assertTrue(found.describe().contains("not cnn: left out by --families"), found.describe());
    }

    @Test
    void anUnknownFamilyIsRefusedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> TrainableFamilies.parse("mlp,transformer"));
        assertTrue(e.getMessage().contains("softmax-regression, mlp, cnn, fasttext, gbdt"), e.getMessage());
    }
}
