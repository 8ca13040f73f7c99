package ai.aicrypto.plaza.worker.bench;

import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.data.InMemoryData;
import ai.aicrypto.plaza.worker.data.ShardDirectoryData;
import ai.aicrypto.plaza.worker.data.ShardWriter;
import ai.aicrypto.plaza.worker.engine.Evaluator;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.model.ModelSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Text training benchmark (ops/bench/training): the worker's CPU engine, whole job (open shards, train the builder's
 * linear fasttext card, export weights), against {@link PlainDjlBaseline} (the same network as a DJL block, DJL's
 * Adam) on the same shards in the same JVM, interleaved runs, best of each. The data: Debian's package descriptions
 * of eight sections, hashed like the plaza's text columns (words, pairs, character 3- to 5-grams) into 65,536
 * buckets and 512 slots; a fifth of them held out. Prints {@code name value} lines first, then details.
 * <pre>
 *   TextTrainingBench WORK_DIR [epochs=2] [perSection=500] [runs=2]
 * </pre>
 */
public final class TextTrainingBench {

    static final List<String> SECTIONS = List.of("games", "science", "net", "admin", "text", "sound", "graphics", "devel");
    static final int SLOTS = 512, BUCKETS = 1 << 16;

    private TextTrainingBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int perSection = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        List<DebianDescriptions.Package> packages = new ArrayList<>(DebianDescriptions.load(SECTIONS, perSection));
        Collections.shuffle(packages, new Random(7));
        int trainRows = packages.size() * 4 / 5;
        InMemoryData train = DebianDescriptions.encode(packages.subList(0, trainRows), SECTIONS, SLOTS, BUCKETS, true);
        InMemoryData heldOut = DebianDescriptions.encode(packages.subList(trainRows, packages.size()), SECTIONS, SLOTS, BUCKETS, true);
        Path shards = work.resolve("text-shards");
        ShardWriter.write(shards, train.shard(0), 10000, SECTIONS, "csv");
        ModelSpec spec = ModelSpec.parse(DebianDescriptions.card(SECTIONS, SLOTS, BUCKETS, List.of(), epochs));
        DjlCpuEngine engine = new DjlCpuEngine();

        // Warm-up (natives, JIT) of both: one epoch.
        ModelSpec warmSpec = spec.withHyperparameters(spec.hyperparameters().withEpochs(1));
        engine.train(warmSpec, ShardDirectoryData.open(shards), TrainingListener.NONE);
        PlainDjlBaseline.run(warmSpec, shards, work.resolve("plain-out"));

        List<String> details = new ArrayList<>();
        double bestEngine = 0, bestPlain = 0;
        TrainedModel last = null;
        for (int r = 1; r <= runs; r++) {
            long t0 = System.nanoTime();
            ShardDirectoryData data = ShardDirectoryData.open(shards);
            TrainedModel m = engine.train(spec, data, TrainingListener.NONE);
            m.export(work.resolve("text-weights.safetensors"));
            double s = (System.nanoTime() - t0) / 1e9;
            double sps = data.rows() * (double) epochs / s;
            bestEngine = Math.max(bestEngine, sps);
            last = m;
            details.add(String.format(Locale.ROOT, "run %d cpu_engine: %.2f s, %.0f samples/s, epoch losses %s", r, s, sps,
                    m.history().stream().map(e -> String.format(Locale.ROOT, "%.4f", e.loss())).toList()));
            PlainDjlBaseline.Result p = PlainDjlBaseline.run(spec, shards, work.resolve("plain-out"));
            bestPlain = Math.max(bestPlain, p.samplesPerSecond());
            details.add(String.format(Locale.ROOT, "run %d plain_djl: %.2f s, %.0f samples/s", r, p.seconds(), p.samplesPerSecond()));
        }
        System.out.printf(Locale.ROOT, "text_samples_per_s %.0f%n", bestEngine);
        System.out.printf(Locale.ROOT, "text_plain_djl_samples_per_s %.0f%n", bestPlain);
        System.out.printf(Locale.ROOT, "text_samples_per_s_vs_plain_djl %.3f%n", bestEngine / bestPlain);
        Evaluator.Result eval = Evaluator.evaluate(spec, last.weights(), heldOut);
        System.out.printf(Locale.ROOT, "text_heldout_accuracy %.4f%n", eval.accuracy());
        System.out.println("# model: fasttext " + spec.text() + " " + spec.hiddenSizes() + ", " + spec.hyperparameters());
        System.out.println("# data: " + trainRows + " Debian package descriptions of " + SECTIONS.size() + " sections ("
                + (packages.size() - trainRows) + " held out), " + epochs + " epochs, best of " + runs + " interleaved runs; "
                + engine.description() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        details.forEach(d -> System.out.println("# " + d));
    }
}
