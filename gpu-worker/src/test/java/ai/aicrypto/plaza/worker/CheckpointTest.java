package ai.aicrypto.plaza.worker;

import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.data.Safetensors;
import ai.aicrypto.plaza.worker.data.Sha256;
import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.engine.Checkpoint;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingEngine;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.dense.ReferenceEngine;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.aicrypto.plaza.worker.model.OptimizerKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Checkpoints: the canonical file, and resuming. Epoch k trained from checkpoint k-1 gives, on the same engine, the
 * very bytes of an uninterrupted run's checkpoint k; on another engine it comes close, by a distance the plaza's audit
 * tolerance is set from.
 */
class CheckpointTest {

    static final int EPOCHS = 4;
    /** Cross-engine audit distance allowed here (the plaza sets its own tolerance from the printed values). */
    static final double CROSS_ENGINE_DISTANCE = 0.01;

    @TempDir
    Path dir;

    /** The optimizer cases: SGD with momentum, Adam, and Adam with dropout (its masks are per epoch too). */
    static Map<String, ModelSpec> cases() throws IOException {
        Map<String, ModelSpec> out = new LinkedHashMap<>();
        ModelSpec mlp = TestData.mlp(List.of(48, 24), "gelu", 0);
        out.put("sgd+momentum", mlp.withHyperparameters(mlp.hyperparameters().withEpochs(EPOCHS).withWeightDecay(0.001)
                .withMomentum(0.9).withOptimizer(OptimizerKind.SGD, 0.05)));
        out.put("adam", mlp.withHyperparameters(mlp.hyperparameters().withEpochs(EPOCHS).withOptimizer(OptimizerKind.ADAM, 0.001)));
        ModelSpec dropout = TestData.mlp(List.of(48, 24), "relu", 0.2);
        out.put("adam+dropout", dropout.withHyperparameters(dropout.hyperparameters().withEpochs(EPOCHS)
                .withWeightDecay(0.0001).withOptimizer(OptimizerKind.ADAM, 0.001)));
        return out;
    }

    /** Every checkpoint a run emits, written to {@code dir/<prefix>-<epoch>.safetensors}. */
    private final class Recorder implements TrainingListener {
        final List<Path> files = new ArrayList<>();
        final String prefix;

        Recorder(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public void onCheckpoint(Checkpoint c) throws IOException {
            Path f = dir.resolve(prefix + "-" + c.epoch() + ".safetensors");
            c.write(f);
            files.add(f);
        }
    }

    @Test
    void theFileIsCanonicalAndReadBack() throws Exception {
        ModelSpec adam = cases().get("adam");
        Checkpoint c = Checkpoint.initial(adam, 784);
        Path a = dir.resolve("a.safetensors"), b = dir.resolve("b.safetensors");
        c.write(a);
        // The same content given in another order writes the same bytes.
        List<String> names = new ArrayList<>(c.tensors().keySet());
        Collections.reverse(names);
        Map<String, FloatTensor> reversed = new LinkedHashMap<>();
        names.forEach(n -> reversed.put(n, c.tensors().get(n)));
        new Checkpoint(0, 0, reversed).write(b);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));

