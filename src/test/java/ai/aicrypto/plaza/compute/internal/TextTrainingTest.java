package ai.aicrypto.plaza.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import ai.aicrypto.plaza.model.card.RecommendedModels;
import ai.aicrypto.plaza.model.inference.F32Tensors;
import ai.aicrypto.plaza.model.inference.TextNetwork;
import ai.aicrypto.plaza.support.DebianDescriptions;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import ai.aicrypto.plaza.support.WorkerProcess;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole path of a member with labelled text of their own: Debian's package descriptions (from the apt lists on the
 * machine) labelled by section, uploaded as a CSV whose description column the plaza finds to be text; the builder's
 * recommended text classifier, trained by a real gpu-worker on its CPU engine, verified by the plaza on descriptions the
 * worker never received, and answering the prediction API for raw descriptions of packages that were not uploaded.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TextTrainingTest extends IntegrationTest {

    static final List<String> SECTIONS = List.of("games", "science", "net", "admin", "text");
    /** Per section: this many uploaded, the next 10 asked through the API. */
    static final int UPLOADED = 300, ASKED = 10;
    private static final int WAIT_SECONDS = 600;

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
    @Autowired
    JsonMapper json;
    @Autowired
    ApiTokens tokens;

    @TempDir
    Path tmp;

    @Test
    void debianDescriptionsTrainTheRecommendedTextClassifierAndTheModelAnswersRawText() throws Exception {
        List<DebianDescriptions.Package> packages = DebianDescriptions.load(SECTIONS, UPLOADED + ASKED);
        StringWriter csv = new StringWriter();
        List<DebianDescriptions.Package> asked = new ArrayList<>();
        try (CSVPrinter out = new CSVPrinter(csv, CSVFormat.RFC4180)) {
            out.printRecord("package", "description", "section");
            for (int i = 0; i < packages.size(); i++) {
                DebianDescriptions.Package p = packages.get(i);
                if (i % (UPLOADED + ASKED) < UPLOADED) {
                    out.printRecord(p.name(), p.text(), p.section());
                } else {
                    asked.add(p);
                }
            }
        }
        AccountPrincipal requester = users.member();
        long dataset = datasets.importDataset(requester.id(), new DatasetUpload(new ListingDraft("Debian sections", "", List.of(),
                "CC0-1.0", BigDecimal.ZERO), Files.writeString(tmp.resolve("debian.csv"), csv.toString()), "debian.csv", null, null,
                "section"));
        Preprocessing encoding = datasets.preprocessing(dataset);
        assertThat(encoding.columns()).as("the package name identifies a row; the description is text")
                .singleElement().satisfies(c -> assertThat(c.freeText()).isTrue());
        assertThat(encoding.textSlots()).isBetween(100, 512);

        RecommendedModels.Recommendation recommended = RecommendedModels.forDataset("Debian sections", encoding, 1500).get(0);
        assertThat(recommended.key()).isEqualTo(RecommendedModels.TEXT);
        long card = models.createPrivate(requester.id(), new ModelUpload(recommended.card().json().toString(), List.of(), null));
        long job = jobs.submit(requester.id(), dataset, card, "{\"epochs\": 3}", 0);
        GpuOffers.IssuedWorker worker = WorkerProcess.registerCpuOffer(offers, users.member().id());
        try (WorkerProcess process = WorkerProcess.start("http://127.0.0.1:" + port, worker.token(), tmp.resolve("cache"), "--no-benchmark")) {
            for (int i = 0; i < WAIT_SECONDS * 5 && !List.of("SUCCEEDED", "FAILED").contains(status(job)); i++) {
                Thread.sleep(200);
            }
            assertThat(status(job)).as(process.log()).isEqualTo("SUCCEEDED");
        }
        double accuracy = jdbc.sql("SELECT verified_accuracy FROM job_results WHERE job_id = ?").param(job).query(Double.class).single();
        System.out.printf("debian descriptions, 5 sections, recommended text classifier, 3 epochs: held-out accuracy %.3f%n", accuracy);
        assertThat(accuracy).as("chance is 0.2").isGreaterThanOrEqualTo(0.6);

        long trained = jdbc.sql("SELECT trained_model_id FROM training_records WHERE job_id = ?").param(job).query(Long.class).single();
        ModelCard trainedCard = new ModelCardValidator().parse(models.cardJson(trained));
        assertThat(trainedCard.specVersion()).isEqualTo("1.4");
        assertThat(trainedCard.isText()).isTrue();
        assertThat(trainedCard.preprocessing()).contains(encoding);
        assertThat(trainedCard.json().at("/interface/input/columns/0/type").stringValue()).isEqualTo("text");

        MvcResult download = mvc.perform(get("/models/" + trained + "/weights").with(user(requester))).andReturn();
        Path weights = Files.write(tmp.resolve("text.safetensors"),
                mvc.perform(asyncDispatch(download)).andReturn().getResponse().getContentAsByteArray());
        float[] expected;
        float[] encoded = new float[asked.size() * encoding.featureCount()];
        List<Map<String, String>> instances = new ArrayList<>();
        for (int i = 0; i < asked.size(); i++) {
            instances.add(Map.of("description", asked.get(i).text()));
            System.arraycopy(encoding.encode(instances.get(i)), 0, encoded, i * encoding.featureCount(), encoding.featureCount());
        }
        try (F32Tensors tensors = F32Tensors.open(weights)) {
            expected = TextNetwork.of(trainedCard, tensors).forward(encoded, asked.size());
        }
        String answer = mvc.perform(post("/api/v1/models/" + trained + "/predict")
                        .header("Authorization", "Bearer " + tokens.issue(requester.id(), "text").token())
                        .contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(Map.of("instances", instances))))
                .andReturn().getResponse().getContentAsString();
        int right = 0, classes = SECTIONS.size();
        for (int i = 0; i < asked.size(); i++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, expected[i * classes + c]);
            }
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(expected[i * classes + c] - max);
            }
            for (var score : json.readTree(answer).at("/predictions/" + i + "/top")) {
                int c = trainedCard.classes().indexOf(score.get("label").stringValue());
                assertThat(score.get("probability").doubleValue()).as(answer)
                        .isCloseTo(Math.exp(expected[i * classes + c] - max) / sum, within(1e-4));
            }
            right += json.readTree(answer).at("/predictions/" + i + "/label").stringValue().equals(asked.get(i).section()) ? 1 : 0;
        }
        System.out.printf("descriptions of packages not uploaded, named right through the API: %d of %d%n", right, asked.size());
        assertThat(right).as(answer).isGreaterThanOrEqualTo(asked.size() / 2);

        // "Try it" on the model's page: a text area for the description, answered with the class the API gives
        String page = mvc.perform(get("/models/" + trained).with(user(requester))).andReturn().getResponse().getContentAsString();
        assertThat(page).containsPattern("<textarea[^>]*name=\"in\\[description\\]\"");
        String tried = mvc.perform(post("/models/" + trained + "/try").with(user(requester)).with(csrf())
                .param("in[description]", asked.get(0).text())).andReturn().getResponse().getContentAsString();
        assertThat(tried).contains("id=\"try-label\">" + json.readTree(answer).at("/predictions/0/label").stringValue() + "<");
    }

    private String status(long job) {
        return jdbc.sql("SELECT status FROM training_jobs WHERE id = ?").param(job).query(String.class).single();
    }
}
