package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.support.WineModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Code submissions on real data: a wine competition (test inputs and solution split from the wine table Debian's
 * python3-sklearn ships) that a participant enters with a model of their own. The plaza runs it on the hidden test
 * inputs; its score is the score of the predictions file made by running the same weights apart from the plaza.
 */
class CodeSubmissionTest extends CompetitionTestSupport {

    /** Every third wine is a test row (the table is sorted by cultivar: this way all three are in the test); ids w0..w59. */
    private static final int TEST_ROWS = 60;

    @Autowired
    Datasets datasets;
    @Autowired
    Models models;
    @TempDir
    Path tmp;

    AccountPrincipal host;
    AccountPrincipal participant;
    WineModel model;

    @BeforeEach
    void aWineModelOfTheParticipants() throws Exception {
        host = users.member();
        participant = users.member();
        model = WineModel.create(datasets, models, participant.id(), tmp, 11, false);
    }

    @Test
    void aModelAndThePredictionsFileMadeByRunningItScoreTheSame() throws Exception {
        Competition c = wineCompetition("ACCURACY", testInputs(Function.identity()));
        teams.join(c, participant, true, clock.instant());

        Submission submitted = submissions.submitModel(c, participant, model.id(), "the wine network");
        assertThat(submitted.modelId()).isEqualTo(model.id());
        assertThat(awaitScored(submitted.id())).as(failure(submitted.id())).isEqualTo("SCORED");

        StringBuilder file = new StringBuilder("id,prediction\n");
        for (int i = 0; i < TEST_ROWS; i++) {
            file.append('w').append(i).append(',').append(model.label(WineModel.record(testRow(i)))).append('\n');
        }
        Submission uploaded = submit(c, participant, file.toString());
        assertThat(awaitScored(uploaded.id())).as(failure(uploaded.id())).isEqualTo("SCORED");

        assertThat(scores(submitted.id())).isEqualTo(scores(uploaded.id())).doesNotContainNull();
        assertThat(jdbc.sql("SELECT blob_key IS NOT NULL FROM submissions WHERE id = ?").param(submitted.id())
                .query(Boolean.class).single()).as("the predictions the plaza made are kept, for rescoring").isTrue();
        String page = mvc.perform(get("/competitions/" + c.slug() + "/submissions").with(user(participant)))
                .andReturn().getResponse().getContentAsString();
        assertThat(page).contains("id=\"model-form\"").contains("Wine").contains("class=\"badge\">model</span>");
    }

    @Test
    void aClassTheHiddenTruthLacksIsAWrongAnswerNotARefusal() throws Exception {
        // A host whose test set has two cultivars: the third's wines are labelled the second. The model, trained on
        // all three, names the third for them: wrong answers, where a file naming it is refused as a typo would be.
        String third = WineModel.cultivar(testRow(TEST_ROWS - 1));
        String second = WineModel.cultivar(testRow(TEST_ROWS / 2));
        Function<String, String> twoCultivars = truth -> truth.equals(third) ? second : truth;
        CompetitionForm form = form(5);
        form.setMetric("ACCURACY");
        Competition c = hostWith(host, form, solution("ACCURACY", twoCultivars), testInputs(Function.identity()));
        teams.join(c, participant, true, clock.instant());

        Submission submitted = submissions.submitModel(c, participant, model.id(), "");
        assertThat(awaitScored(submitted.id())).as(failure(submitted.id())).isEqualTo("SCORED");

        // The same answers with the third cultivar replaced by a class the truth has and the row does not.
        StringBuilder file = new StringBuilder("id,prediction\n");
        int thirdNamed = 0;
        for (int i = 0; i < TEST_ROWS; i++) {
            String answer = model.label(WineModel.record(testRow(i)));
            if (answer.equals(third)) {
                thirdNamed++;
                answer = twoCultivars.apply(WineModel.cultivar(testRow(i))).equals(second) ? WineModel.cultivar(0) : second;
            }
            file.append('w').append(i).append(',').append(answer).append('\n');
        }
        assertThat(thirdNamed).as("the model names the third cultivar").isPositive();
        Submission uploaded = submit(c, participant, file.toString());
        assertThat(awaitScored(uploaded.id())).as(failure(uploaded.id())).isEqualTo("SCORED");
        assertThat(scores(submitted.id())).isEqualTo(scores(uploaded.id())).doesNotContainNull();
    }