        Safetensors.Header h = Safetensors.readHeader(a);
        assertEquals(Map.of("format", "aiplaza-checkpoint-v1", "epoch", "0", "step", "0"), h.metadata());
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias",
                "optimizer.m.layers.0.weight", "optimizer.m.layers.0.bias", "optimizer.m.layers.1.weight", "optimizer.m.layers.1.bias",
                "optimizer.m.layers.2.weight", "optimizer.m.layers.2.bias",
                "optimizer.v.layers.0.weight", "optimizer.v.layers.0.bias", "optimizer.v.layers.1.weight", "optimizer.v.layers.1.bias",
                "optimizer.v.layers.2.weight", "optimizer.v.layers.2.bias"), List.copyOf(h.tensors().keySet()));
        assertEquals(c, Checkpoint.read(a));
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias"),
                List.copyOf(Checkpoint.initial(adam.withHyperparameters(adam.hyperparameters().withOptimizer(OptimizerKind.SGD, 0.1).withMomentum(0)), 784)
                        .tensors().keySet()), "plain SGD has no moments");

        Path garbage = dir.resolve("garbage");
        Files.writeString(garbage, "not a checkpoint at all");
        assertTrue(assertThrows(IOException.class, () -> Checkpoint.read(garbage)).getMessage().contains("not a checkpoint"));
        Path weights = dir.resolve("weights.safetensors");
        Safetensors.writeF32(weights, c.weights(), Map.of("format", "aiplaza-weights-v1"));
        assertTrue(assertThrows(IOException.class, () -> Checkpoint.read(weights)).getMessage().contains("aiplaza-weights-v1"));
        Path badEpoch = dir.resolve("bad-epoch.safetensors");
        Safetensors.writeF32(badEpoch, c.tensors(), Map.of("format", Checkpoint.FORMAT, "epoch", "-1", "step", "0"));
        assertThrows(IOException.class, () -> Checkpoint.read(badEpoch));
        Path stranger = dir.resolve("stranger.safetensors");
        Safetensors.writeF32(stranger, Map.of("embedding", FloatTensor.of(new float[1], 1)), Map.of("format", Checkpoint.FORMAT, "epoch", "1", "step", "3"));
        assertTrue(assertThrows(IOException.class, () -> Checkpoint.read(stranger)).getMessage().contains("embedding"));
    }

    @Test
    void engineRefusesACheckpointOfAnotherNetworkOrARunThatGoesNowhere() throws Exception {
        ModelSpec adam = cases().get("adam");
        TrainingData train = TestData.train(100);
        Checkpoint other = Checkpoint.initial(TestData.mlp(List.of(32), "relu", 0).withHyperparameters(adam.hyperparameters()), 784);
        ReferenceEngine ref = new ReferenceEngine();
        assertThrows(IllegalArgumentException.class, () -> ref.train(adam, train, other, 1, TrainingListener.NONE));
        Checkpoint start = Checkpoint.initial(adam, 784);
        assertThrows(IllegalArgumentException.class, () -> ref.train(adam, train, start, 0, TrainingListener.NONE));
        assertThrows(IllegalArgumentException.class, () -> ref.train(adam, train, start, EPOCHS + 1, TrainingListener.NONE));
    }

    @Test
    void resumingAnEpochFromTheCheckpointBeforeItReproducesTheRunExactly() throws Exception {
        TrainingData train = TestData.train(500);
        for (TrainingEngine engine : List.of(new DjlCpuEngine(), new ReferenceEngine())) {
            for (var c : cases().entrySet()) {
                ModelSpec spec = c.getValue();
                String name = engine.id() + " " + c.getKey();
                Recorder run = new Recorder(engine.id() + "-" + c.getKey());
                TrainedModel model = engine.train(spec, train, run);
                assertEquals(EPOCHS + 1, run.files.size(), name + ": checkpoints 0.." + EPOCHS);
                List<String> hashes = new ArrayList<>();
                for (Path f : run.files) hashes.add(Sha256.of(f));
                System.out.println(name + " checkpoint hashes: " + hashes);
                assertEquals(Checkpoint.initial(spec, 784), Checkpoint.read(run.files.get(0)));
                Checkpoint last = Checkpoint.read(run.files.get(EPOCHS));
                assertEquals(model.weights(), last.weights(), name + ": the model is the last checkpoint's parameters");
                assertEquals(EPOCHS * 8, last.step(), name + ": 8 batches of 64 per epoch");
                for (int k = 1; k <= EPOCHS; k++) {
                    Recorder resumed = new Recorder(engine.id() + "-" + c.getKey() + "-resumed");
                    TrainedModel one = engine.train(spec, train, Checkpoint.read(run.files.get(k - 1)), k, resumed);
                    assertEquals(1, resumed.files.size(), name + ": only the new epoch's checkpoint");
                    assertEquals(List.of(k), one.history().stream().map(m -> m.epoch()).toList());
                    assertEquals(hashes.get(k), Sha256.of(resumed.files.get(0)), name + ": epoch " + k + " resumed");
                }
            }
        }
    }

    /**
     * The audit across engines: the CPU engine trains epoch k from the reference engine's checkpoint k-1; its distance to
     * the reference's checkpoint k, relative to the reference's own step over that epoch, is float rounding only.
     */
    @Test
    void anotherEngineResumingAnEpochLandsCloseToTheOriginal() throws Exception {
        TrainingData train = TestData.train(1000);
        DjlCpuEngine cpu = new DjlCpuEngine();
        for (var c : cases().entrySet()) {
            ModelSpec spec = c.getValue();
            Recorder ref = new Recorder("ref-" + c.getKey());
            new ReferenceEngine().train(spec, train, ref);
            List<Double> distances = new ArrayList<>();
            for (int k = 1; k <= EPOCHS; k++) {
                Checkpoint before = Checkpoint.read(ref.files.get(k - 1)), original = Checkpoint.read(ref.files.get(k));
                Checkpoint[] audit = new Checkpoint[1];
                cpu.train(spec, train, before, k, new TrainingListener() {
                    @Override
                    public void onCheckpoint(Checkpoint checkpoint) {
                        audit[0] = checkpoint;
                    }
                });
                assertEquals(original.step(), audit[0].step());
                distances.add(distance(audit[0], original) / distance(original, before));
            }
            System.out.println("cross-engine audit distance, " + c.getKey() + ", epochs 1.." + EPOCHS + ": " + distances);
            for (double d : distances) assertTrue(d < CROSS_ENGINE_DISTANCE, c.getKey() + ": " + distances);
        }
    }

    /** Euclidean distance between two checkpoints' parameters. */
    static double distance(Checkpoint a, Checkpoint b) {
        double sum = 0;
        for (var e : a.weights().entrySet()) {
            float[] x = e.getValue().data(), y = b.tensor(e.getKey()).data();
            for (int i = 0; i < x.length; i++) sum += (double) (x[i] - y[i]) * (x[i] - y[i]);
        }
        return Math.sqrt(sum);
    }
}
