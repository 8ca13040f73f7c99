package ai.aicrypto.plaza.competition.scoring;

import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Benchmark for {@code ops/bench/scoring}: writes a deterministic solution and submission of ROWS rows into DIR,
 * then, after warm-up, takes the median of RUNS runs of (a) parsing the submission with commons-csv into arrays and
 * (b) validating and scoring it with {@link Scorer}, interleaved, each after a full collection. Prints {@code name value} lines, the headline
 * metric (HEADLINE) first, then the other metrics.
 *
 * <p>Usage: {@code ScoringBench DIR ROWS RUNS HEADLINE}
 */
public final class ScoringBench {

    private ScoringBench() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int rows = Integer.parseInt(args[1]);
        int runs = Integer.parseInt(args[2]);
        Metric headline = Metric.valueOf(args[3]);
        List<Metric> order = new ArrayList<>(List.of(headline));
        Arrays.stream(Metric.values()).filter(m -> m != headline).forEach(order::add);
        List<String> details = new ArrayList<>();
        for (int variant = 0; variant <= order.size(); variant++) {
            // The headline metric again at the end, with the submission's rows in a shuffled order.
            boolean shuffled = variant == order.size();
            Metric metric = shuffled ? headline : order.get(variant);
            Path solutionFile = dir.resolve(metric + "-solution.csv");
            Path submissionFile = dir.resolve(metric + (shuffled ? "-shuffled" : "") + "-submission.csv");
            generate(metric, rows, solutionFile, submissionFile);
            if (shuffled) {
                shuffle(submissionFile);
            }
            Solution solution;
            try (InputStream in = Files.newInputStream(solutionFile)) {
                solution = Solution.read(in, metric, 20240601L);
            }
            double[] parse = new double[runs];
            double[] score = new double[runs];
            double sink = 0;
            int warmups = 3;
            for (int i = -warmups; i < runs; i++) {
                // Each side starts on a collected heap, so neither pays for the other's garbage.
                System.gc();
                long t0 = System.nanoTime();
                sink += parseOnly(submissionFile, metric);
                long t1 = System.nanoTime();
                System.gc();
                long t2 = System.nanoTime();
                Scores scores;
                try (InputStream in = Files.newInputStream(submissionFile)) {
                    scores = Scorer.score(solution, in);
                }
                long t3 = System.nanoTime();
                sink += scores.publicScore();
                if (i >= 0) {
                    parse[i] = (t1 - t0) / 1e9;
                    score[i] = (t3 - t2) / 1e9;
                }
            }
            double p = median(parse);
            double s = median(score);
            String name = metric.name().toLowerCase(Locale.ROOT) + (shuffled ? "_shuffled" : "");
            if (variant == 0) {
                System.out.printf(Locale.ROOT, "scoring_seconds %.4f%nparse_seconds %.4f%nscoring_vs_parse %.3f%n",
                        s, p, s / p);
            }
            details.add(String.format(Locale.ROOT, "%s_scoring_seconds %.4f%n%s_parse_seconds %.4f%n"
                    + "%s_scoring_vs_parse %.3f%n", name, s, name, p, name, s / p));
            details.add(String.format(Locale.ROOT, "# %s: %,d rows, %,d bytes, checksum %.6f%n", name, rows,
                    Files.size(submissionFile), sink));
        }
        System.out.printf(Locale.ROOT, "rows %d%nruns %d%nheadline_metric %s%n", rows, runs, headline);
        details.forEach(System.out::print);
    }

    /** The baseline: commons-csv over a plain UTF-8 reader, ids into a String[], predictions into a double[]. */
    static double parseOnly(Path file, Metric metric) throws IOException {
        String[] ids = new String[1024];
        double[] values = metric.labelPredictions() ? null : new double[1024];
        String[] labels = metric.labelPredictions() ? new String[1024] : null;
        int n = 0;
        try (Reader reader = new InputStreamReader(new BufferedInputStream(Files.newInputStream(file), 1 << 16),
                StandardCharsets.UTF_8);
                CSVParser parser = CSVParser.builder().setReader(reader).setFormat(CSVFormat.RFC4180).get()) {
            boolean header = true;
            for (CSVRecord record : parser) {
                if (header) {
                    header = false;
                    continue;
                }
                if (n == ids.length) {
                    ids = Arrays.copyOf(ids, n * 2);
                    if (values != null) {
                        values = Arrays.copyOf(values, n * 2);
                    } else {
                        labels = Arrays.copyOf(labels, n * 2);
                    }
                }
                ids[n] = record.get(0);
                if (values != null) {
                    values[n] = Double.parseDouble(record.get(1));
                } else {
                    labels[n] = record.get(1);
                }
                n++;
            }
        }
        return n + (values != null ? values[n - 1] : labels[n - 1].length()) + ids[n - 1].length();
    }

    /** Shuffles the data rows of a CSV file (header kept first), deterministically. */
    static void shuffle(Path file) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        String header = lines.remove(0);
        java.util.Collections.shuffle(lines, new java.util.Random(7));
        lines.add(0, header);
        Files.write(file, lines);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** A solution and a submission with noisy but informative predictions, ids in the same order. */
    static void generate(Metric metric, int rows, Path solution, Path submission) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        try (BufferedWriter sol = Files.newBufferedWriter(solution);
                BufferedWriter sub = Files.newBufferedWriter(submission)) {
            sol.write("id,target\n");
            sub.write("id,prediction\n");
            for (int i = 0; i < rows; i++) {
                String id = "test_" + i;
                String truth;
                String prediction;
                switch (metric.predictionKind()) {
                    case LABEL -> {
                        int c = random.nextInt(10);
                        truth = "class" + c;
                        prediction = "class" + (random.nextInt(4) == 0 ? random.nextInt(10) : c);
                    }
                    case PROBABILITY -> {
                        int c = random.nextInt(2);
                        truth = Integer.toString(c);
                        double p = Math.min(1, Math.max(0, 0.5 + (c - 0.5) * 0.4 + random.nextGaussian() * 0.2));
                        prediction = String.format(Locale.ROOT, "%.6f", p);
                    }
                    default -> {
                        double y = random.nextDouble() * 100;
                        truth = String.format(Locale.ROOT, "%.4f", y);
                        prediction = String.format(Locale.ROOT, "%.4f", y + random.nextGaussian());
                    }
                }
                sol.write(id + "," + truth + "\n");
                sub.write(id + "," + prediction + "\n");
            }
        }
    }
}