    @Test
    void aModelThatCannotAnswerIsRefusedBeforeAnythingCounts() {
        Competition wine = wineCompetition("ACCURACY", testInputs(row -> row.replace("proline", "proline_mg")));
        teams.join(wine, participant, true, clock.instant());
        assertRefused(wine, participant, model.id(), "competition.error.model-columns");

        Competition regression = wineCompetition("RMSE", testInputs(Function.identity()));
        teams.join(regression, participant, true, clock.instant());
        assertRefused(regression, participant, model.id(), "competition.error.model-kind.number");

        CompetitionForm accuracy = form(5);
        accuracy.setMetric("ACCURACY");
        Competition noInputs = hostWith(host, accuracy, solution("ACCURACY"));
        teams.join(noInputs, participant, true, clock.instant());
        assertRefused(noInputs, participant, model.id(), "competition.error.code-needs-test-inputs");

        AccountPrincipal other = users.member();
        Competition fine = wineCompetition("ACCURACY", testInputs(Function.identity()));
        teams.join(fine, other, true, clock.instant());
        assertRefused(fine, other, model.id(), "competition.error.model-not-yours");
        assertThat(jdbc.sql("SELECT count(*) FROM submissions WHERE competition_id IN (?, ?, ?, ?)")
                .params(wine.id(), regression.id(), noInputs.id(), fine.id()).query(Long.class).single()).isZero();
    }

    @Test
    void aRunThatFailsSaysWhyInTheParticipantsLanguageAndGivesTheQuotaBack() throws Exception {
        // One test row the model cannot read: a word where it reads a number.
        Competition c = wineCompetition("ACCURACY", testInputs(row -> row.startsWith("w7,") ? row.replaceFirst("^w7,[^,]*", "w7,plenty") : row), 1);
        teams.join(c, participant, true, clock.instant());
        Submission failed = submissions.submitModel(c, participant, model.id(), "");
        assertThat(awaitScored(failed.id())).isEqualTo("FAILED");
        assertThat(jdbc.sql("SELECT failure FROM submissions WHERE id = ?").param(failed.id()).query(String.class).single())
                .isEqualTo(ScoringRunner.FAILED_MODEL);
        String korean = mvc.perform(get("/competitions/" + c.slug() + "/submissions?lang=ko").with(user(participant)))
                .andReturn().getResponse().getContentAsString();
        assertThat(korean).contains("모델이 테스트 입력을 읽을 수 없었습니다");
        String english = mvc.perform(get("/competitions/" + c.slug() + "/submissions").with(user(participant)))
                .andReturn().getResponse().getContentAsString();
        assertThat(english).contains("a row did not fit its columns");
        for (String page : List.of(korean, english)) {
            // (not "w7" alone: the page's random CSRF token may hold it)
            assertThat(page).as("the hidden row is not quoted").doesNotContain("plenty").doesNotContain("w7,");
        }

        // The quota of 1 a day is free again: the page's form takes the next one.
        var next = post("/competitions/" + c.slug() + "/submissions/model").with(user(participant)).with(csrf())
                .param("modelId", Long.toString(model.id()));
        assertThat(mvc.perform(next).andReturn().getResponse().getStatus()).isEqualTo(302);
    }

