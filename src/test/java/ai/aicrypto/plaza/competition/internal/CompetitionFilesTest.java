package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMultipartHttpServletRequestBuilder;

/**
 * A competition on Fashion-MNIST split by the test: the host uploads the test inputs beside the solution, a
 * participant downloads the training data, the test inputs and the sample submission, fits a model on them and
 * submits its predictions; the sample itself is a valid submission. Test inputs that do not name the solution's ids
 * are refused with the exact differences, in English and Korean, and nothing is stored.
 */
class CompetitionFilesTest extends CompetitionTestSupport {

    static final int TRAIN = 600, TEST = 200;
    static FashionCompetition data;

    @Autowired
    Datasets datasets;

    @BeforeAll
    static void split() throws Exception {
        data = new FashionCompetition(TRAIN, TEST);
    }

    @Test
    void participantsDownloadTheFilesAndTheirModelScores() throws Exception {
        AccountPrincipal host = users.member();
        long dataset = trainingDataset(host);
        String slug = "fashion-" + System.nanoTime() % 1_000_000;
        mvc.perform(form(host, slug, dataset, data.solutionCsv(), data.testInputsCsv()));
        Competition c = competitions.bySlug(slug);
        assertThat(phase(c).testRows()).isEqualTo(TEST);

        // Everyone sees which files there are and their sizes; only the host and participants download them.
        String page = mvc.perform(get("/competitions/" + slug).locale(Locale.ENGLISH)).andReturn().getResponse()
                .getContentAsString();
        assertThat(page).contains("fashion-train.csv").contains(slug + "-test.csv").contains(slug + "-sample-submission.csv")
                .contains("200 rows").contains("Join the competition to download")
                .doesNotContain("/files/test-inputs");
        AccountPrincipal stranger = users.member();
        for (String file : List.of("test-inputs", "sample-submission", "training/0")) {
            assertThat(download(slug, file, stranger).getStatus()).isEqualTo(404);
            assertThat(download(slug, file, null).getStatus()).isEqualTo(302);
        }

        AccountPrincipal participant = users.member();
        assertThat(datasets.trainableBy(participant.id(), dataset)).as("not theirs, no license").isEmpty();
        teams.join(c, participant, true, clock.instant());
        // Joined, they may train on it in the builder as they may download it; a stranger still may not.
        assertThat(datasets.trainableBy(participant.id(), dataset)).isPresent();
        assertThat(datasets.trainableBy(participant.id())).extracting(d -> d.id()).contains(dataset);
        assertThat(datasets.trainableBy(stranger.id(), dataset)).isEmpty();
        assertThat(mvc.perform(get("/competitions/" + slug).with(user(participant))).andReturn().getResponse()
                .getContentAsString()).contains("/competitions/" + slug + "/files/test-inputs");
        MockHttpServletResponse training = download(slug, "training/0", participant);
        MockHttpServletResponse inputs = download(slug, "test-inputs", participant);
        MockHttpServletResponse sample = download(slug, "sample-submission", participant);
        assertThat(training.getContentAsString()).isEqualTo(data.trainingCsv());
        assertThat(inputs.getContentAsString()).isEqualTo(data.testInputsCsv());
        assertThat(inputs.getHeader("Content-Disposition")).contains(slug + "-test.csv");
        List<String> sampleLines = sample.getContentAsString().lines().toList();
        assertThat(sampleLines).hasSize(TEST + 1).first().isEqualTo("id,prediction");
        assertThat(sampleLines.subList(1, TEST + 1)).allMatch(l -> l.endsWith(",0"));
        assertThat(sampleLines.subList(1, TEST + 1)).extracting(l -> l.split(",")[0]).isEqualTo(data.ids());
        assertThat(page).contains(ai.aicrypto.plaza.platform.DataSizes.humanReadable(data.testInputsCsv().getBytes(StandardCharsets.UTF_8).length));

        // The model, fitted on what was downloaded, beats the placeholder.
        String predictions = FashionCompetition.centroidPredictions(training.getContentAsString(), inputs.getContentAsString());
        long modelId = submit(c, participant, predictions).id();
        long sampleId = submit(c, participant, sample.getContentAsString()).id();
        assertThat(awaitScored(modelId)).isEqualTo("SCORED");
        assertThat(awaitScored(sampleId)).isEqualTo("SCORED");
        double model = publicScore(modelId);
        double placeholder = publicScore(sampleId);
        assertThat(model).isGreaterThan(0.5);
        assertThat(placeholder).isLessThan(0.3);

        // Proof of Value reads the entry as a use of the competition (its host's) and of its training dataset.
        assertThat(competitions.entrantsBetween(java.time.Instant.EPOCH, java.time.Instant.parse("3000-01-01T00:00:00Z")))
                .filteredOn(e -> e.competitionId() == c.id())
                .extracting(e -> List.of(e.hostId(), e.userId(), e.datasetId(), e.datasetOwnerId()))
                .containsExactly(List.of(host.id(), participant.id(), dataset, host.id()));
    }

