package ai.aicrypto.plaza.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.compute.TrainingRecords;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
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
 * Fine-tuning through the builder, on the wine table of Debian's python3-sklearn: a member trains the recommended MLP on
 * the three cultivars, then fine-tunes that model on the same wines labelled "class_0" or "other" (two classes: a new
 * head) with a real gpu-worker; the new model names its parent, both pages show the chain, the parent's owner is
 * credited as the parent in the training records. A stranger cannot fine-tune the model, and a model whose input does
 * not fit is refused with the reason, in English and Korean.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FineTuneTest extends IntegrationTest {

    private static final int WAIT_SECONDS = 600;
    /** Enough for the wines (178 rows), few enough for a loaded machine. */
    private static final int EPOCHS = 30;

    @LocalServerPort
    int port;
    @Autowired
    GpuOffers offers;
    @Autowired
    TrainingJobs jobs;
    @Autowired
    TrainingRecords records;
    @Autowired
    Datasets datasets;
    @Autowired
    Models models;
    @Autowired
    TestUsers users;

    @TempDir
    Path tmp;

    @Test
    void aTrainedWineModelIsFineTunedIntoANewOneThatNamesItsParent() throws Exception {
        AccountPrincipal alice = users.member(), stranger = users.member();
        String wine = SklearnData.wineCsv();
        long cultivars = upload(alice, "wine cultivars", wine);
        StringBuilder grouped = new StringBuilder();
        wine.lines().forEach(line -> grouped.append(line.endsWith("class_1") || line.endsWith("class_2")
                ? line.substring(0, line.lastIndexOf(',') + 1) + "other" : line).append('\n'));
        long firstOrOther = upload(alice, "wine class_0 or other", grouped.toString());
        long breastCancer = upload(alice, "breast cancer", SklearnData.breastCancerCsv());

        var recommended = RecommendedModels.find(RecommendedModels.MLP, "wine", datasets.preprocessing(cultivars), 178).orElseThrow();
        long card = models.createPrivate(alice.id(), new ModelUpload(recommended.card().json().toString(), List.of(), null));
        long parentJob = jobs.submit(alice.id(), cultivars, card, "{\"epochs\": " + EPOCHS + "}", 0);
        GpuOffers.IssuedWorker worker = WorkerProcess.registerCpuOffer(offers, users.member().id());
        try (WorkerProcess process = WorkerProcess.start("http://127.0.0.1:" + port, worker.token(), tmp.resolve("cache"), "--no-benchmark")) {
            awaitSucceeded(parentJob, process);
            long parent = trainedModel(parentJob);
            String fineTune = "fine-tune:" + parent;

            // a stranger may not start from alice's model; a table of other features does not fit it
            long strangersWine = datasets.importDataset(stranger.id(), draft("mine", wine, "wine.csv"));
            String refused = builderStep(stranger, strangersWine, fineTune, Locale.ENGLISH);
            assertThat(refused).contains("You can fine-tune only a trained model with weights that you own or hold a license of.")
                    .doesNotContain("name=\"hp[");
            assertThat(builderStep(stranger, strangersWine, fineTune, Locale.KOREAN))
                    .contains("가중치가 있는 학습된 모델 중 내가 소유하거나 라이선스를 가진 모델만 미세 조정할 수 있습니다.");
            // once alice publishes it and the stranger buys a license, the builder offers it with the price paid
            mvc.perform(post("/listings/" + parent + "/publish").with(user(alice)).with(csrf()));
            jdbc.sql("""
                            INSERT INTO licenses (listing_id, user_id, buyer_address, price_wei, tx_hash, log_index, chain_license)
                            VALUES (?, ?, '0x00000000000000000000000000000000000000aa', 2500000000000000000, ?, 0, 1)""")
                    .params(parent, stranger.id(), String.format("0x%064x", parent)).update();
            assertThat(builderStep(stranger, strangersWine, null, Locale.ENGLISH)).contains("id=\"licensed-parents\"")
                    .contains("value=\"" + fineTune + "\"").contains("license paid 2.5 AIC")
                    .contains("decrypted only on the worker of the provider that trains your job");
            assertThat(builderStep(stranger, strangersWine, null, Locale.KOREAN)).contains("라이선스 2.5 AIC 지불");
            assertThat(builderStep(stranger, strangersWine, fineTune, Locale.ENGLISH)).as("the licensee's hyperparameter step")
                    .contains("name=\"hp[");
            assertThat(builderStep(alice, cultivars, null, Locale.ENGLISH)).as("an owner's own model is not listed as licensed")
                    .contains("You hold no license of another member");
            String misfit = builderStep(alice, breastCancer, fineTune, Locale.ENGLISH);
            assertThat(misfit).contains("This model reads 13 features and this dataset has 30");
            assertThat(builderStep(alice, breastCancer, fineTune, Locale.KOREAN)).contains("이 모델은 특성 13개를 읽는데 이 데이터셋은 30개입니다");
            assertThat(builderStep(alice, firstOrOther, fineTune, Locale.ENGLISH)).as("the hyperparameter step").contains("name=\"hp[");
            assertThat(builderStep(alice, firstOrOther, null, Locale.ENGLISH)).contains("value=\"" + fineTune + "\"");

            String redirect = mvc.perform(post("/builder").with(user(alice)).with(csrf()).param("datasetId", String.valueOf(firstOrOther))
                    .param("modelId", fineTune).param("hp[epochs]", String.valueOf(EPOCHS)).param("offer", String.valueOf(worker.offerId()))
                    .param("budget", "10").param("step", "6"))
                    .andReturn().getResponse().getRedirectedUrl();
            assertThat(redirect).as("the builder queued the job").startsWith("/jobs/");
            long childJob = Long.parseLong(redirect.substring("/jobs/".length()));
            assertThat(jdbc.sql("SELECT parent_model_id FROM training_jobs WHERE id = ?").param(childJob).query(Long.class).single())
                    .isEqualTo(parent);
            awaitSucceeded(childJob, process);
            long child = trainedModel(childJob);
            assertThat(jdbc.sql("SELECT parent_model_id FROM models WHERE listing_id = ?").param(child).query(Long.class).single())
                    .as("the new model's record names its parent").isEqualTo(parent);
            assertThat(new ModelCardValidator().parse(models.cardJson(child)).classes()).containsExactly("class_0", "other");
            assertThat(process.log()).contains("job " + childJob);

            String childPage = page(alice, child), parentPage = page(alice, parent);
            assertThat(childPage).contains("Fine-tuned from").containsPattern("id=\"fine-tuned-from\"><a href=\"/models/" + parent + "\"");
            assertThat(parentPage).contains("Fine-tuned into").containsPattern("id=\"fine-tuned-into\"><a href=\"/models/" + child + "\"");

            var record = records.verifiedBetween(Instant.EPOCH, Instant.now().plusSeconds(60)).stream()
                    .filter(r -> r.jobId() == childJob).findFirst().orElseThrow();
            assertThat(record.parentModelId()).isEqualTo(parent);
            assertThat(record.parentModelOwnerId()).as("the parent's owner is credited").isEqualTo(alice.id());
        }
    }

    private long upload(AccountPrincipal who, String title, String csv) throws Exception {
        return datasets.importDataset(who.id(), draft(title, csv, title.replace(' ', '-') + ".csv"));
    }

    private DatasetUpload draft(String title, String csv, String file) throws Exception {
        String label = csv.lines().findFirst().orElseThrow().replaceAll(".*,", "");
        return new DatasetUpload(new ListingDraft(title, "", List.of(), "CC0-1.0", BigDecimal.ZERO),
                Files.writeString(tmp.resolve(file), csv), file, null, null, label);
    }

    /** The builder's page for the hyperparameter step with these choices (or the model step, with no model). */
    private String builderStep(AccountPrincipal who, long dataset, String model, Locale locale) throws Exception {
        var request = get("/builder").with(user(who)).locale(locale).param("datasetId", String.valueOf(dataset))
                .param("step", model == null ? "2" : "3");
        if (model != null) {
            request.param("modelId", model);
        }
        return mvc.perform(request).andReturn().getResponse().getContentAsString();
    }

    private String page(AccountPrincipal who, long model) throws Exception {
        return mvc.perform(get("/models/" + model).with(user(who))).andReturn().getResponse().getContentAsString();
    }

    private void awaitSucceeded(long job, WorkerProcess process) throws InterruptedException {
        for (int i = 0; i < WAIT_SECONDS * 5 && !List.of("SUCCEEDED", "FAILED").contains(status(job)); i++) {
            Thread.sleep(200);
        }
        assertThat(status(job)).as(process.log()).isEqualTo("SUCCEEDED");
    }

    private long trainedModel(long job) {
        return jdbc.sql("SELECT trained_model_id FROM training_records WHERE job_id = ?").param(job).query(Long.class).single();
    }

    private String status(long job) {
        return jdbc.sql("SELECT status FROM training_jobs WHERE id = ?").param(job).query(String.class).single();
    }
}
