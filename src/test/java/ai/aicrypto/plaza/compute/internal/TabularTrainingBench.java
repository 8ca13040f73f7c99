package ai.aicrypto.plaza.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.compute.internal.web.PriceEstimate;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.model.card.RecommendedModels;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.SklearnData;
import ai.aicrypto.plaza.support.TestUsers;
import ai.aicrypto.plaza.support.WorkerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * ops/bench/training, tables: the builder's three recommended models for wine (3 classes) and breast cancer (2
 * classes), from Debian's python3-sklearn, each trained by one real gpu-worker process (with its start-up benchmark)
 * and verified by the plaza on the held-out tenth the worker never received. Prints `name value` lines first (held-out
 * accuracy of each model; the trees' training time, lease to upload, against the MLP's in the same run; the trees'
 * time against what the price estimate bills for them), then a table; also to target/training-bench-tables.txt.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TabularTrainingBench extends IntegrationTest {

    private static final List<String> MODELS = List.of(RecommendedModels.GBDT, RecommendedModels.MLP, RecommendedModels.LINEAR);

    @LocalServerPort
    int port;
    @Autowired
    GpuOffers offers;
    @Autowired
    TrainingJobs jobs;
    @Autowired
    Datasets datasets;
    @Autowired
    Models models;
    @Autowired
    TestUsers users;
    @TempDir
    Path tmp;

    private record Run(String dataset, String model, long job, long rows) {
    }

    @Test
    void recommendedModelsOnRealTables() throws Exception {
        AccountPrincipal requester = users.member();
        GpuOffers.IssuedWorker issued = WorkerProcess.registerCpuOffer(offers, users.member().id());
        Map<String, String> tables = new LinkedHashMap<>();
        tables.put("wine", SklearnData.wineCsv());
        tables.put("breast_cancer", SklearnData.breastCancerCsv());
        List<Run> runs = new ArrayList<>();
        for (var table : tables.entrySet()) {
            Path csv = Files.writeString(tmp.resolve(table.getKey() + ".csv"), table.getValue());
            String label = table.getValue().lines().findFirst().orElseThrow().replaceAll(".*,", "");
            long dataset = datasets.importDataset(requester.id(), new DatasetUpload(new ListingDraft(table.getKey(), "", List.of(),
                    "CC0-1.0", BigDecimal.ZERO), csv, table.getKey() + ".csv", null, null, label));
            long rows = table.getValue().lines().count() - 1;
            for (String key : MODELS) {
                var recommended = RecommendedModels.find(key, table.getKey(), datasets.preprocessing(dataset), rows).orElseThrow();
                long card = models.createPrivate(requester.id(), new ModelUpload(recommended.card().json().toString(), List.of(), null));
                runs.add(new Run(table.getKey(), key, jobs.submit(requester.id(), dataset, card, "{}", 0), rows));
            }
        }
        try (WorkerProcess worker = WorkerProcess.start("http://127.0.0.1:" + port, issued.token(), tmp.resolve("cache"))) {
            for (Run run : runs) {
                for (int i = 0; i < 3000 && !List.of("SUCCEEDED", "FAILED").contains(status(run.job())); i++) {
                    Thread.sleep(200);
                }
                assertThat(status(run.job())).as(worker.log()).isEqualTo("SUCCEEDED");
            }
        }
        List<String> figures = new ArrayList<>();
        List<String> table = new ArrayList<>();
        table.add(String.format(Locale.ROOT, "%-14s %-7s %9s %9s %12s", "dataset", "model", "accuracy", "seconds", "estimate s"));
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (Run run : runs) {
            Map<String, Object> r = jdbc.sql("""
                    SELECT res.verified_accuracy, EXTRACT(EPOCH FROM res.uploaded_at - a.leased_at) AS seconds,
                           a.rate_samples_per_s AS rate
                    FROM job_results res JOIN job_attempts a USING (job_id, attempt) WHERE res.job_id = ?""")
                    .param(run.job()).query().singleRow();
            double accuracy = ((Number) r.get("verified_accuracy")).doubleValue();
            double took = ((Number) r.get("seconds")).doubleValue();
            int passes = jdbc.sql("SELECT count(*) FROM job_progress WHERE job_id = ?").param(run.job()).query(Integer.class).single();
            var card = new ai.aicrypto.plaza.model.card.ModelCardValidator().parse(models.cardJson(
                    jdbc.sql("SELECT model_id FROM training_jobs WHERE id = ?").param(run.job()).query(Long.class).single()));
            double estimate = r.get("rate") == null ? Double.NaN
                    : PriceEstimate.seconds(run.rows(), passes, card, ((Number) r.get("rate")).doubleValue());
            seconds.put(run.model() + "_" + run.dataset(), took);
            figures.add(String.format(Locale.ROOT, "%s_heldout_accuracy_%s %.4f", run.model(), run.dataset(), accuracy));
            if (run.model().equals(RecommendedModels.GBDT)) {
                figures.add(String.format(Locale.ROOT, "gbdt_training_seconds_over_estimate_%s %.3f", run.dataset(), took / estimate));
            }
            table.add(String.format(Locale.ROOT, "%-14s %-7s %9.4f %9.2f %12.2f", run.dataset(), run.model(), accuracy, took, estimate));
        }
        for (String dataset : tables.keySet()) {
            figures.add(String.format(Locale.ROOT, "gbdt_training_seconds_%s %.2f", dataset, seconds.get("gbdt_" + dataset)));
            figures.add(String.format(Locale.ROOT, "mlp_training_seconds_%s %.2f", dataset, seconds.get("mlp_" + dataset)));
            figures.add(String.format(Locale.ROOT, "gbdt_vs_mlp_training_time_%s %.3f", dataset,
                    seconds.get("gbdt_" + dataset) / seconds.get("mlp_" + dataset)));
        }
        String report = String.join("\n", figures) + "\n\n" + String.join("\n", table) + "\n";
        System.out.print(report);
        Files.writeString(Path.of("target/training-bench-tables.txt"), report);
    }

    private String status(long job) {
        return jdbc.sql("SELECT status FROM training_jobs WHERE id = ?").param(job).query(String.class).single();
    }
}
