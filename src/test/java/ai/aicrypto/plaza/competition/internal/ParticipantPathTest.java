package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.dataset.internal.TestImports;
import ai.aicrypto.plaza.support.PredictApi;
import ai.aicrypto.plaza.support.TestCompetitions;
import ai.aicrypto.plaza.support.WorkerProcess;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockMultipartFile;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A participant's whole path through the plaza's routes, on real data: the wine table Debian's python3-sklearn ships,
 * split by the test ({@link WineSplit}) into training rows, test inputs and a solution. The host uploads the training
 * rows through the upload form and hosts an ordinary predictions competition with the other two; a participant joins,
 * downloads the training data, the test inputs and the sample submission, and (joined, without a license of the data)
 * trains the builder's recommended network on it (a real gpu-worker, on its CPU engine), calls the trained model's
 * predict API with a personal token on the downloaded test rows as a script would, submits that CSV through the
 * submission API, then submits the model itself; the plaza's run of the model scores exactly what the CSV scores.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT) // for the worker's process and the API calls
class ParticipantPathTest extends DataCompetitionTestSupport {

    private static final int WAIT_SECONDS = 600;
    /** Enough for the 118 training wines, few enough for a loaded machine (as in DataCompetitionTest). */
    private static final int EPOCHS = 30;
    /** Rows per predict call: a script keeps under the API's limit (100 by default). */
    private static final int BATCH = 50;
    private static final CSVFormat WITH_HEADER = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get();

    @LocalServerPort
    int port;
    @Autowired
    TestImports imports;
    @Autowired
    GpuOffers offers;
    @Autowired
    ApiTokens tokens;
    @Autowired
    JsonMapper json;
    @TempDir
    Path tmp;

    @Test
    void aModelTrainedInTheBuilderScoresTheSameAsItsPredictionsFile() throws Exception {
        // 1. The host uploads the training rows through the form and hosts the competition with the other two parts.
        AccountPrincipal host = users.member();
        String training = WineSplit.training(UnaryOperator.identity());
        String location = mvc.perform(multipart("/datasets/new")
                        .file(new MockMultipartFile("file", "wine-train.csv", "text/csv", training.getBytes(StandardCharsets.UTF_8)))
                        .param("listing.title", "Wine training rows").param("listing.description", "118 of the 178 wines")
                        .param("listing.tags", "wine").param("listing.license", "CC0-1.0").param("listing.priceAic", "0")
                        .param("labelColumn", "cultivar").with(user(host)).with(csrf().asHeader()))
                .andReturn().getResponse().getRedirectedUrl();
        long dataset = imports.awaitDataset(location);
        String slug = TestCompetitions.slug("wine");
        String testInputs = WineSplit.testInputs(UnaryOperator.identity());
        int hosted = mvc.perform(TestCompetitions.form(slug, "ACCURACY", WineSplit.solution(), testInputs)
                .param("datasetId", String.valueOf(dataset)).with(user(host)).with(csrf().asHeader())).andReturn().getResponse().getStatus();
        assertThat(hosted).isEqualTo(302);
        Competition c = competitions.bySlug(slug);

        // 2. A participant joins and downloads the three files.
        AccountPrincipal participant = users.member();
        assertThat(mvc.perform(post("/competitions/" + slug + "/join").param("acceptRules", "true").with(user(participant))
                .with(csrf())).andReturn().getResponse().getStatus()).isEqualTo(302);
        assertThat(download(slug, "training/0", participant)).isEqualTo(training);
        String inputs = download(slug, "test-inputs", participant);
        assertThat(inputs).isEqualTo(testInputs);
        List<CSVRecord> rows;
        try (CSVParser parser = WITH_HEADER.parse(new StringReader(inputs))) {
            rows = parser.getRecords();
        }
        List<String> ids = rows.stream().map(r -> r.get("id")).toList();
        assertThat(ids).hasSize(WineSplit.TEST_ROWS).doesNotHaveDuplicates();
        List<String> sample = download(slug, "sample-submission", participant).lines().toList();
        assertThat(sample.get(0)).isEqualTo("id,prediction");
        assertThat(sample.subList(1, sample.size())).extracting(l -> l.substring(0, l.indexOf(','))).isEqualTo(ids);

        // 3. The participant trains the builder's recommended network on the training data: joining let them, as it let
        // them download it (no license of their own).
        GpuOffers.IssuedWorker worker = WorkerProcess.registerCpuOffer(offers, users.member().id());
        long job;
        try (WorkerProcess process = WorkerProcess.start("http://127.0.0.1:" + port, worker.token(), tmp.resolve("cache"), "--no-benchmark")) {
            // The builder offers online GPUs only: the participant waits on its GPU step until the worker is there.
            String online = "name=\"offer\" value=\"" + worker.offerId() + "\"";
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() ->
                    body("/builder?step=4&modelId=recommended:mlp&datasetId=" + dataset, participant).contains(online));
            MockHttpServletResponse built = mvc.perform(post("/builder").with(user(participant)).with(csrf())
                    .param("datasetId", String.valueOf(dataset)).param("modelId", "recommended:mlp")
                    .param("hp[epochs]", String.valueOf(EPOCHS)).param("offer", String.valueOf(worker.offerId()))
                    .param("budget", "10")).andReturn().getResponse();
            assertThat(built.getRedirectedUrl()).as(built.getContentAsString()).startsWith("/jobs/");
            job = Long.parseLong(built.getRedirectedUrl().substring("/jobs/".length()));
            for (int i = 0; i < WAIT_SECONDS * 5 && !List.of("SUCCEEDED", "FAILED").contains(jobStatus(job)); i++) {
                Thread.sleep(200);
            }
            assertThat(jobStatus(job)).as(process.log()).isEqualTo("SUCCEEDED");
        }
        double verified = jdbc.sql("SELECT verified_accuracy FROM job_results WHERE job_id = ?").param(job).query(Double.class).single();
        long model = jdbc.sql("SELECT trained_model_id FROM training_records WHERE job_id = ?").param(job).query(Long.class).single();
        assertThat(jdbc.sql("SELECT owner_id FROM listings WHERE id = ?").param(model).query(Long.class).single())
                .as("the trained model is the participant's").isEqualTo(participant.id());

