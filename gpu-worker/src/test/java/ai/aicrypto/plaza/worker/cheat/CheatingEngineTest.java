package ai.aicrypto.plaza.worker.cheat;

import ai.aicrypto.plaza.worker.TestData;
import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.engine.Checkpoint;
import ai.aicrypto.plaza.worker.engine.EpochMetrics;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.dense.ReferenceEngine;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Each cheat does what the benchmark expects of it (on the reference engine, 3 epochs of 200 images). */
class CheatingEngineTest {

    static ModelSpec spec;
    static TrainingData data;
    /** The honest run. */
    static Run honest;

    record Run(TrainedModel model, List<Checkpoint> checkpoints) {
    }

    @BeforeAll
    static void honestRun() throws IOException {
        ModelSpec mlp = TestData.mlpCard();
        spec = mlp.withHyperparameters(mlp.hyperparameters().withEpochs(3));
        data = TestData.train(200);
        honest = run(CheatingEngine.Kind.HONEST, null, 3);
    }

    static Run run(CheatingEngine.Kind kind, Checkpoint start, int lastEpoch) throws IOException {
        List<Checkpoint> checkpoints = new ArrayList<>();
        TrainedModel m = new CheatingEngine(new ReferenceEngine(), kind, 0.5).train(spec, data, start, lastEpoch, new TrainingListener() {
            @Override
            public void onCheckpoint(Checkpoint c) {
                checkpoints.add(c);
            }
        });
        return new Run(m, checkpoints);
    }

    @Test
    void honestIsTheRealEngine() throws IOException {
        List<Checkpoint> real = new ArrayList<>();
        new ReferenceEngine().train(spec, data, new TrainingListener() {
            @Override
            public void onCheckpoint(Checkpoint c) {
                real.add(c);
            }
        });
        assertEquals(real, honest.checkpoints());
    }

    @Test
    void randomTrainsNothingAndClaimsAnAccuracy() throws IOException {
        Run r = run(CheatingEngine.Kind.RANDOM, null, 3);
        assertEquals(List.of(0, 1, 2, 3), r.checkpoints().stream().map(Checkpoint::epoch).toList());
        assertEquals(honest.checkpoints().get(0), r.checkpoints().get(0), "checkpoint 0 is the true initial state");
        assertEquals(r.checkpoints().get(0).weights(), r.model().weights(), "the model is the initial weights");
        assertNotEquals(r.checkpoints().get(0).weights(), r.checkpoints().get(3).weights());
        assertEquals(3 * 4, r.checkpoints().get(3).step(), "4 batches of 64 per epoch, as if trained");
        assertEquals(CheatingEngine.CLAIMED_ACCURACY, r.model().finalMetrics().accuracy());
    }

    @Test
    void lazyTrainsOneEpochAndInterpolatesThePath() throws IOException {
        Run r = run(CheatingEngine.Kind.LAZY, null, 3);
        assertEquals(List.of(0, 1, 2, 3), r.checkpoints().stream().map(Checkpoint::epoch).toList());
        assertEquals(honest.checkpoints().get(0), r.checkpoints().get(0), "checkpoint 0 is the true initial state");
        assertEquals(honest.checkpoints().get(1).weights(), r.checkpoints().get(3).weights(), "the last is one real epoch");
        assertEquals(r.checkpoints().get(3).weights(), r.model().weights());
        assertNotEquals(honest.checkpoints().get(1).weights(), r.checkpoints().get(1).weights(), "epoch 1 is a third of the way");
        assertEquals(honest.model().history().get(0).loss(), r.model().finalMetrics().loss(), "claims its real epoch");
    }

    @Test
    void lazyFirstTrainsTheFirstEpochOnly() throws IOException {
        Run r = run(CheatingEngine.Kind.LAZY_FIRST, null, 3);
        assertEquals(honest.checkpoints().subList(0, 2), r.checkpoints().subList(0, 2), "checkpoints 0 and 1 are genuine");
        assertEquals(4, r.checkpoints().size());
        assertNotEquals(honest.checkpoints().get(2), r.checkpoints().get(2));
        assertEquals(r.checkpoints().get(3).weights(), r.model().weights());
        EpochMetrics first = honest.model().history().get(0);
        assertEquals(first.loss(), r.model().finalMetrics().loss(), "claims its real epoch 1");
        assertEquals(3, r.model().finalMetrics().epoch());
    }

    @Test
    void sleeperTrainsHonestlyButSlowly() throws IOException {
        long t0 = System.nanoTime();
        Run r = run(CheatingEngine.Kind.SLEEPER, null, 3);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double trained = r.model().history().stream().mapToDouble(EpochMetrics::seconds).sum();
        assertEquals(honest.checkpoints(), r.checkpoints());
        assertTrue(seconds >= 1.5 * trained, seconds + " s for " + trained + " s of training");
    }

    @Test
    void inflatedClaimsBetterMetricsThanItReached() throws IOException {
        Run r = run(CheatingEngine.Kind.INFLATED, null, 3);
        assertEquals(honest.checkpoints(), r.checkpoints());
        assertEquals(honest.model().weights(), r.model().weights());
        assertEquals(honest.model().finalMetrics().loss() / 2, r.model().finalMetrics().loss());
        assertEquals(Math.min(1, honest.model().finalMetrics().accuracy() + 0.2), r.model().finalMetrics().accuracy());
    }

    @Test
    void echoAuditorReturnsTheStartAsTheAuditedEpoch() throws IOException {
        assertEquals(honest.checkpoints(), run(CheatingEngine.Kind.ECHO_AUDITOR, null, 3).checkpoints(), "honest on ordinary jobs");
        Checkpoint start = honest.checkpoints().get(1);
        Run audit = run(CheatingEngine.Kind.ECHO_AUDITOR, start, 2);
        assertEquals(1, audit.checkpoints().size());
        Checkpoint echoed = audit.checkpoints().get(0);
        assertEquals(2, echoed.epoch());
        assertEquals(start.tensors(), echoed.tensors());
        assertEquals(honest.checkpoints().get(2).step(), echoed.step());
        assertEquals(List.of(honest.checkpoints().get(2)), run(CheatingEngine.Kind.LAZY, start, 2).checkpoints(), "other cheats audit honestly");
    }

    @Test
    void kindsAreNamedAsOnTheCommandLine() {
        assertEquals(CheatingEngine.Kind.ECHO_AUDITOR, CheatingEngine.Kind.parse("echo-auditor"));
        assertEquals(CheatingEngine.Kind.RANDOM, CheatingEngine.Kind.parse("random"));
        assertThrows(IllegalArgumentException.class, () -> CheatingEngine.Kind.parse("creative"));
    }
}
