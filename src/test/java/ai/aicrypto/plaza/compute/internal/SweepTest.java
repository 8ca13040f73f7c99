package ai.aicrypto.plaza.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.compute.GpuOffers;
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
 * A sweep of two trials of the recommended MLP on the wine table of Debian's python3-sklearn, trained by a real
 * gpu-worker: both trials are verified on the held-out split, the one with the better held-out accuracy (then loss) is
 * kept with its weights, the other's weights are discarded, and the sweep's page shows both in one chart.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SweepTest extends IntegrationTest {

    private static final int WAIT_SECONDS = 600;

    @LocalServerPort
    int port;
    @Autowired
    GpuOffers offers;
    @Autowired
    Sweeps sweeps;
    @Autowired
    Datasets datasets;
    @Autowired
    Models models;
    @Autowired
    TestUsers users;

    @TempDir
    Path tmp;

    @Test
    void theBestTrialByTheHeldOutMetricIsKeptAndTheOthersWeightsAreDiscarded() throws Exception {
        AccountPrincipal alice = users.member();
        Path csv = Files.writeString(tmp.resolve("wine.csv"), SklearnData.wineCsv());
        long wine = datasets.importDataset(alice.id(), new DatasetUpload(new ListingDraft("wine", "", List.of(), "CC0-1.0",
                BigDecimal.ZERO), csv, "wine.csv", null, null, "cultivar"));
        var recommended = RecommendedModels.find(RecommendedModels.MLP, "wine", datasets.preprocessing(wine), 178).orElseThrow();
        long card = models.createPrivate(alice.id(), new ModelUpload(recommended.card().json().toString(), List.of(), null));
        // Two learning rates that both learn the wines in 30 epochs, so that both deliver and one's weights must go.
        long sweep = sweeps.submit(alice.id(), wine, card, List.of(), null, SweepPlan.Search.GRID, new BigDecimal("4"), false,
                List.of("{\"epochs\": 30, \"learningRate\": 0.001}", "{\"epochs\": 30, \"learningRate\": 0.004}"));
        assertThat(jdbc.sql("SELECT budget_aic FROM training_jobs WHERE sweep_id = ?").param(sweep).query(BigDecimal.class).list())
                .as("each trial's share of the one budget").allSatisfy(b -> assertThat(b).isEqualByComparingTo("2"));

        GpuOffers.IssuedWorker worker = WorkerProcess.registerCpuOffer(offers, users.member().id());
        try (WorkerProcess process = WorkerProcess.start("http://127.0.0.1:" + port, worker.token(), tmp.resolve("cache"), "--no-benchmark")) {
            for (int i = 0; i < WAIT_SECONDS * 5 && !decided(sweep); i++) {
                Thread.sleep(200);
            }
            assertThat(decided(sweep)).as(process.log()).isTrue();
        }
        record Trial(long job, String status, long model, double accuracy, double loss, boolean weights) {
        }
        List<Trial> trials = jdbc.sql("""
                        SELECT j.id, j.status, r.trained_model_id, r.verified_accuracy, r.verified_loss, m.weights_key IS NOT NULL
                        FROM training_jobs j JOIN training_records r ON r.job_id = j.id JOIN models m ON m.listing_id = r.trained_model_id
                        WHERE j.sweep_id = ? ORDER BY r.verified_accuracy DESC, r.verified_loss ASC""")
                .param(sweep).query((rs, n) -> new Trial(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getDouble(4),
                        rs.getDouble(5), rs.getBoolean(6))).list();
        assertThat(trials).as("both trials delivered a verified model").hasSize(2)
                .allSatisfy(t -> assertThat(t.status()).isEqualTo("SUCCEEDED"));
        Trial best = trials.get(0), other = trials.get(1);
        assertThat(jdbc.sql("SELECT best_job_id FROM training_sweeps WHERE id = ?").param(sweep).query(Long.class).single())
                .isEqualTo(best.job());
        assertThat(best.weights()).as("the best trial's model keeps its weights").isTrue();
        assertThat(other.weights()).as("the other's weights are discarded").isFalse();
        assertThat(mvc.perform(get("/models/" + other.model() + "/weights").with(user(alice))).andReturn().getResponse().getStatus())
                .isEqualTo(404);
        assertThat(mvc.perform(get("/models/" + best.model() + "/weights").with(user(alice))).andReturn().getResponse().getStatus())
                .isEqualTo(200);

        String page = mvc.perform(get("/sweeps/" + sweep).with(user(alice))).andReturn().getResponse().getContentAsString();
        assertThat(page).contains("id=\"sweep-chart\"").contains("data-trial=\"1\"").contains("data-trial=\"2\"")
                .containsPattern("Trial [12] is the best on the held-out split").contains("weights discarded")
                .contains("href=\"/models/" + best.model() + "\"");
    }

    private boolean decided(long sweep) {
        return jdbc.sql("SELECT decided_at IS NOT NULL FROM training_sweeps WHERE id = ?").param(sweep).query(Boolean.class).single();
    }
}
