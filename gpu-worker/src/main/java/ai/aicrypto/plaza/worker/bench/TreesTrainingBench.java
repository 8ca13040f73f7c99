package ai.aicrypto.plaza.worker.bench;

import ai.aicrypto.plaza.worker.data.Shard;
import ai.aicrypto.plaza.worker.data.ShardDirectoryData;
import ai.aicrypto.plaza.worker.data.ShardWriter;
import ai.aicrypto.plaza.worker.data.Task;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.engine.trees.XgboostTrainer;
import ai.aicrypto.plaza.worker.model.BoostedTreesSpec;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * ops/bench/training, trees: the worker's whole tree job (open the safetensors shards, gather their rows, train every
 * round with its measurement on the tenth it keeps aside, export XGBoost's JSON model) against xgboost4j called
 * directly on the rows that job trains on, with the same settings and rounds (a matrix from the arrays, train, the
 * JSON model), in the same JVM, interleaved, best of RUNS. The table: Debian's python3-sklearn digits (1,797 8x8
 * images as 64 pixel columns, 10 classes), with the builder's settings for a table of that size (depth 6, 300 rounds,
 * eta 0.1, subsample 0.8). Prints trees_job_vs_plain_xgboost (target >= 0.9) and the times, then details.
 */
public final class TreesTrainingBench {

    private static final Path DIGITS = Path.of("/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz");

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        Shard digits = digits();
        List<String> classes = new ArrayList<>();
        for (int d = 0; d < 10; d++) classes.add(String.valueOf(d));
        Path shards = work.resolve("digits-shards");
        if (!Files.exists(shards.resolve("shard-00000.safetensors"))) ShardWriter.write(shards, digits, 1000, classes, "csv");
        BoostedTreesSpec spec = new BoostedTreesSpec("digits", Task.CLASSIFICATION, classes, 64, 300, 6, 0.1, 0.8, 1, 1, 42);
        Shard trained = workerRows(digits);

        job(spec, shards, work); // warm-up of both: natives, JIT
        plain(spec, trained);
        double bestJob = Double.MAX_VALUE, bestPlain = Double.MAX_VALUE;
        StringBuilder details = new StringBuilder();
        for (int run = 1; run <= runs; run++) {
            double job = job(spec, shards, work), plain = plain(spec, trained);
            bestJob = Math.min(bestJob, job);
            bestPlain = Math.min(bestPlain, plain);
            details.append(String.format(Locale.ROOT, "# run %d: worker job %.3f s, plain xgboost4j %.3f s%n", run, job, plain));
        }
        System.out.printf(Locale.ROOT, "trees_job_vs_plain_xgboost %.3f%n", bestPlain / bestJob);
        System.out.printf(Locale.ROOT, "trees_job_seconds %.3f%n", bestJob);
        System.out.printf(Locale.ROOT, "trees_plain_xgboost_seconds %.3f%n", bestPlain);
        System.out.printf(Locale.ROOT, "%n# data: digits, %d rows of 64 pixel columns, 10 classes; the job trains on %d of them and "
                        + "measures each round on the other %d; %d rounds of depth %d; %s; best of %d interleaved runs%n",
                digits.rows(), trained.rows(), digits.rows() - trained.rows(), spec.rounds(), spec.maxDepth(),
                new XgboostTrainer().description(), runs);
        System.out.print(details);
    }

    /** The worker's job from its shards to its exported model, in seconds. */
    private static double job(BoostedTreesSpec spec, Path shards, Path work) throws IOException {
        long started = System.nanoTime();
        new XgboostTrainer().train(spec, ShardDirectoryData.open(shards), TrainingListener.NONE).export(work.resolve("digits-trees.json"));
        return (System.nanoTime() - started) / 1e9;
    }

    /** xgboost4j on the same rows and settings, from arrays to the JSON model, in seconds. */
    private static double plain(BoostedTreesSpec spec, Shard rows) throws Exception {
        long started = System.nanoTime();
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("objective", "multi:softprob");
        parameters.put("num_class", spec.outputSize());
        parameters.put("tree_method", "hist");
        parameters.put("max_depth", spec.maxDepth());
        parameters.put("eta", spec.eta());
        parameters.put("subsample", spec.subsample());
        parameters.put("min_child_weight", spec.minChildWeight());
        parameters.put("lambda", spec.lambda());
        parameters.put("seed", spec.seed());
        parameters.put("nthread", Runtime.getRuntime().availableProcessors());
        DMatrix matrix = new DMatrix(rows.features(), rows.rows(), rows.featureCount(), Float.NaN);
        float[] labels = new float[rows.rows()];
        for (int r = 0; r < labels.length; r++) labels[r] = rows.labels()[r];
        matrix.setLabel(labels);
        Booster booster = XGBoost.train(matrix, parameters, spec.rounds(), new HashMap<>(), null, null);
        booster.toByteArray("json");
        booster.dispose();
        matrix.dispose();
        return (System.nanoTime() - started) / 1e9;
    }

    /** The rows the worker trains on: it keeps rows 9, 19, 29, ... aside to measure each round on. */
    private static Shard workerRows(Shard all) {
        int f = all.featureCount(), kept = 0;
        float[] x = new float[all.rows() * f];
        int[] y = new int[all.rows()];
        for (int r = 0; r < all.rows(); r++) {
            if (r % 10 == 9) continue;
            System.arraycopy(all.features(), r * f, x, kept * f, f);
            y[kept++] = all.labels()[r];
        }
        return new Shard(kept, f, java.util.Arrays.copyOf(x, kept * f), java.util.Arrays.copyOf(y, kept), null);
    }

    private static Shard digits() throws IOException {
        List<String> lines;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(DIGITS))) {
            lines = new String(in.readAllBytes(), StandardCharsets.US_ASCII).lines().filter(l -> !l.isBlank()).toList();
        }
        float[] x = new float[lines.size() * 64];
        int[] y = new int[lines.size()];
        for (int r = 0; r < lines.size(); r++) {
            String[] values = lines.get(r).strip().split(",");
            if (values.length != 65) throw new IOException("digits row " + r + " has " + values.length + " values, not 65");
            for (int c = 0; c < 64; c++) x[r * 64 + c] = Float.parseFloat(values[c]);
            y[r] = Integer.parseInt(values[64]);
        }
        return new Shard(lines.size(), 64, x, y, null);
    }
}