    @Test
    void aCodeCompetitionKeepsItsTestInputsFromParticipantsAndTakesModelsOnly() throws Exception {
        CompetitionForm form = form(5);
        form.setMetric("ACCURACY");
        form.setKind(CompetitionForm.MODELS);
        assertThatThrownBy(() -> hostWith(host, form, solution("ACCURACY")))
                .isInstanceOfSatisfying(UserFacingException.class,
                        e -> assertThat(e.messageKey()).isEqualTo("competition.error.models-need-test-inputs"));
        Competition c = hostWith(host, form, solution("ACCURACY"), testInputs(Function.identity()));
        assertThat(c.modelsOnly()).isTrue();
        teams.join(c, participant, true, clock.instant());

        // The participant sees the training data only; the files themselves answer 404, as to a stranger.
        String page = mvc.perform(get("/competitions/" + c.slug()).with(user(participant))).andReturn().getResponse()
                .getContentAsString();
        assertThat(page).doesNotContain("file-test-inputs").doesNotContain("file-sample-submission")
                .contains("Models only (a code competition: the test inputs stay hidden)")
                .contains("/contributions/COMPETITION/" + c.id() + "/standing");
        for (String file : List.of("test-inputs", "sample-submission")) {
            assertThat(mvc.perform(get("/competitions/" + c.slug() + "/files/" + file).with(user(participant)))
                    .andReturn().getResponse().getStatus()).as(file).isEqualTo(404);
            assertThat(mvc.perform(get("/competitions/" + c.slug() + "/files/" + file).with(user(host)))
                    .andReturn().getResponse().getStatus()).as(file).isEqualTo(200);
        }
        assertThat(mvc.perform(get("/competitions/" + c.slug()).with(user(host))).andReturn().getResponse()
                .getContentAsString()).contains("file-test-inputs");

        // A file is refused (it could only be guessed); the page offers models only; a model is run and scored.
        String guessed = "id,prediction\n" + "w0," + WineModel.cultivar(0) + "\n";
        assertThatThrownBy(() -> submit(c, participant, guessed)).isInstanceOfSatisfying(UserFacingException.class,
                e -> assertThat(e.messageKey()).isEqualTo("competition.error.models-only"));
        String submitPage = mvc.perform(get("/competitions/" + c.slug() + "/submissions").with(user(participant)))
                .andReturn().getResponse().getContentAsString();
        assertThat(submitPage).doesNotContain("id=\"submit-form\"").contains("id=\"models-only\"").contains("id=\"model-form\"");
        Submission submitted = submissions.submitModel(c, participant, model.id(), "");
        assertThat(awaitScored(submitted.id())).as(failure(submitted.id())).isEqualTo("SCORED");
        assertThat(jdbc.sql("SELECT count(*) FROM submissions WHERE competition_id = ?").param(c.id()).query(Long.class)
                .single()).isEqualTo(1);
    }

    @Test
    void aModelGoneBeforeItsRunSaysSoAndCountsNothing() {
        Competition c = wineCompetition("ACCURACY", testInputs(Function.identity()));
        teams.join(c, participant, true, clock.instant());
        long id = scoredThenQueuedAgain(c);
        models.discardWeights(model.id());
        runner.score(id);
        awaitScored(id);
        assertThat(jdbc.sql("SELECT status || ' ' || failure FROM submissions WHERE id = ?").param(id).query(String.class)
                .single()).isEqualTo("FAILED " + ScoringRunner.FAILED_MODEL_GONE);
    }

    @Test
    void aRunPastTheTimeLimitEndsFailedWithNothingStored() {
        Competition c = wineCompetition("ACCURACY", testInputs(Function.identity()));
        teams.join(c, participant, true, clock.instant());
        long id = scoredThenQueuedAgain(c);
        // A runner whose limit has passed before it starts: stopped before it writes a prediction.
        scoreWithTimeLimitPassed(id);
        assertThat(statusOf(id)).isEqualTo("FAILED");
        assertThat(jdbc.sql("SELECT failure || ' ' || (blob_key IS NULL) FROM submissions WHERE id = ?").param(id)
                .query(String.class).single()).isEqualTo(ScoringRunner.FAILED_TIMEOUT + " true");
    }

