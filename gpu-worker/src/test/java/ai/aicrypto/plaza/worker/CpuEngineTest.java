package ai.aicrypto.plaza.worker;

import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.data.Safetensors;
import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.engine.EpochMetrics;
import ai.aicrypto.plaza.worker.engine.Evaluator;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingCancelledException;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.dense.ReferenceEngine;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.aicrypto.plaza.worker.model.OptimizerKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** The DJL/PyTorch CPU engine on 2,000 Fashion-MNIST training images, evaluated on 500 held-out images. */
class CpuEngineTest {

    /** Held-out accuracy the CPU engine must beat (chance is 0.10). */
    static final double SOFTMAX_MIN_ACCURACY = 0.65;
    static final double MLP_MIN_ACCURACY = 0.70;
    /** CPU engine vs reference engine: per-epoch mean loss may differ by this (relative) float-rounding margin. */
    static final double ENGINE_LOSS_TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    private final DjlCpuEngine cpu = new DjlCpuEngine();

    private static List<Double> losses(TrainedModel m) {
        return m.history().stream().map(EpochMetrics::loss).toList();
    }

    @Test
    void softmaxRegressionLearnsFashionMnist() throws Exception {
        ModelSpec spec = TestData.softmaxFashion();
        spec = spec.withHyperparameters(spec.hyperparameters().withEpochs(3).withOptimizer(OptimizerKind.SGD, 0.1).withMomentum(0.5));
        List<EpochMetrics> seen = new ArrayList<>();
        TrainedModel m = cpu.train(spec, TestData.train(2000), new TrainingListener() {
            @Override
            public void onEpoch(EpochMetrics metrics) {
                seen.add(metrics);
            }
        });
        assertEquals(m.history(), seen, "the listener sees every epoch");
        assertEquals(3, seen.size());
        assertEquals(2000, seen.get(0).samples());
        assertTrue(seen.get(0).samplesPerSecond() > 0);
        List<Double> l = losses(m);
        assertTrue(l.get(2) < l.get(1) && l.get(1) < l.get(0), "loss decreases: " + l);
        Evaluator.Result r = Evaluator.evaluate(spec, m.weights(), TestData.heldOut());
        System.out.println("softmax regression (cpu): " + l + ", held-out " + r);
        assertEquals(500, r.samples());
        assertTrue(r.accuracy() > SOFTMAX_MIN_ACCURACY, "held-out accuracy " + r.accuracy());
        assertArrayEquals(new long[]{10, 784}, m.weights().get("layers.0.weight").shape());
    }

    @Test
    void trainsTheSameOnAThreadOtherThanTheOneThatLoadedTheEngine() throws Exception {
        DjlCpuEngine.pytorch(); // loaded here, as the worker loads it before its slot threads start
        ModelSpec spec = TestData.mlpCard();
        spec = spec.withHyperparameters(spec.hyperparameters().withEpochs(1).withOptimizer(OptimizerKind.SGD, 0.05));
        ModelSpec sgd = spec;
        TrainingData train = TestData.train(500);
        TrainedModel here = cpu.train(sgd, train, TrainingListener.NONE);
        var elsewhere = new java.util.concurrent.FutureTask<>(() -> cpu.train(sgd, train, TrainingListener.NONE));
        Thread slot = new Thread(elsewhere, "slot-1");
        slot.start();
        assertEquals(here.weights(), elsewhere.get().weights(), "same seed, same weights on another thread");
    }

