package ai.aicrypto.plaza.worker;

import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.engine.Checkpoint;
import ai.aicrypto.plaza.worker.engine.Evaluator;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.dense.ReferenceEngine;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.aicrypto.plaza.worker.model.OptimizerKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The CPU engine trains cnn cards: 2,000 Fashion-MNIST training images, 500 held out. */
class ConvEngineTest {

    /** Held-out accuracy a small CNN must beat after 3 epochs on 2,000 images (the MLP's bar is 0.70; chance 0.10). */
    static final double CNN_MIN_ACCURACY = 0.75;
    /** Small enough for 2 cores: 8 and 16 channels, both pooling kinds, batch norm on one block, a hidden layer with dropout. */
    static final String SMALL = """
            {"template": "cnn", "activation": "relu", "hiddenSizes": [32], "dropout": 0.2,
             "convBlocks": [{"channels": 8, "kernel": 3, "padding": 1, "batchNorm": true, "pool": "max"},
                            {"channels": 16, "kernel": 3, "padding": 1, "pool": "avg"}],
             "augmentation": {"cropPadding": 2, "horizontalFlip": true}}""";

    /** A strided conv without pooling and batch norm after it; SGD with momentum, no augmentation, no dropout. */
    static final String STRIDED = """
            {"template": "cnn", "activation": "tanh", "hiddenSizes": [24],
             "convBlocks": [{"channels": 6, "kernel": 5, "stride": 2, "padding": 2, "pool": "none"},
                            {"channels": 10, "kernel": 3, "stride": 1, "padding": 0, "batchNorm": true, "pool": "max", "poolSize": 3}]}""";
    /** Reference vs CPU engine: relative difference allowed per epoch mean loss, and on the weights after 3 epochs. */
    static final double REFERENCE_LOSS_TOLERANCE = 1e-4, REFERENCE_WEIGHT_TOLERANCE = 1e-3;

    @TempDir
    Path dir;

    private final DjlCpuEngine cpu = new DjlCpuEngine();

    private static ModelSpec small(int epochs) throws Exception {
        ModelSpec spec = TestData.cnn(SMALL);
        return spec.withHyperparameters(spec.hyperparameters().withEpochs(epochs));
    }

    @Test
    void aSmallCnnLearnsFashionMnistAndIsMeasuredOnHeldOutImages() throws Exception {
        ModelSpec spec = small(3);
        List<Checkpoint> checkpoints = new ArrayList<>();
        TrainedModel m = cpu.train(spec, TestData.train(2000), new TrainingListener() {
            @Override
            public void onCheckpoint(Checkpoint c) {
                checkpoints.add(c);
            }
        });
        Evaluator.Result r = Evaluator.evaluate(spec, m.weights(), TestData.heldOut());
        System.out.println("small cnn (cpu): " + m.history() + ", held-out " + r);
        assertEquals(500, r.samples());
        assertTrue(r.accuracy() > CNN_MIN_ACCURACY, "held-out accuracy " + r.accuracy());
        assertEquals(4, checkpoints.size(), "checkpoint 0 and one per epoch");
        assertArrayEquals(new long[]{8, 1, 3, 3}, m.weights().get("conv.0.weight").shape());
        assertArrayEquals(new long[]{16, 8, 3, 3}, m.weights().get("conv.1.weight").shape());
        assertArrayEquals(new long[]{32, 16 * 7 * 7}, m.weights().get("layers.0.weight").shape());
        assertFalse(m.weights().containsKey("bn.1.weight"), "no batch norm on the second block");
        FloatTensor runningVar = m.weights().get("bn.0.running_var");
        assertNotEquals(1f, runningVar.data()[0], "training moved batch norm's running variance");
        assertEquals(m.weights(), checkpoints.get(3).weights(), "the last checkpoint holds the weights");
        assertFalse(checkpoints.get(3).tensors().containsKey("optimizer.m.bn.0.running_mean"), "statistics have no moments");
        assertTrue(checkpoints.get(3).tensors().containsKey("optimizer.v.bn.0.weight"));
    }

    @Test
    void anEpochTrainedAgainFromItsCheckpointGivesTheSameState() throws Exception {
        ModelSpec spec = small(2);
        List<Checkpoint> run = new ArrayList<>();
        cpu.train(spec, TestData.train(300), new TrainingListener() {
            @Override
            public void onCheckpoint(Checkpoint c) {
                run.add(c);
            }
        });
        Path file = dir.resolve("checkpoint-1.safetensors");
        run.get(1).write(file);
        Checkpoint start = Checkpoint.read(file);
        assertEquals(run.get(1).tensors().keySet().stream().toList(), start.tensors().keySet().stream().toList(), "canonical order survives a file");
        List<Checkpoint> again = new ArrayList<>();
        cpu.train(spec, TestData.train(300), start, 2, new TrainingListener() {
            @Override
            public void onCheckpoint(Checkpoint c) {
                again.add(c);
            }
        });
        assertEquals(1, again.size());
        for (Map.Entry<String, FloatTensor> t : run.get(2).tensors().entrySet()) {
            assertArrayEquals(t.getValue().data(), again.get(0).tensor(t.getKey()).data(), 1e-5f, t.getKey());
        }
        assertEquals(run.get(2).step(), again.get(0).step());
    }

