package ai.aicrypto.plaza.worker.cheat;

import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.data.Task;
import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.engine.Checkpoint;
import ai.aicrypto.plaza.worker.engine.EpochMetrics;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingCancelledException;
import ai.aicrypto.plaza.worker.engine.TrainingEngine;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.model.ModelSpec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A dishonest provider, for the benchmark of the plaza's verification: wraps a real engine and cheats in one of the
 * ways of {@link Kind}. The real worker loop runs it unchanged, so the plaza sees exactly what such a provider would
 * send. The cheats of ordinary jobs leave audits honest, and the echo auditor's cheat is on audits only (an audit is
 * the one call that starts from a checkpoint).
 */
public final class CheatingEngine implements TrainingEngine {

    public enum Kind {
        /** The real engine, unchanged: the baseline. */
        HONEST,
        /** No training: the initial weights, checkpoints that are the initial state plus noise, a made-up accuracy. */
        RANDOM,
        /**
         * Trains one epoch, from the initial state, and fabricates the path to it: checkpoint k is the initial
         * state moved k/E of the way to the trained one (moments of the trained one). Its model is really
         * trained (for 1 of E epochs) and passes the held-out check; every epoch's transition is fake.
         */
        LAZY,
        /** Trains epoch 1 only; fabricates the later checkpoints as the one before plus noise; claims epoch 1's metrics. */
        LAZY_FIRST,
        /** Honest training, then sleeps the sleep factor times each epoch's duration (to stretch wall-clock billing). */
        SLEEPER,
        /** Honest training, but claims half its final loss and 0.2 more accuracy (at most 1). */
        INFLATED,
        /** Honest on ordinary jobs; on an audit it trains nothing and returns the start checkpoint relabelled as epoch k. */
        ECHO_AUDITOR;

