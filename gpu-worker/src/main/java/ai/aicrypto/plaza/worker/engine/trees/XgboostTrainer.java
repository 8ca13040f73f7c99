package ai.aicrypto.plaza.worker.engine.trees;

import ai.aicrypto.plaza.worker.data.Shard;
import ai.aicrypto.plaza.worker.data.Task;
import ai.aicrypto.plaza.worker.data.TrainingData;
import ai.aicrypto.plaza.worker.engine.EpochMetrics;
import ai.aicrypto.plaza.worker.engine.TrainingCancelledException;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.model.BoostedTreesSpec;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains a {@link BoostedTreesSpec} with XGBoost ({@code hist}), on the CPU or on a CUDA device where this XGBoost build
 * has CUDA ({@link XgboostGpu}): {@code multi:softprob} for three or more
 * classes, {@code binary:logistic} for two, {@code reg:squarederror} for regression. Every tenth row of the shards
 * (from 20 rows on) is kept aside as the worker's own validation split: each round is measured there (log loss and
 * accuracy, or mean squared error) and reported like a dense network's epoch, and the last round's measurement is
 * the claim the plaza checks on its own held-out split, so a tree ensemble that fits its training rows perfectly
 * does not claim an accuracy it cannot hold. Deterministic for a seed on one machine: each round's row sampling is
 * seeded from the seed and the round ({@code seed_per_iteration}), and {@code hist} sums in a fixed order for a
 * given thread count. The model is XGBoost's JSON model, what the plaza evaluates and serves.
 */
public final class XgboostTrainer {

    /** The weights file type of a tree model, as the card records it. */
    public static final String FORMAT = "xgboost-json";
    /** The validation split: every {@value}th row. */
    static final int VALIDATION_EVERY = 10;
    /** Below this many rows there is no validation split: rounds are measured on the training rows. */
    static final int MIN_ROWS_FOR_VALIDATION = 20;

    /** @param modelJson XGBoost's JSON model ({@code Booster.toByteArray("json")}) */
    public record TrainedBooster(BoostedTreesSpec spec, byte[] modelJson, List<EpochMetrics> history) {

        public TrainedBooster {
            history = List.copyOf(history);
        }

        public EpochMetrics finalMetrics() {
            return history.get(history.size() - 1);
        }

        public void export(Path file) throws IOException {
            Files.write(file, modelJson);
        }
    }

    /** {@code cpu}, or {@code cuda:N} */
    private final String device;

    /** On the CPU. */
    public XgboostTrainer() {
        this("cpu");
    }

    /** @param device {@code cpu}, or {@code cuda:N} for CUDA device N (which this XGBoost build must support) */
    public XgboostTrainer(String device) {
        if (!device.equals("cpu") && !device.matches("cuda:\\d{1,2}")) throw new IllegalArgumentException("XGBoost device " + device);
        this.device = device;
    }

    public String description() {
        return "XGBoost " + version() + " (" + (device.equals("cpu") ? "CPU, " + threads() + " threads" : "GPU " + device) + ", hist)";
    }

    private static String version() {
        try (var in = XGBoost.class.getResourceAsStream("/xgboost4j-version.properties")) {
            return in == null ? "?" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip().replaceAll(".*=", "");
        } catch (IOException e) {
            return "?";
        }
    }

    private static int threads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Trains every round of the spec, reporting each to the listener.
     *
     * @throws TrainingCancelledException when the listener asks to cancel (checked before every round)
     */
    public TrainedBooster train(BoostedTreesSpec spec, TrainingData data, TrainingListener listener) throws IOException {
        Split split = Split.of(spec, data);
        List<EpochMetrics> history = new ArrayList<>();
        DMatrix train = null, valid = null;
        Booster booster = null;
        try {
            train = split.train.matrix();
            valid = split.valid == null ? train : split.valid.matrix();
            booster = XGBoost.train(train, parameters(spec, device), 0, new HashMap<>(), null, null);
            for (String metric : metrics(spec)) booster.setParam("eval_metric", metric); // each call adds one
            for (int round = 0; round < spec.rounds(); round++) {
                if (listener.isCancelled()) throw new TrainingCancelledException(round + 1);
                long started = System.nanoTime();
                booster.update(train, round);
                String evaluation = booster.evalSet(new DMatrix[]{valid}, new String[]{"valid"}, round);
                EpochMetrics metrics = metrics(spec, round + 1, evaluation, split.train.rows, (System.nanoTime() - started) / 1e9);
                history.add(metrics);
                listener.onEpoch(metrics);
            }
            return new TrainedBooster(spec, booster.toByteArray("json"), history);
        } catch (XGBoostError e) {
            throw new IOException("XGBoost failed: " + e.getMessage(), e);
        } finally {
            if (booster != null) booster.dispose();
            if (valid != null && valid != train) valid.dispose();
            if (train != null) train.dispose();
        }
    }