        // 4. A script with a personal token asks the model about every test row and submits the answers as a file.
        String token = tokens.issue(participant.id(), "script").token();
        String plaza = "http://127.0.0.1:" + port;
        StringBuilder predictions = new StringBuilder("id,prediction\n");
        for (int from = 0; from < rows.size(); from += BATCH) {
            List<Map<String, String>> instances = new ArrayList<>();
            for (CSVRecord row : rows.subList(from, Math.min(rows.size(), from + BATCH))) {
                Map<String, String> instance = new LinkedHashMap<>(row.toMap());
                instance.remove("id");
                instances.add(instance);
            }
            var answer = PredictApi.call(plaza, model, token, json.writeValueAsString(Map.of("instances", instances)));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            JsonNode answers = json.readTree(answer.body()).get("predictions");
            for (int i = 0; i < instances.size(); i++) {
                predictions.append(ids.get(from + i)).append(',').append(answers.get(i).get("label").stringValue()).append('\n');
            }
        }
        String accepted = mvc.perform(multipart("/api/v1/competitions/" + slug + "/submissions")
                        .file(new MockMultipartFile("file", "predictions.csv", "text/csv",
                                predictions.toString().getBytes(StandardCharsets.UTF_8)))
                        .header("Authorization", "Bearer " + token)).andReturn().getResponse().getContentAsString();
        long file = Long.parseLong(accepted.replaceAll(".*\"id\":(\\d+).*", "$1"));

        // ... and then the model itself, from the competition's page, where the trained model is offered.
        assertThat(body("/competitions/" + slug + "/submissions", participant)).contains("id=\"model-form\"")
                .contains("value=\"" + model + "\"");
        assertThat(mvc.perform(post("/competitions/" + slug + "/submissions/model").param("modelId", String.valueOf(model))
                .with(user(participant)).with(csrf())).andReturn().getResponse().getStatus()).isEqualTo(302);
        long run = jdbc.sql("SELECT id FROM submissions WHERE competition_id = ? AND model_id = ?").params(c.id(), model)
                .query(Long.class).single();

        // 5. Both are scored, the same on the public and on the private part.
        await().atMost(Duration.ofSeconds(60)).until(() -> ended(file) && ended(run));
        assertThat(statusOf(file)).as(failure(file)).isEqualTo("SCORED");
        assertThat(statusOf(run)).as(failure(run)).isEqualTo("SCORED");
        List<Double> scores = CompetitionTestSupport.scores(jdbc, file);
        assertThat(CompetitionTestSupport.scores(jdbc, run)).isEqualTo(scores).doesNotContainNull();
        double accuracy = accuracy(predictions.toString(), WineSplit.solution());
        System.out.printf("wine, builder's MLP, %d epochs: verified %.3f, test accuracy %.3f (public %.3f, private %.3f)%n",
                EPOCHS, verified, accuracy, scores.get(0), scores.get(1));
        // A run (2 shared cores): verified 1.000, 59 of the 60 test wines named right (0.983), public 1.000 (18 rows),
        // private 0.976 (42 rows), for both submissions; 27 s for the test, 66 s with the context.
        assertThat(accuracy).as("three cultivars: chance is 1/3").isGreaterThan(0.8);
    }

    private String download(String slug, String file, AccountPrincipal who) throws Exception {
        MockHttpServletResponse response = mvc.perform(get("/competitions/" + slug + "/files/" + file).with(user(who)))
                .andReturn().getResponse();
        assertThat(response.getStatus()).as(file).isEqualTo(200);
        return response.getContentAsString(StandardCharsets.UTF_8);
    }

    private String jobStatus(long job) {
        return jdbc.sql("SELECT status FROM training_jobs WHERE id = ?").param(job).query(String.class).single();
    }

    /** The share of predictions that name the solution's class. */
    private static double accuracy(String predictions, String solution) throws Exception {
        Map<String, String> truth = new LinkedHashMap<>();
        try (CSVParser parser = WITH_HEADER.parse(new StringReader(solution))) {
            parser.forEach(r -> truth.put(r.get(0), r.get(1)));
        }
        int right = 0;
        try (CSVParser parser = WITH_HEADER.parse(new StringReader(predictions))) {
            for (CSVRecord r : parser) {
                right += r.get(1).equals(truth.get(r.get(0))) ? 1 : 0;
            }
        }
        return (double) right / truth.size();
    }
}