    @Test
    void mlpLearnsFashionMnistAndIsReproducible() throws Exception {
        ModelSpec spec = TestData.mlpCard();
        spec = spec.withHyperparameters(spec.hyperparameters().withEpochs(3));
        TrainingData train = TestData.train(2000);
        TrainedModel a = cpu.train(spec, train, TrainingListener.NONE);
        TrainedModel b = cpu.train(spec, train, TrainingListener.NONE);
        TrainedModel c = cpu.train(spec.withHyperparameters(spec.hyperparameters().withSeed(43)), train, TrainingListener.NONE);
        List<Double> la = losses(a);
        System.out.println("mlp (cpu) seed 42: " + la + ", seed 43: " + losses(c));
        assertTrue(la.get(2) < la.get(1) && la.get(1) < la.get(0), "loss decreases: " + la);
        assertEquals(la, losses(b), "same seed, identical loss curve");
        assertEquals(a.weights(), b.weights(), "same seed, identical weights");
        assertNotEquals(la.get(0), losses(c).get(0), "different seed, different curve");
        assertNotEquals(la, losses(c));

        Path out = dir.resolve("weights.safetensors");
        a.export(out);
        assertEquals(a.weights(), Safetensors.readAllF32(out));
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias"),
                new ArrayList<>(Safetensors.readAllF32(out).keySet()));
        Evaluator.Result r = Evaluator.evaluate(spec, out, TestData.heldOut());
        System.out.println("mlp held-out: " + r);
        assertTrue(r.accuracy() > MLP_MIN_ACCURACY, "held-out accuracy " + r.accuracy());
        assertTrue(r.loss() < 1.0, "held-out loss " + r.loss());
    }

    @Test
    void cpuEngineMatchesTheReferenceEngineWithDropoutAndWeightDecay() throws Exception {
        // Same algorithm through PyTorch autograd and through the hand-written kernels the GPU engine uses.
        for (OptimizerKind opt : OptimizerKind.values()) {
            ModelSpec spec = TestData.mlp(List.of(48, 24), "gelu", 0.2);
            spec = spec.withHyperparameters(spec.hyperparameters().withEpochs(2).withWeightDecay(0.001).withMomentum(0.9)
                    .withOptimizer(opt, opt == OptimizerKind.ADAM ? 0.001 : 0.05));
            TrainingData train = TestData.train(1000);
            TrainedModel djl = cpu.train(spec, train, TrainingListener.NONE);
            TrainedModel ref = new ReferenceEngine().train(spec, train, TrainingListener.NONE);
            System.out.println(opt + ": cpu " + losses(djl) + " reference " + losses(ref));
            for (int e = 0; e < 2; e++) {
                double x = djl.history().get(e).loss(), y = ref.history().get(e).loss();
                assertEquals(x, y, ENGINE_LOSS_TOLERANCE * Math.abs(y), opt + " epoch " + (e + 1) + " loss");
                assertEquals(djl.history().get(e).accuracy(), ref.history().get(e).accuracy(), 0.01, opt + " epoch " + (e + 1) + " accuracy");
            }
            float[] wd = djl.weights().get("layers.2.weight").data(), wr = ref.weights().get("layers.2.weight").data();
            double maxDiff = 0;
            for (int i = 0; i < wd.length; i++) maxDiff = Math.max(maxDiff, Math.abs(wd[i] - wr[i]));
            assertTrue(maxDiff < 1e-3, opt + ": output weights differ by " + maxDiff);
        }
    }

    @Test
    void trainingCanBeCancelled() throws Exception {
        ModelSpec spec = TestData.softmaxFashion();
        AtomicInteger polls = new AtomicInteger();
        TrainingCancelledException e = assertThrows(TrainingCancelledException.class, () -> cpu.train(spec, TestData.train(500),
                new TrainingListener() {
                    @Override
                    public boolean isCancelled() {
                        return polls.incrementAndGet() > 5;
                    }
                }));
        assertTrue(e.getMessage().contains("epoch 1"));
        assertEquals(6, polls.get());
    }

    @Test
    void rejectsDataThatDoesNotFitTheCard() throws Exception {
        ModelSpec iris = TestData.softmaxCard(); // 4 columns, 3 classes
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cpu.train(iris, TestData.train(10), TrainingListener.NONE));
        assertTrue(e.getMessage().contains("784"), e.getMessage());
    }
}
