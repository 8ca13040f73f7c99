package ai.aicrypto.plaza.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import ai.aicrypto.plaza.compute.internal.web.PriceEstimate;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import ai.aicrypto.plaza.support.WorkerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;

/**
 * ops/bench/verification (not part of ops/test: its name is no test's): simulated cheaters, each a real gpu-worker
 * process of its own provider (gpu-worker's test class CheatingWorkerMain), train TRIALS jobs of 10 epochs on a
 * 1,000-image slice of Fashion-MNIST (regression kinds: on the Boston house prices of Debian's python3-sklearn), audited as at the plaza's audit share of 0.1 (every 10-epoch job has one epoch audited),
 * while two honest auditors of two other providers take the audits. Reports, per kind, how many jobs were caught
 * (failed, requester refunded) and how many were paid before being caught; false failures of honest runs; what an
 * echo auditor (a lazy auditor) and a colluding auditor of the original's own provider achieve; what a sleeper is
 * billed against an honest worker; and the compute audits cost. Figures go to stdout and to
 * target/verification-bench.txt, `name value` lines first.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "plaza.compute.max-weights-size=4MB", "plaza.compute.expiry-check=1s"})
class VerificationBench extends IntegrationTest {

    private static final int TRIALS = Integer.getInteger("trials", 5);
    private static final int EPOCHS = 10;
    private static final int WAIT_SECONDS = 1800;

    @LocalServerPort
    int port;
    @Autowired
    GpuOffers offers;
    @Autowired
    TrainingJobs jobs;
    @Autowired
    JobResults results;
    @Autowired
    Datasets datasets;
    @Autowired
    Models models;
    @Autowired
    TestUsers users;

    @TempDir
    Path tmp;

    /** @param regression trains the Boston house prices regression instead of the Fashion-MNIST classifier */
    private record Kind(String name, String cheat, String expectation, boolean regression) {

        Kind(String name, String cheat, String expectation) {
            this(name, cheat, expectation, false);
        }
    }

    private static final List<Kind> ALL_KINDS = List.of(
            new Kind("honest", "honest", "never failed"),
            new Kind("random", "random", "caught by the held-out check"),
            new Kind("lazy_interpolated", "lazy", "1 of 10 epochs trained, path interpolated: caught by any epoch audit"),
            new Kind("lazy_first_epoch", "lazy-first", "epoch 1 trained for real, 2-10 faked: caught unless epoch 1 is drawn"),
            new Kind("sleeper", "sleeper", "honest work, 20x wall-clock: billed no more than the quote"),
            new Kind("inflated", "inflated", "claims accuracy +0.2 (and half its loss): caught by the held-out check"),
            new Kind("honest_regression", "honest", "never failed", true),
            new Kind("inflated_regression", "inflated", "claims half its loss: caught by the held-out check", true));

    /** The kinds to run: all, or those named in -Dkinds=a,b (ops/bench/verification passes KINDS). */
    private static final List<Kind> KINDS = ALL_KINDS.stream()
            .filter(k -> System.getProperty("kinds", "").isBlank() || List.of(System.getProperty("kinds").split(",")).contains(k.name()))
            .toList();

    /** Debian's python3-sklearn ships the Boston house prices (506 rows, 13 features, target MEDV). */
    private static final Path BOSTON = Path.of("/usr/lib/python3/dist-packages/sklearn/datasets/data/boston_house_prices.csv");
    private static final String BOSTON_CARD = """
            {"specVersion": "1.0", "name": "Boston house prices MLP", "task": "regression",
             "description": "One-hidden-layer perceptron predicting the median house value (MEDV, in $1000s).",
             "input": {"kind": "tabular", "columns": ["CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX",
                                                      "PTRATIO", "B", "LSTAT"]},
             "output": {"targets": ["MEDV"]},
             "architecture": {"template": "mlp", "hiddenSizes": [32], "activation": "relu"},
             "hyperparameters": {"optimizer": {"default": "adam", "allowed": ["adam"]},
                                 "learningRate": {"default": 0.01, "min": 0.0001, "max": 0.1},
                                 "batchSize": {"default": 32, "min": 1, "max": 512},
                                 "epochs": {"default": 10, "min": 1, "max": 100},
                                 "seed": {"default": 7, "min": 0, "max": 2147483647}},
             "runtime": {"engine": "djl-pytorch", "engineVersion": "0.33.0"}, "license": "MIT", "priceAic": "0"}""";

    @Test
    void cheatersAgainstTheVerification() throws Exception {
        long requester = users.member().id();
        List<Path> idx = WorkerProcess.fashionSlice(tmp, 1000);
        long dataset = datasets.importDataset(requester, new DatasetUpload(new ListingDraft("Fashion slice", "", List.of(),
                "MIT", BigDecimal.ZERO), idx.get(0), "slice-images-idx3-ubyte", idx.get(1), "slice-labels-idx1-ubyte", null));
        long model = models.publish(requester, new ModelUpload(new ClassPathResource("model-card/examples/fashion-mnist-mlp.json")
                .getContentAsString(StandardCharsets.UTF_8), List.of(), null));
        Path boston = tmp.resolve("boston.csv"); // without sklearn's first line (row and column counts)
        List<String> lines = Files.readAllLines(BOSTON);
        Files.write(boston, lines.subList(1, lines.size()));
        long regressionData = datasets.importDataset(requester, new DatasetUpload(new ListingDraft("Boston house prices", "",
                List.of(), "CC0-1.0", BigDecimal.ZERO), boston, "boston.csv", null, null, "MEDV"));
        long regressionModel = models.publish(requester, new ModelUpload(BOSTON_CARD, List.of(), null));
        List<WorkerProcess> processes = new ArrayList<>();
        Map<String, List<Long>> jobsOf = new LinkedHashMap<>();
        Map<String, Long> workerOf = new LinkedHashMap<>();
        Map<String, Long> offerOf = new LinkedHashMap<>();
        try {
            for (String auditor : List.of("auditor-1", "auditor-2")) {
                processes.add(start(register("Honest auditor " + auditor), "honest", auditor));
            }
            long honestProvider = users.member().id();
            for (Kind kind : KINDS) {
                long provider = kind.cheat().equals("honest") ? honestProvider : users.member().id();
                GpuOffers.IssuedWorker worker = offers.register(provider, offer(kind.name()));
                workerOf.put(kind.name(), worker.workerId());
                offerOf.put(kind.name(), worker.offerId());
                processes.add(start(worker, kind.cheat(), kind.name()));
            }
            // A colluding auditor: another offer of the honest kind's provider, ready to confirm its jobs.
            GpuOffers.IssuedWorker colluder = offers.register(honestProvider, offer("colluder"));
            processes.add(start(colluder, "honest", "colluder"));
            workerOf.put("colluder", colluder.workerId());
            // A lazy auditor of its own provider: echoes the start checkpoint instead of training the epoch.
            GpuOffers.IssuedWorker echo = register("Echo auditor");
            processes.add(start(echo, "echo-auditor", "echo"));
            workerOf.put("echo", echo.workerId());

            for (Kind kind : KINDS) { // once every worker has measured itself on an idle machine
                List<Long> submitted = new ArrayList<>();
                for (int trial = 0; trial < TRIALS; trial++) {
                    long job = jobs.submit(new TrainingJobs.JobRequest(requester, kind.regression() ? regressionData : dataset,
                            kind.regression() ? regressionModel : model,
                            "{\"epochs\": " + EPOCHS + ", \"seed\": " + (100 + trial) + "}", 0, offerOf.get(kind.name()), null));
                    // At the plaza's audit share (0.1) a 10-epoch job is audited with probability min(1, 0.1 x 10) = 1;
                    // IntegrationTest turns audits off unless a job's draw is 0.
                    jdbc.sql("UPDATE training_jobs SET audit_draw = 0 WHERE id = ?").param(job).update();
                    submitted.add(job);
                }
                jobsOf.put(kind.name(), submitted);
            }
            List<Long> all = jobsOf.values().stream().flatMap(List::stream).toList();
            long deadline = System.currentTimeMillis() + WAIT_SECONDS * 1000L;
            while (System.currentTimeMillis() < deadline && !all.stream().allMatch(this::ended)) {
                Thread.sleep(1000);
                results.settleAbandonedAudits();
            }
            assertThat(all.stream().allMatch(this::ended)).as("jobs still running: %s", logs(processes)).isTrue();
            report(jobsOf, workerOf, offerOf);
        } finally {
            for (WorkerProcess process : processes) {
                process.close();
            }
        }
    }

    private void report(Map<String, List<Long>> jobsOf, Map<String, Long> workerOf, Map<String, Long> offerOf) throws Exception {
        List<String> figures = new ArrayList<>();
        List<String> table = new ArrayList<>();
        table.add(String.format(Locale.ROOT, "%-18s %6s %7s %6s %10s %10s %8s  %s", "kind", "trials", "caught", "paid",
                "billed_aic", "quote_aic", "rate", "expectation"));
        Map<String, Double> billed = new LinkedHashMap<>();
        for (Kind kind : KINDS) {
            List<Long> ids = jobsOf.get(kind.name());
            long caught = ids.stream().filter(id -> status(id).equals("FAILED")).count();
            long paid = ids.stream().filter(id -> count("settlements WHERE kind = 'PAY_PROVIDER' AND job_id = " + id) > 0).count();
            long paidAndCaught = ids.stream().filter(id -> status(id).equals("FAILED")
                    && count("settlements WHERE kind = 'PAY_PROVIDER' AND job_id = " + id) > 0).count();
            double amount = ids.stream().mapToDouble(this::paidTo).sum() / ids.size();
            billed.put(kind.name(), amount);
            if (kind.cheat().equals("honest")) {
                figures.add(kind.name() + "_false_failures " + caught);
            } else if (!kind.cheat().equals("sleeper")) {
                figures.add(kind.name() + "_caught_share " + share(caught, ids.size()));
            }
            figures.add(kind.name() + "_paid_before_caught " + paidAndCaught);
            double quote = ids.stream().mapToDouble(this::quote).sum() / ids.size();
            double rate = jdbc.sql("SELECT avg(rate_samples_per_s) FROM job_attempts WHERE job_id = ANY (?)")
                    .param(ids.toArray(Long[]::new)).query(Double.class).single();
            table.add(String.format(Locale.ROOT, "%-18s %6d %7d %6d %10.6f %10.6f %8.0f  %s", kind.name(), ids.size(), caught,
                    paid, amount, quote, rate, kind.expectation()));
        }
        // Each offer's quote follows its own start-up benchmark, which varies from run to run on a shared machine: the
        // bill is compared with the quote, and the honest worker's with its own.
        for (String kind : List.of("honest", "sleeper")) {
            if (jobsOf.containsKey(kind)) {
                figures.add(kind + "_billed_vs_quote " + ratio(billed.get(kind) * jobsOf.get(kind).size(),
                        jobsOf.get(kind).stream().mapToDouble(this::quote).sum()));
            }
        }
        long echoAudits = count("job_attempts a JOIN training_jobs j ON j.id = a.job_id WHERE j.audit_of IS NOT NULL AND a.worker_id = "
                + workerOf.get("echo"));
        long echoPaid = count("settlements s JOIN job_attempts a ON a.job_id = s.job_id WHERE s.kind = 'PAY_PROVIDER' AND a.worker_id = "
                + workerOf.get("echo"));
        figures.add("echo_auditor_audits " + echoAudits);
        figures.add("echo_auditor_paid " + echoPaid);
        figures.add("colluder_audits_of_own_provider " + (!offerOf.containsKey("honest") ? "n/a" : count("job_attempts a JOIN training_jobs j ON j.id = a.job_id "
                + "WHERE a.worker_id = " + workerOf.get("colluder") + " AND j.audit_of IN (SELECT id FROM training_jobs WHERE offer_id = "
                + offerOf.get("honest") + ")")));
        // Compute: an audit trains one epoch; an original all of its epochs (what the engine reports, per attempt).
        double originalSeconds = seconds("j.audit_of IS NULL");
        double auditSeconds = seconds("j.audit_of IS NOT NULL");
        long auditedEpochs = count("training_jobs WHERE audit_of IS NOT NULL AND status = 'SUCCEEDED'");
        long trainedEpochs = EPOCHS * (long) jobsOf.values().stream().mapToInt(List::size).sum();
        figures.add("audit_compute_share_epochs " + ratio(auditedEpochs, trainedEpochs));
        // What audits cost honest work (cheaters' originals fake most of their epochs, and their disagreements call
        // further audits): the audits of the honest and sleeper jobs against those jobs' own training time.
        String honestJobs = java.util.stream.Stream.of("honest", "sleeper").flatMap(k -> jobsOf.getOrDefault(k, List.of()).stream()).map(String::valueOf)
                .collect(java.util.stream.Collectors.joining(","));
        if (!honestJobs.isEmpty()) {
            figures.add("audit_compute_share_honest_jobs " + ratio(trainingSeconds("j.audit_of IN (" + honestJobs + ")"),
                    trainingSeconds("j.id IN (" + honestJobs + ")")));
        }
        figures.add("audit_compute_share_all_jobs " + ratio(trainingSeconds("j.audit_of IS NOT NULL"),
                trainingSeconds("j.audit_of IS NULL")));
        figures.add("audit_compute_share_wall " + ratio(auditSeconds, originalSeconds));
        StringBuilder out = new StringBuilder();
        figures.forEach(f -> out.append(f).append('\n'));
        out.append('\n');
        table.forEach(t -> out.append(t).append('\n'));
        jobsOf.forEach((kind, ids) -> jdbc.sql("SELECT id || ': ' || failure_reason FROM training_jobs WHERE status = 'FAILED' AND id = ANY (?)")
                .param(ids.toArray(Long[]::new)).query(String.class).list()
                .forEach(reason -> out.append(kind).append(" job ").append(reason).append('\n')));
        out.append("\nrate: the offer's benchmarked training rate (samples/s) fixed at lease; quote: what that rate gives for "
                + "the job at the offer's price (2 AIC/h); billed: what the provider was paid on average\n");
        out.append(String.format(Locale.ROOT, "%naudits: %d epochs re-run for %d trained; %.1f s of audit attempts for %.1f s of "
                + "original attempts (lease to upload, with start-up, download and upload); further audits after a "
                + "disagreement: %d; audits rejected (no vote): %d%n", auditedEpochs, trainedEpochs, auditSeconds, originalSeconds,
                count("training_jobs WHERE audit_of IS NOT NULL AND cardinality(excluded_provider_ids) > 1"),
                count("job_results r JOIN training_jobs j ON j.id = r.job_id WHERE j.audit_of IS NOT NULL AND r.verdict = 'REJECTED'")));
        System.out.print(out);
        Files.writeString(Path.of("target/verification-bench.txt"), out);
    }

    private double seconds(String condition) {
        return jdbc.sql("""
                        SELECT coalesce(sum(EXTRACT(EPOCH FROM r.uploaded_at - a.leased_at)), 0)
                        FROM job_attempts a JOIN job_results r ON r.job_id = a.job_id AND r.attempt = a.attempt
                             JOIN training_jobs j ON j.id = a.job_id
                        """ + "WHERE " + condition)
                .query(Double.class).single();
    }

    /** Training time the workers reported, epoch by epoch (rows / samples per second; every epoch has the same rows). */
    private double trainingSeconds(String condition) {
        return jdbc.sql("SELECT coalesce(sum(1.0 / p.samples_per_s), 0) FROM job_progress p JOIN training_jobs j ON j.id = p.job_id "
                + "WHERE p.samples_per_s > 0 AND " + condition).query(Double.class).single();
    }

    /** What the job was quoted on its offer: the price for the time the benchmarked rate (fixed at lease) gives. */
    private double quote(long job) {
        record Attempt(double price, double rate, long rows, long model) {
        }
        Attempt a = jdbc.sql("""
                        SELECT a.price_per_hour_aic, a.rate_samples_per_s, d.row_count, j.model_id
                        FROM job_attempts a JOIN training_jobs j ON j.id = a.job_id JOIN datasets d ON d.listing_id = j.dataset_id
                        WHERE a.job_id = ? ORDER BY a.attempt DESC LIMIT 1""")
                .param(job).query((rs, n) -> new Attempt(rs.getDouble(1), rs.getDouble(2), rs.getLong(3), rs.getLong(4))).single();
        ModelCard card = new ModelCardValidator().parse(models.cardJson(a.model()));
        return a.price() * PriceEstimate.seconds(a.rows(), EPOCHS, card, a.rate()) / 3600;
    }

    private double paidTo(long job) {
        return jdbc.sql("SELECT coalesce(sum(amount_aic), 0) FROM settlements WHERE kind = 'PAY_PROVIDER' AND job_id = ?")
                .param(job).query(BigDecimal.class).single().doubleValue();
    }

    private static String share(long part, long whole) {
        return String.format(Locale.ROOT, "%.2f", (double) part / whole);
    }

    private static String ratio(double a, double b) {
        return b == 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", a / b);
    }

    private boolean ended(long job) {
        return List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(status(job));
    }

    private String status(long job) {
        return jdbc.sql("SELECT status FROM training_jobs WHERE id = ?").param(job).query(String.class).single();
    }

    private GpuOffers.IssuedWorker register(String title) {
        return offers.register(users.member().id(), offer(title));
    }

    private static GpuOffers.NewOffer offer(String title) {
        return new GpuOffers.NewOffer(title, "none", 4096, new BigDecimal("2"), "kr-seoul");
    }

    /**
     * Starts a worker and waits until its start-up benchmark is done: ten benchmarks at once on two cores would
     * each measure a tenth of the machine, and the quotes (and the billing caps) would be ten times too long.
     */
    private WorkerProcess start(GpuOffers.IssuedWorker worker, String cheat, String name) throws Exception {
        WorkerProcess process = WorkerProcess.startSimulated("http://127.0.0.1:" + port, worker.token(), tmp.resolve("cache-" + name),
                cheat);
        for (int i = 0; i < 600 && !process.log().contains("serving "); i++) {
            Thread.sleep(200);
        }
        return process;
    }

    private static String logs(List<WorkerProcess> processes) {
        StringBuilder all = new StringBuilder();
        processes.forEach(p -> {
            String log = p.log();
            all.append("\n--- worker ---\n").append(log, Math.max(0, log.length() - 3000), log.length());
        });
        return all.toString();
    }
}