    @Test
    void testInputsWithOtherIdsAreRefusedWithTheDifferencesAndNothingIsStored() throws Exception {
        AccountPrincipal host = users.member();
        long dataset = trainingDataset(host);
        long competitionsBefore = count("competitions");
        long filesBefore = count("competition_files");
        long blobsBefore = blobFiles();
        List<String> ids = new ArrayList<>(data.ids());
        ids.removeAll(List.of("f7", "f8", "f150")); // 3 missing
        ids.add("g1"); // 2 the solution does not have
        ids.add("g2");
        ids.add("f3"); // a duplicate, on line 200 + header - 3 + 2 + 1
        String bad = data.testInputsCsv(ids);
        int duplicateLine = ids.size() + 1;

        String english = mvc.perform(form(host, "bad-fashion", dataset, data.solutionCsv(), bad).locale(Locale.ENGLISH))
                .andReturn().getResponse().getContentAsString();
        assertThat(english)
                .contains("2 rows of the test inputs have ids that the solution does not have, for example: g1, g2")
                .contains("3 ids of the solution have no row in the test inputs, for example: f7, f8, f150")
                .contains("Line " + duplicateLine + " of the test inputs: the id &quot;f3&quot; already appeared on line 5.");
        String korean = mvc.perform(form(host, "bad-fashion", dataset, data.solutionCsv(), bad).locale(Locale.KOREAN))
                .andReturn().getResponse().getContentAsString();
        assertThat(korean).contains("테스트 입력의 2개 행에 정답 파일에 없는 id가 있습니다. 예: g1, g2")
                .contains("정답 파일의 id 중 3개가 테스트 입력에 없습니다. 예: f7, f8, f150");

        // Labels among the columns are refused too: participants would download them.
        String withLabels = data.testInputsCsv().replaceFirst("^id,", "id,label,").replaceAll("(?m)^(f\\d+),", "$1,0,");
        assertThat(mvc.perform(form(host, "bad-fashion", dataset, data.solutionCsv(), withLabels).locale(Locale.ENGLISH))
                .andReturn().getResponse().getContentAsString()).contains("named like the solution&#39;s target column");

        assertThat(count("competitions")).isEqualTo(competitionsBefore);
        assertThat(count("competition_files")).isEqualTo(filesBefore);
        assertThat(blobFiles()).isEqualTo(blobsBefore);
    }

    private long trainingDataset(AccountPrincipal host) throws Exception {
        Path csv = Files.createTempFile("fashion-train", ".csv");
        try {
            Files.writeString(csv, data.trainingCsv());
            return datasets.importDataset(host.id(), new DatasetUpload(
                    new ListingDraft("Fashion training", "", List.of(), "MIT", BigDecimal.ZERO), csv, "fashion-train.csv",
                    null, null, "label"));
        } finally {
            Files.delete(csv);
        }
    }

    private MockHttpServletResponse download(String slug, String file, AccountPrincipal who) throws Exception {
        MockHttpServletRequestBuilder request = get("/competitions/" + slug + "/files/" + file);
        if (who != null) {
            request.with(user(who));
        }
        MockHttpServletResponse response = mvc.perform(request).andReturn().getResponse();
        response.setCharacterEncoding("UTF-8");
        return response;
    }

    private MockMultipartHttpServletRequestBuilder form(AccountPrincipal host, String slug, long dataset, String solution,
                                                        String testInputs) {
        var request = multipart("/competitions/new")
                .file(new MockMultipartFile("solution", "solution.csv", "text/csv", solution.getBytes(StandardCharsets.UTF_8)))
                .file(new MockMultipartFile("testInputs", "test.csv", "text/csv", testInputs.getBytes(StandardCharsets.UTF_8)));
        request.param("title", "Fashion " + slug).param("slug", slug).param("metric", "ACCURACY")
                .param("publicPercent", "30").param("datasetId", String.valueOf(dataset))
                .param("startsAt", "2031-03-03T12:00").param("endsAt", "2031-03-10T12:00")
                .param("submissionsPerDay", "5").param("finalSelections", "2").param("maxTeamSize", "3")
                .param("prizePoolAic", "0").param("prizeSplit", "");
        request.with(user(host)).with(csrf().asHeader());
        return request;
    }
}