    @Test
    void aRunThatOutlastsTheTimeLimitIsStoppedMidwayAndGivesTheQuotaBack() throws Exception {
        // 30,000 test rows (the wine rows again and again, each its own id): a run of some hundreds of ms, against a
        // limit of 50 ms that rings while the model is running.
        int rows = 30_000;
        StringBuilder inputs = new StringBuilder("id," + String.join(",", WineModel.record(0).keySet())).append('\n');
        StringBuilder truth = new StringBuilder("id,cultivar\n");
        List<String> wines = new java.util.ArrayList<>(), cultivars = new java.util.ArrayList<>();
        for (int w = 0; w < 178; w++) {
            wines.add(String.join(",", WineModel.record(w).values()));
            cultivars.add(WineModel.cultivar(w));
        }
        for (int i = 0; i < rows; i++) {
            inputs.append('r').append(i).append(',').append(wines.get(i % 178)).append('\n');
            truth.append('r').append(i).append(',').append(cultivars.get(i % 178)).append('\n');
        }
        CompetitionForm form = form(1);
        form.setMetric("ACCURACY");
        Competition c = hostWith(host, form, truth.toString(), inputs.toString());
        teams.join(c, participant, true, clock.instant());
        long id = scoredThenQueuedAgain(c);

        long started = System.nanoTime();
        scoreWithTimeLimit(java.time.Duration.ofMillis(50), id);
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(jdbc.sql("SELECT status || ' ' || failure || ' ' || (blob_key IS NULL) FROM submissions WHERE id = ?").param(id)
                .query(String.class).single()).as("after %d ms", tookMs).isEqualTo("FAILED " + ScoringRunner.FAILED_TIMEOUT + " true");
        // The quota of 1 a day is free again.
        assertThat(awaitScored(submissions.submitModel(c, participant, model.id(), "again").id())).isEqualTo("SCORED");
    }

    /** A model submission of the participant's, scored once, then queued again as if its model had not run yet. */
    private long scoredThenQueuedAgain(Competition c) {
        long id = submissions.submitModel(c, participant, model.id(), "").id();
        awaitScored(id);
        jdbc.sql("UPDATE submissions SET status = 'QUEUED', public_score = NULL, private_score = NULL, blob_key = NULL, "
                + "wrapped_data_key = NULL, failure = NULL WHERE id = ?").param(id).update();
        return id;
    }

    private java.util.function.Supplier<String> failure(long submissionId) {
        return () -> jdbc.sql("SELECT coalesce(failure, '') FROM submissions WHERE id = ?").param(submissionId)
                .query(String.class).single();
    }

    private void assertRefused(Competition c, AccountPrincipal who, long modelId, String messageKey) {
        assertThatThrownBy(() -> submissions.submitModel(c, who, modelId, ""))
                .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.messageKey()).isEqualTo(messageKey));
    }

    private Competition wineCompetition(String metric, String testInputs) {
        return wineCompetition(metric, testInputs, 5);
    }

    private Competition wineCompetition(String metric, String testInputs, int perDay) {
        CompetitionForm form = form(perDay);
        form.setMetric(metric);
        return hostWith(host, form, solution(metric), testInputs);
    }

    private static String solution(String metric) {
        return solution(metric, Function.identity());
    }

    /** The test rows' cultivars (ACCURACY) passed through {@code cultivars}, or their alcohol (RMSE, a number to predict). */
    private static String solution(String metric, Function<String, String> cultivars) {
        StringBuilder csv = new StringBuilder(metric.equals("RMSE") ? "id,alcohol_target\n" : "id,cultivar\n");
        for (int i = 0; i < TEST_ROWS; i++) {
            String target = metric.equals("RMSE") ? WineModel.record(testRow(i)).get("alcohol")
                    : cultivars.apply(WineModel.cultivar(testRow(i)));
            csv.append('w').append(i).append(',').append(target).append('\n');
        }
        return csv.toString();
    }

    /** The test rows' measurements with their ids, each line passed through {@code edit} (the header too). */
    private static String testInputs(Function<String, String> edit) {
        Map<String, String> first = WineModel.record(0);
        StringBuilder csv = new StringBuilder(edit.apply("id," + String.join(",", first.keySet()))).append('\n');
        for (int i = 0; i < TEST_ROWS; i++) {
            csv.append(edit.apply("w" + i + "," + String.join(",", WineModel.record(testRow(i)).values()))).append('\n');
        }
        return csv.toString();
    }

    private static int testRow(int i) {
        return 3 * i;
    }
}