    /** XGBoost's parameters for the spec, on the device. */
    static Map<String, Object> parameters(BoostedTreesSpec spec, String device) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("objective", objective(spec));
        if (spec.task() == Task.CLASSIFICATION && spec.outputSize() > 2) p.put("num_class", spec.outputSize());
        p.put("tree_method", "hist");
        p.put("device", device);
        p.put("max_depth", spec.maxDepth());
        p.put("eta", spec.eta());
        p.put("subsample", spec.subsample());
        p.put("min_child_weight", spec.minChildWeight());
        p.put("lambda", spec.lambda());
        p.put("seed", spec.seed());
        p.put("seed_per_iteration", true);
        p.put("nthread", threads());
        p.put("verbosity", 1);
        return p;
    }

    static String objective(BoostedTreesSpec spec) {
        if (spec.task() == Task.REGRESSION) return "reg:squarederror";
        return spec.outputSize() == 2 ? "binary:logistic" : "multi:softprob";
    }

    /** A loss metric first, then the error rate (classification). */
    private static List<String> metrics(BoostedTreesSpec spec) {
        if (spec.task() == Task.REGRESSION) return List.of("rmse");
        return spec.outputSize() == 2 ? List.of("logloss", "error") : List.of("mlogloss", "merror");
    }

    /** Parses {@code [r]\tvalid-mlogloss:0.31\tvalid-merror:0.05}: loss, accuracy = 1 - error, MSE = rmse². */
    static EpochMetrics metrics(BoostedTreesSpec spec, int round, String evaluation, long samples, double seconds) {
        Map<String, Double> values = new HashMap<>();
        for (String part : evaluation.strip().split("\t")) {
            int colon = part.lastIndexOf(':');
            if (part.startsWith("valid-") && colon > 0) values.put(part.substring(6, colon), Double.parseDouble(part.substring(colon + 1)));
        }
        List<String> names = metrics(spec);
        Double loss = values.get(names.get(0));
        if (loss == null) throw new IllegalStateException("XGBoost did not report " + names.get(0) + ": " + evaluation);
        if (spec.task() == Task.REGRESSION) return new EpochMetrics(round, loss * loss, Double.NaN, samples, seconds);
        Double error = values.get(names.get(1));
        if (error == null) throw new IllegalStateException("XGBoost did not report " + names.get(1) + ": " + evaluation);
        return new EpochMetrics(round, loss, 1 - error, samples, seconds);
    }

    /** Rows gathered from the shards into one dense matrix. */
    private record Rows(int rows, int features, float[] x, float[] y) {

        DMatrix matrix() throws XGBoostError {
            DMatrix m = new DMatrix(x, rows, features, Float.NaN);
            m.setLabel(y);
            return m;
        }
    }

    /** The training rows and the validation split (null when the data is too small for one). */
    private record Split(Rows train, Rows valid) {

        static Split of(BoostedTreesSpec spec, TrainingData data) throws IOException {
            if (data.task() != spec.task()) {
                throw new IllegalArgumentException("the card is for " + spec.task().jsonName() + " but the shards hold " + data.task().jsonName() + " labels");
            }
            if (spec.expectedFeatures() > 0 && spec.expectedFeatures() != data.featureCount()) {
                throw new IllegalArgumentException("the card expects " + spec.expectedFeatures() + " features, the shards have " + data.featureCount());
            }
            if (!data.classes().isEmpty() && data.classes().size() != spec.outputSize()) {
                throw new IllegalArgumentException("the card has " + spec.outputSize() + " classes, the shards " + data.classes().size());
            }
            long rows = data.rows();
            int f = data.featureCount();
            if (rows == 0) throw new IllegalArgumentException("the dataset is empty");
            if (rows * f > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("the tree engine holds the data in memory: " + rows + " rows of " + f
                        + " features are too many");
            }
            boolean validation = rows >= MIN_ROWS_FOR_VALIDATION;
            int validRows = validation ? (int) (rows / VALIDATION_EVERY) : 0;
            int trainRows = (int) rows - validRows;
            float[] tx = new float[trainRows * f], ty = new float[trainRows];
            float[] vx = new float[validRows * f], vy = new float[validRows];
            int t = 0, v = 0;
            long index = 0;
            for (int s = 0; s < data.shardCount(); s++) {
                Shard shard = data.shard(s);
                for (int r = 0; r < shard.rows(); r++, index++) {
                    float label = label(spec, shard, r);
                    // rows 9, 19, 29, ...: exactly rows / 10 of them
                    if (validation && index % VALIDATION_EVERY == VALIDATION_EVERY - 1) {
                        System.arraycopy(shard.features(), r * f, vx, v * f, f);
                        vy[v++] = label;
                    } else {
                        System.arraycopy(shard.features(), r * f, tx, t * f, f);
                        ty[t++] = label;
                    }
                }
            }
            return new Split(new Rows(trainRows, f, tx, ty), validation ? new Rows(validRows, f, vx, vy) : null);
        }

        private static float label(BoostedTreesSpec spec, Shard shard, int row) {
            if (spec.task() == Task.REGRESSION) return shard.targets()[row];
            int c = shard.labels()[row];
            if (c < 0 || c >= spec.outputSize()) {
                throw new IllegalArgumentException("label " + c + " out of range for " + spec.outputSize() + " classes");
            }
            return c;
        }
    }
}
