package ai.aicrypto.plaza.worker;

import ai.aicrypto.plaza.worker.bench.DebianDescriptions;
import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.data.InMemoryData;
import ai.aicrypto.plaza.worker.data.Safetensors;
import ai.aicrypto.plaza.worker.engine.Checkpoint;
import ai.aicrypto.plaza.worker.engine.Evaluator;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.dense.JavaBackend;
import ai.aicrypto.plaza.worker.engine.dense.ReferenceEngine;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.aicrypto.plaza.worker.model.TextSpec;
import ai.aicrypto.plaza.worker.serving.ForwardPass;
import ai.aicrypto.plaza.worker.serving.ForwardPasses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CPU engine trains fasttext cards on real text: Debian's package descriptions of five sections (400 each, from the
 * apt lists on the machine), 1,600 to train and 400 held out. The ids here are hashed words and word pairs (the plaza's
 * full n-gram hashing is tested on its side); one numeric feature (the description's length) comes before them.
 */
class TextEngineTest {

    static final List<String> SECTIONS = List.of("games", "science", "net", "admin", "text");
    static final int SLOTS = 160, BUCKETS = 1 << 16;
    /** Held-out accuracy after 3 epochs; chance is 0.20. */
    static final double TEXT_MIN_ACCURACY = 0.70;

    static InMemoryData train, heldOut;

    @TempDir
    Path dir;

    private final DjlCpuEngine cpu = new DjlCpuEngine();

    @BeforeAll
    static void corpus() throws Exception {
        List<DebianDescriptions.Package> packages = new ArrayList<>(DebianDescriptions.load(SECTIONS, 400));
        Collections.shuffle(packages, new Random(7));
        train = encode(packages.subList(0, 1600));
        heldOut = encode(packages.subList(1600, 2000));
    }

    static InMemoryData encode(List<DebianDescriptions.Package> packages) {
        return DebianDescriptions.encode(packages, SECTIONS, SLOTS, BUCKETS, false);
    }

    static String card(List<Integer> hidden, int epochs) {
        return DebianDescriptions.card(SECTIONS, SLOTS, BUCKETS, hidden, epochs);
    }

    @Test
    void aLinearAndAHiddenLayerFasttextLearnDebianSectionsFromDescriptions() throws Exception {
        for (List<Integer> hidden : List.of(List.<Integer>of(), List.of(64))) {
            ModelSpec spec = ModelSpec.parse(card(hidden, 3));
            List<Checkpoint> checkpoints = new ArrayList<>();
            TrainedModel m = cpu.train(spec, train, new TrainingListener() {
                @Override
                public void onCheckpoint(Checkpoint c) {
                    checkpoints.add(c);
                }
            });
            Evaluator.Result r = Evaluator.evaluate(spec, m.weights(), heldOut);
            System.out.println("fasttext " + hidden + " (cpu): " + m.history() + ", held-out " + r);
            assertEquals(400, r.samples());
            assertTrue(r.accuracy() > TEXT_MIN_ACCURACY, "held-out accuracy " + r.accuracy());
            assertEquals(4, checkpoints.size(), "checkpoint 0 and one per epoch");
            assertArrayEquals(new long[]{BUCKETS, 32}, m.weights().get(TextSpec.EMBEDDING).shape());
            assertArrayEquals(new long[]{hidden.isEmpty() ? 5 : 64, 32 + 1}, m.weights().get("layers.0.weight").shape());
            assertEquals(m.weights(), checkpoints.get(3).weights(), "the last checkpoint holds the weights");
            assertTrue(checkpoints.get(3).tensors().containsKey("optimizer.v." + TextSpec.EMBEDDING));
        }
    }

    @Test
    void anEpochTrainedAgainFromItsCheckpointGivesTheSameState() throws Exception {
        ModelSpec spec = ModelSpec.parse(card(List.of(16), 2));
        InMemoryData some = InMemoryData.of(train.shard(0).slice(0, 300), SECTIONS);
        List<Checkpoint> run = new ArrayList<>();
        cpu.train(spec, some, new TrainingListener() {
            @Override
            public void onCheckpoint(Checkpoint c) {
                run.add(c);
            }
        });
        Path file = dir.resolve("checkpoint-1.safetensors");
        run.get(1).write(file);
        Checkpoint start = Checkpoint.read(file);
        assertEquals(run.get(1).tensors().keySet().stream().toList(), start.tensors().keySet().stream().toList());
        assertEquals(TextSpec.EMBEDDING, start.tensors().keySet().iterator().next(), "the embedding comes first");
        List<Checkpoint> again = new ArrayList<>();
        cpu.train(spec, some, start, 2, new TrainingListener() {
            @Override
            public void onCheckpoint(Checkpoint c) {
                again.add(c);
            }
        });
        for (Map.Entry<String, FloatTensor> t : run.get(2).tensors().entrySet()) {
            assertArrayEquals(t.getValue().data(), again.get(0).tensor(t.getKey()).data(), 1e-5f, t.getKey());
        }
    }

    @Test
    void theDenseEnginesLeaveTextToTheCpuEngineAndServingAnswersAsTheEvaluatorComputes() throws Exception {
        String cardJson = card(List.of(16), 1);
        ModelSpec spec = ModelSpec.parse(cardJson);
        ReferenceEngine reference = new ReferenceEngine();
        assertFalse(reference.trains(spec), "the plain-Java (and JCuda) dense engines have no embedding kernels");
        assertTrue(cpu.trains(spec));
        var e = assertThrows(UnsupportedOperationException.class, () -> reference.train(spec, train, TrainingListener.NONE));
        assertTrue(e.getMessage().contains("CPU engine"), e.getMessage());

        Map<String, FloatTensor> weights = Checkpoint.initial(spec, 1 + SLOTS).weights();
        Path file = dir.resolve("w.safetensors");
        Safetensors.writeF32(file, weights, Map.of());
        int rows = 3, width = 1 + SLOTS;
        float[] x = java.util.Arrays.copyOf(heldOut.shard(0).features(), rows * width);
        ForwardPass served = new ForwardPasses(JavaBackend::new, 64).load(cardJson, Files.readAllBytes(file), width);
        assertEquals(5, served.outputWidth());
        float[] batch = served.predict(x, rows);
        float[] empty = served.predict(new float[width], 1); // no word at all: the mean of nothing is zeros
        for (int r = 0; r < rows; r++) {
            float[] alone = served.predict(java.util.Arrays.copyOfRange(x, r * width, (r + 1) * width), 1);
            for (int c = 0; c < 5; c++) assertEquals(alone[c], batch[r * 5 + c], 1e-5f);
        }
        for (float v : empty) assertTrue(Float.isFinite(v));
        served.close();
    }
}
