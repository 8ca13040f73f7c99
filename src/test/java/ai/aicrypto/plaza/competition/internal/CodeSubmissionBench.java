package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.ModelRuns;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.SklearnData;
import ai.aicrypto.plaza.support.TestUsers;
import ai.aicrypto.plaza.support.WineModel;
import ai.aicrypto.plaza.support.WorkerProcess;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * ops/bench/code-submission: a code submission over a 10,000-row hidden test set (the wine table Debian's
 * python3-sklearn ships, 178 wines resampled with replacement, seeded) and a wine network, run by a real gpu-worker process (CPU)
 * of the serving fleet, timed from submit to score and split into queue (submitted to the runner's start), model load
 * (the plaza reading the weights), inference (the batches' round trips through the gateway to the worker), scoring
 * (reading the predictions back and scoring them) and the rest (reading the test inputs, encoding, writing and
 * encrypting the predictions, the runner's bookkeeping); against the same model's
 * predict called directly ({@link ModelRuns}) on the same rows, in the same batches, on the same worker, in the same
 * run. Figures go to stdout and target/code-submission-bench.txt, `name value` lines first.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "plaza.serving.poll-timeout=5s")
class CodeSubmissionBench extends IntegrationTest {

    private static final int ROWS = Integer.getInteger("rows", 10_000);
    private static final int RUNS = Integer.getInteger("runs", 3);
    private static final int BATCH = 512; // CodeSubmissions' batch

    @LocalServerPort
    int port;
    @Autowired
    TestUsers users;
    @Autowired
    Datasets datasets;
    @Autowired
    Models models;
    @Autowired
    GpuOffers offers;
    @Autowired
    CompetitionService competitions;
    @Autowired
    TeamService teams;
    @Autowired
    SubmissionService submissions;
    @Autowired
    ModelRuns modelRuns;
    @Autowired
    MeterRegistry meters;
    @TempDir
    Path tmp;

    @Test
    void submitToScoreAgainstTheModelsOwnPredict() throws Exception {
        AccountPrincipal host = users.member(), participant = users.member();
        WineModel model = WineModel.create(datasets, models, participant.id(), tmp, 5, false);
        List<Map<String, String>> records = new ArrayList<>(ROWS);
        List<String> labels = new ArrayList<>(ROWS);
        resample(records, labels);
        Competition c = host(host, records, labels);
        teams.join(c, participant, true, java.time.Instant.now());

        GpuOffers.IssuedWorker issued = offers.register(host.id(), new GpuOffers.NewOffer("Bench CPU", "CPU", 4096,
                BigDecimal.ONE, "local", BigDecimal.ZERO));
        StringBuilder figures = new StringBuilder();
        try (WorkerProcess worker = WorkerProcess.start("http://127.0.0.1:" + port, issued.token(), tmp.resolve("cache"),
                "--no-benchmark")) {
            ModelRuns.Run direct = modelRuns.open(model.id(), participant.id());
            await().atMost(Duration.ofSeconds(60)).until(() -> { // the worker online and holding the model
                assertThat(worker.process().isAlive()).as(worker.log()).isTrue();
                direct.predict(records.subList(0, BATCH));
                return jdbc.sql("SELECT worker_id IS NOT NULL FROM model_calls ORDER BY id DESC LIMIT 1").query(Boolean.class).single();
            });
            double[] directMs = new double[RUNS], total = new double[RUNS], queue = new double[RUNS], load = new double[RUNS],
                    inference = new double[RUNS], scoring = new double[RUNS];
            for (int run = 0; run < RUNS; run++) {
                long start = System.nanoTime();
                for (int from = 0; from < ROWS; from += BATCH) {
                    direct.predict(records.subList(from, Math.min(ROWS, from + BATCH)));
                }
                directMs[run] = (System.nanoTime() - start) / 1e6;

                double loadBefore = totalMs("plaza.model.runs.load"), inferenceBefore = totalMs("plaza.model.runs.inference"),
                        scoringBefore = totalMs("plaza.competition.scoring");
                long callsBefore = jdbc.sql("SELECT coalesce(max(id), 0) FROM model_calls").query(Long.class).single();
                Submission s = submissions.submitModel(c, participant, model.id(), "bench " + run);
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(50)).until(() -> !List.of("QUEUED", "SCORING")
                        .contains(jdbc.sql("SELECT status FROM submissions WHERE id = ?").param(s.id()).query(String.class).single()));
                Map<String, Object> row = jdbc.sql("SELECT status, created_at, scoring_started_at, scored_at FROM submissions WHERE id = ?")
                        .param(s.id()).query().singleRow();
                assertThat(row.get("status")).isEqualTo("SCORED");
                assertThat(jdbc.sql("SELECT count(*) FROM model_calls WHERE id > ? AND worker_id IS NULL").param(callsBefore)
                        .query(Long.class).single()).as("every batch served by the worker").isZero();
                total[run] = ms((Timestamp) row.get("created_at"), (Timestamp) row.get("scored_at"));
                queue[run] = ms((Timestamp) row.get("created_at"), (Timestamp) row.get("scoring_started_at"));
                load[run] = totalMs("plaza.model.runs.load") - loadBefore;
                inference[run] = totalMs("plaza.model.runs.inference") - inferenceBefore;
                scoring[run] = totalMs("plaza.competition.scoring") - scoringBefore;
            }
            double t = median(total), d = median(directMs);
            figures.append(line("code_submission_total_vs_direct_predict", t / d))
                    .append(line("code_submission_total_ms", t))
                    .append(line("code_submission_queue_ms", median(queue)))
                    .append(line("code_submission_model_load_ms", median(load)))
                    .append(line("code_submission_inference_ms", median(inference)))
                    .append(line("code_submission_scoring_ms", median(scoring)))
                    .append(line("code_submission_read_encode_write_ms",
                            t - median(queue) - median(load) - median(inference) - median(scoring)))
                    .append(line("direct_predict_ms", d))
                    .append(line("rows", ROWS))
                    .append(line("runs", RUNS));
        }
        String out = figures.toString();
        System.out.println(out);
        Files.writeString(Path.of("target/code-submission-bench.txt"), out);
    }

    /** {@link #ROWS} wines drawn with replacement (seeded), as raw records, and their cultivars. */
    private static void resample(List<Map<String, String>> records, List<String> labels) {
        List<String> lines = SklearnData.wineCsv().lines().toList();
        String[] header = lines.get(0).split(",");
        Random random = new Random(42);
        for (int i = 0; i < ROWS; i++) {
            String[] row = lines.get(1 + random.nextInt(lines.size() - 1)).split(",");
            Map<String, String> record = new LinkedHashMap<>();
            for (int col = 0; col < header.length - 1; col++) {
                record.put(header[col], row[col]);
            }
            records.add(record);
            labels.add(row[header.length - 1]);
        }
    }

    /** An accuracy competition open now, with the resampled rows as its test inputs (ids r0...) and solution. */
    private Competition host(AccountPrincipal host, List<Map<String, String>> records, List<String> labels) throws Exception {
        StringBuilder inputs = new StringBuilder("id,").append(String.join(",", records.get(0).keySet())).append('\n');
        StringBuilder solution = new StringBuilder("id,cultivar\n");
        for (int i = 0; i < records.size(); i++) {
            inputs.append('r').append(i).append(',').append(String.join(",", records.get(i).values())).append('\n');
            solution.append('r').append(i).append(',').append(labels.get(i)).append('\n');
        }
        CompetitionForm form = new CompetitionForm();
        form.setTitle("Code submission bench");
        form.setSlug("code-bench-" + System.nanoTime() % 1_000_000_000);
        form.setMetric("ACCURACY");
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
        form.setStartsAt(now.minusHours(1));
        form.setEndsAt(now.plusDays(7));
        form.setMergeDeadline(now.plusDays(5));
        form.setSubmissionsPerDay(100);
        form.setMaxTeamSize(1);
        Path solutionFile = Files.writeString(tmp.resolve("solution.csv"), solution);
        Path inputsFile = Files.writeString(tmp.resolve("test.csv"), inputs);
        return competitions.host(host, form, solutionFile, inputsFile);
    }

    private double totalMs(String timer) {
        return meters.find(timer).timers().stream().mapToDouble(t -> t.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).sum();
    }

    private static double ms(Timestamp from, Timestamp to) {
        return Duration.between(from.toInstant(), to.toInstant()).toNanos() / 1e6;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String line(String name, double value) {
        return String.format(Locale.ROOT, "%s %.3f%n", name, value);
    }
}