    /**
     * Colour pictures (the plaza's image folders in RGB): three planes per image, [channels, height, width]. The class is
     * which channel is bright, which a network reading one plane could not tell; crops and flips move all planes alike.
     */
    @Test
    void aCnnOnThreeChannelPicturesLearnsWhatOnlyTheColourTells() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var card = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(java.nio.file.Files.readString(
                TestData.CARDS.resolve("fashion-mnist-cnn.json")));
        ((com.fasterxml.jackson.databind.node.ObjectNode) card.get("input")).putArray("shape").add(3).add(8).add(8);
        card.putObject("output").putArray("classes").add("red").add("green").add("blue");
        card.set("architecture", json.readTree(SMALL));
        ModelSpec spec = ModelSpec.fromCard(card);
        spec = spec.withHyperparameters(spec.hyperparameters().withEpochs(4));
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        int rows = 400, features = 3 * 64;
        float[] x = new float[rows * features];
        int[] y = new int[rows];
        for (int r = 0; r < rows; r++) {
            y[r] = r % 3;
            for (int f = 0; f < features; f++) {
                x[r * features + f] = (float) ((f / 64 == y[r] ? 0.7 : 0.3) + random.nextDouble(-0.25, 0.25));
            }
        }
        var all = new ai.aicrypto.plaza.worker.data.Shard(rows, features, x, y, null);
        List<String> classes = List.of("red", "green", "blue");
        TrainedModel m = cpu.train(spec, ai.aicrypto.plaza.worker.data.InMemoryData.of(all.slice(0, 300), classes), TrainingListener.NONE);
        assertArrayEquals(new long[]{8, 3, 3, 3}, m.weights().get("conv.0.weight").shape(), "a filter spans the three planes");
        Evaluator.Result r = Evaluator.evaluate(spec, m.weights(), ai.aicrypto.plaza.worker.data.InMemoryData.of(all.slice(300, 400), classes));
        System.out.println("3-channel cnn (cpu): " + m.history() + ", held-out " + r);
        assertTrue(r.accuracy() > 0.9, "held-out accuracy " + r.accuracy());
    }

    /**
     * The GPU engine's algorithm on the plain-Java reference kernels (im2col + GEMM convs, pooling, batch norm) trains a
     * cnn as DJL's CPU engine does, from the same checkpoint 0 with the same batches, dropout masks and augmentation:
     * the epoch losses agree within {@link #REFERENCE_LOSS_TOLERANCE} and the tensors come out under the same names
     * and shapes (PyTorch's).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {SMALL, STRIDED})
    void theReferenceEngineTrainsACnnAsTheCpuEngineDoes(String architecture) throws Exception {
        ModelSpec spec = TestData.cnn(architecture);
        spec = spec.withHyperparameters(spec.hyperparameters().withEpochs(3).withBatchSize(32));
        if (architecture.equals(STRIDED)) spec = spec.withHyperparameters(spec.hyperparameters().withOptimizer(OptimizerKind.SGD, 0.05));
        var data = TestData.train(240);
        ReferenceEngine reference = new ReferenceEngine();
        assertTrue(reference.trains(spec) && cpu.trains(spec));
        long t0 = System.nanoTime();
        TrainedModel j = reference.train(spec, data, TrainingListener.NONE);
        long t1 = System.nanoTime();
        TrainedModel c = cpu.train(spec, data, TrainingListener.NONE);
        System.out.printf(java.util.Locale.ROOT, "cnn %s: reference %s (%.2f s), cpu %s (%.2f s)%n", spec.conv().blocks(), j.history(),
                (t1 - t0) / 1e9, c.history(), (System.nanoTime() - t1) / 1e9);
        double worstLoss = 0;
        for (int e = 0; e < 3; e++) {
            double x = j.history().get(e).loss(), y = c.history().get(e).loss();
            worstLoss = Math.max(worstLoss, Math.abs(x - y) / y);
            assertEquals(y, x, REFERENCE_LOSS_TOLERANCE * y, "epoch " + (e + 1) + " loss reference " + x + " cpu " + y);
        }
        System.out.println("largest relative epoch loss difference: " + worstLoss);
        assertTrue(j.history().get(2).loss() < j.history().get(0).loss(), "it learns");
        assertEquals(c.weights().keySet(), j.weights().keySet());
        double worst = 0;
        for (var t : c.weights().entrySet()) {
            FloatTensor r = j.weights().get(t.getKey());
            assertArrayEquals(t.getValue().shape(), r.shape(), t.getKey());
            for (int i = 0; i < r.size(); i++) {
                worst = Math.max(worst, Math.abs(r.data()[i] - t.getValue().data()[i]) / (1 + Math.abs(t.getValue().data()[i])));
            }
        }
        System.out.println("largest weight difference after 3 epochs, relative to 1 + |cpu's|: " + worst);
        assertTrue(worst < REFERENCE_WEIGHT_TOLERANCE, "weights differ by " + worst);
    }

    /**
     * Resuming a cnn: epoch 2 trained again on the reference engine from its checkpoint 1 gives checkpoint 2 exactly;
     * trained by the CPU engine from it (an audit across engines), it lands close to it, as a share of how far the epoch
     * moved the tensors (batch norm statistics included), what the plaza's audit tolerance is set against: to float
     * rounding, because the one tensor whose gradient is only rounding noise, the bias of a conv that batch norm follows,
     * is not trained on any engine ({@link ai.aicrypto.plaza.worker.model.ConvSpec#frozen}); trained, Adam turned that
     * noise into steps and this distance was 5e-3.
     */
    @Test
    void aCnnEpochResumedOnTheSameEngineIsExactAndOnTheCpuEngineClose() throws Exception {
        ModelSpec spec = TestData.cnn(SMALL);
        spec = spec.withHyperparameters(spec.hyperparameters().withEpochs(2).withBatchSize(32));
        var data = TestData.train(480);
        ReferenceEngine reference = new ReferenceEngine();
        List<Checkpoint> run = new ArrayList<>();
        reference.train(spec, data, new TrainingListener() {
            @Override
            public void onCheckpoint(Checkpoint c) {
                run.add(c);
            }
        });
        Checkpoint[] again = new Checkpoint[2];
        reference.train(spec, data, run.get(1), 2, new TrainingListener() {
            @Override
            public void onCheckpoint(Checkpoint c) {
                again[0] = c;
            }
        });
        cpu.train(spec, data, run.get(1), 2, new TrainingListener() {
            @Override
            public void onCheckpoint(Checkpoint c) {
                again[1] = c;
            }
        });
        for (Map.Entry<String, FloatTensor> t : run.get(2).tensors().entrySet()) {
            assertArrayEquals(t.getValue().data(), again[0].tensor(t.getKey()).data(), t.getKey());
        }
        double audit = CheckpointTest.distance(again[1], run.get(2)) / CheckpointTest.distance(run.get(2), run.get(1));
        System.out.println("cnn cross-engine audit distance (cpu from the reference's checkpoint 1): " + audit);
        assertTrue(audit < 1e-4, "audit distance " + audit);
        assertArrayEquals(run.get(0).tensor("conv.0.bias").data(), again[1].tensor("conv.0.bias").data(), "a conv bias batch norm follows stays");
    }

    @Test
    void anEngineWithoutConvKernelsLeavesCnnsToTheCpuEngine() throws Exception {
        ModelSpec spec = small(1);
        assertFalse(new ai.aicrypto.plaza.worker.engine.TrainingEngine() {
            public String id() {
                return "dense-only";
            }

            public String description() {
                return id();
            }

            public TrainedModel train(ModelSpec s, ai.aicrypto.plaza.worker.data.TrainingData d, Checkpoint c, int l, TrainingListener t) {
                throw new UnsupportedOperationException();
            }
        }.trains(spec), "an engine without conv kernels leaves cnns to the CPU engine");
    }

    @Test
    void aCheckpointOfAnotherNetworkIsRefused() throws Exception {
        Checkpoint small = Checkpoint.initial(small(1), 784);
        ModelSpec wider = TestData.cnn(SMALL.replace("\"channels\": 16", "\"channels\": 24"));
        var e = assertThrows(IllegalArgumentException.class, () -> small.requireFits(wider, 784));
        assertTrue(e.getMessage().contains("conv.1.weight"), e.getMessage());
    }

    @Test
    void blocksThatShrinkTheImageAwayAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> TestData.cnn(SMALL.replace("\"kernel\": 3, \"padding\": 1, \"pool\": \"avg\"",
                "\"kernel\": 15, \"pool\": \"avg\"")));
        assertTrue(e.getMessage().contains("conv block 1"), e.getMessage());
    }
}