        /** {@code honest}, {@code random}, ..., {@code echo-auditor}. */
        public static Kind parse(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /** What a made-up result claims: about what the fashion MLP honestly reaches. */
    static final double CLAIMED_ACCURACY = 0.80;
    static final double CLAIMED_LOSS = 0.5;
    /** Standard deviation of the noise added to fabricated parameters. */
    static final double NOISE = 1e-3;

    private final TrainingEngine honest;
    private final Kind kind;
    private final double sleepFactor;

    public CheatingEngine(TrainingEngine honest, Kind kind, double sleepFactor) {
        this.honest = honest;
        this.kind = kind;
        this.sleepFactor = sleepFactor;
    }

    @Override
    public String id() {
        return honest.id();
    }

    @Override
    public String description() {
        return honest.description() + ", cheating: " + kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Override
    public TrainedModel train(ModelSpec spec, TrainingData data, Checkpoint start, int lastEpoch, TrainingListener listener)
            throws IOException {
        if (start != null) {
            return kind == Kind.ECHO_AUDITOR ? echo(spec, data, start, lastEpoch, listener) : honest.train(spec, data, start, lastEpoch, listener);
        }
        return switch (kind) {
            case HONEST, ECHO_AUDITOR -> honest.train(spec, data, null, lastEpoch, listener);
            case RANDOM -> random(spec, data, lastEpoch, listener);
            case LAZY -> interpolated(spec, data, lastEpoch, listener);
            case LAZY_FIRST -> lazy(spec, data, lastEpoch, listener);
            case SLEEPER -> honest.train(spec, data, null, lastEpoch, new Relay(listener) {
                @Override
                public void onEpoch(EpochMetrics m) {
                    super.onEpoch(m);
                    sleep(m.seconds() * sleepFactor);
                }
            });
            case INFLATED -> inflate(honest.train(spec, data, null, lastEpoch, listener));
        };
    }

    private TrainedModel random(ModelSpec spec, TrainingData data, int lastEpoch, TrainingListener listener) throws IOException {
        Checkpoint initial = Checkpoint.initial(spec, data.featureCount());
        listener.onCheckpoint(initial);
        SplittableRandom rng = new SplittableRandom(spec.hyperparameters().seed());
        List<EpochMetrics> history = new ArrayList<>();
        for (int epoch = 1; epoch <= lastEpoch; epoch++) {
            if (listener.isCancelled()) throw new TrainingCancelledException(epoch);
            EpochMetrics m = made(spec, data, epoch, CLAIMED_LOSS, CLAIMED_ACCURACY);
            history.add(m);
            listener.onEpoch(m);
            listener.onCheckpoint(noisy(initial, epoch, epoch * batches(spec, data), rng));
        }
        return new TrainedModel(spec, data.featureCount(), initial.weights(), history, id());
    }

    private TrainedModel lazy(ModelSpec spec, TrainingData data, int lastEpoch, TrainingListener listener) throws IOException {
        Checkpoint[] last = new Checkpoint[1];
        TrainedModel first = honest.train(spec, data, null, 1, new Relay(listener) {
            @Override
            public void onCheckpoint(Checkpoint c) throws IOException {
                last[0] = c;
                super.onCheckpoint(c);
            }
        });
        EpochMetrics real = first.finalMetrics();
        SplittableRandom rng = new SplittableRandom(spec.hyperparameters().seed());
        List<EpochMetrics> history = new ArrayList<>(first.history());
        for (int epoch = 2; epoch <= lastEpoch; epoch++) {
            if (listener.isCancelled()) throw new TrainingCancelledException(epoch);
            EpochMetrics m = made(spec, data, epoch, real.loss(), real.accuracy());
            history.add(m);
            listener.onEpoch(m);
            last[0] = noisy(last[0], epoch, last[0].step() + batches(spec, data), rng);
            listener.onCheckpoint(last[0]);
        }
        return new TrainedModel(spec, data.featureCount(), last[0].weights(), history, id());
    }

    private TrainedModel interpolated(ModelSpec spec, TrainingData data, int lastEpoch, TrainingListener listener)
            throws IOException {
        Checkpoint[] trained = new Checkpoint[1];
        TrainedModel one = honest.train(spec, data, null, 1, new TrainingListener() {
            @Override
            public void onCheckpoint(Checkpoint c) {
                trained[0] = c; // kept to itself: the plaza hears of the fabricated path only
            }

            @Override
            public boolean isCancelled() {
                return listener.isCancelled();
            }
        });
        Checkpoint initial = Checkpoint.initial(spec, data.featureCount());
        listener.onCheckpoint(initial);
        EpochMetrics real = one.finalMetrics();
        List<EpochMetrics> history = new ArrayList<>();
        for (int epoch = 1; epoch <= lastEpoch; epoch++) {
            EpochMetrics m = made(spec, data, epoch, real.loss(), real.accuracy());
            history.add(m);
            listener.onEpoch(m);
            float share = (float) epoch / lastEpoch;
            Map<String, FloatTensor> tensors = new LinkedHashMap<>(trained[0].tensors());
            initial.weights().forEach((name, start) -> {
                float[] from = start.data(), to = trained[0].tensor(name).data(), x = new float[from.length];
                for (int i = 0; i < x.length; i++) x[i] = from[i] + share * (to[i] - from[i]);
                tensors.put(name, share == 1 ? trained[0].tensor(name) : new FloatTensor(start.shape(), x));
            });
            listener.onCheckpoint(new Checkpoint(epoch, epoch * batches(spec, data), tensors));
        }
        return new TrainedModel(spec, data.featureCount(), trained[0].weights(), history, id());
    }

    private static TrainedModel inflate(TrainedModel m) {
        List<EpochMetrics> history = new ArrayList<>(m.history());
        EpochMetrics last = history.remove(history.size() - 1);
        history.add(new EpochMetrics(last.epoch(), last.loss() / 2, Math.min(1, last.accuracy() + 0.2), last.samples(), last.seconds()));
        return new TrainedModel(m.spec(), m.inputSize(), m.weights(), history, m.engine());
    }

    /** The lazy auditor: the start checkpoint, relabelled (epoch and step) as the one the audit asks for. */
    private TrainedModel echo(ModelSpec spec, TrainingData data, Checkpoint start, int lastEpoch, TrainingListener listener)
            throws IOException {
        EpochMetrics m = made(spec, data, lastEpoch, CLAIMED_LOSS, CLAIMED_ACCURACY);
        listener.onEpoch(m);
        listener.onCheckpoint(new Checkpoint(lastEpoch, start.step() + (lastEpoch - start.epoch()) * batches(spec, data), start.tensors()));
        return new TrainedModel(spec, data.featureCount(), start.weights(), List.of(m), id());
    }

    /** The metrics of an epoch that was not trained; accuracy is NaN for regression, as an engine reports it. */
    private static EpochMetrics made(ModelSpec spec, TrainingData data, int epoch, double loss, double accuracy) {
        return new EpochMetrics(epoch, loss, spec.task() == Task.CLASSIFICATION ? accuracy : Double.NaN, data.rows(), 0.01);
    }

    /** {@code base}'s parameters plus Gaussian noise, its moments as they are, labelled as another epoch. */
    private static Checkpoint noisy(Checkpoint base, int epoch, long step, SplittableRandom rng) {
        Map<String, FloatTensor> weights = base.weights();
        Map<String, FloatTensor> out = new LinkedHashMap<>(base.tensors());
        weights.forEach((name, t) -> {
            float[] x = t.data().clone();
            for (int i = 0; i < x.length; i++) x[i] += (float) (rng.nextGaussian() * NOISE);
            out.put(name, new FloatTensor(t.shape(), x));
        });
        return new Checkpoint(epoch, step, out);
    }

    /** Optimizer steps in an epoch, as the engines count them. */
    private static long batches(ModelSpec spec, TrainingData data) {
        long batch = Math.min(spec.hyperparameters().batchSize(), data.rows());
        return (data.rows() + batch - 1) / batch;
    }

    private static void sleep(double seconds) {
        try {
            Thread.sleep((long) (seconds * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Passes every callback on; the cheats override the ones they tamper with. */
    private static class Relay implements TrainingListener {
        private final TrainingListener target;

        Relay(TrainingListener target) {
            this.target = target;
        }

        @Override
        public void onEpoch(EpochMetrics m) {
            target.onEpoch(m);
        }

        @Override
        public void onCheckpoint(Checkpoint c) throws IOException {
            target.onCheckpoint(c);
        }

        @Override
        public boolean isCancelled() {
            return target.isCancelled();
        }
    }
}
