package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.support.TestCompetitions;
import ai.aicrypto.plaza.support.WorkerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.TestPropertySource;

/**
 * Data competitions on real data: the wine table Debian's python3-sklearn ships, split into training rows, hidden test
 * inputs and a solution. The host fixes the builder's recommended network for the training rows; two participants
 * submit data, the training rows as they are and the same wines mislabelled. A real gpu-worker trains the host's
 * network on each (on its CPU engine), the plaza verifies and scores each trained model on the hidden test inputs, and
 * the leaderboard ranks the correct data first, naming each team's dataset and who contributed it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// The tests move training on themselves ({@link DataCompetitions#advance}); the scheduled turn would race the timeout test.
@TestPropertySource(properties = "plaza.competition.training-poll=1h")
class DataCompetitionTest extends DataCompetitionTestSupport {

    private static final int WAIT_SECONDS = 600;

    @LocalServerPort
    int port;
    @Autowired
    Datasets datasets;
    @Autowired
    GpuOffers offers;
    @TempDir
    Path tmp;

    AccountPrincipal host;
    long reference;

    @BeforeEach
    void aHostWithTheTrainingRows() throws Exception {
        host = users.member();
        reference = WineSplit.upload(datasets, host.id(), tmp, "Wine training rows", WineSplit.training(UnaryOperator.identity()));
    }

    /** Jobs a test left queued would be the next test's worker's first work. */
    @AfterEach
    void cancelQueuedJobs() {
        jdbc.sql("UPDATE training_jobs SET status = 'CANCELLED' WHERE status = 'QUEUED'").update();
    }

    @Test
    void theCorrectDataRanksAboveTheMislabelledAndTheBoardNamesIt() throws Exception {
        Competition c = host(dataForm(5, 30));
        AccountPrincipal alice = joined(c);
        AccountPrincipal bob = joined(c);
        long good = WineSplit.upload(datasets, alice.id(), tmp, "Wine as measured", WineSplit.training(UnaryOperator.identity()));
        long bad = WineSplit.upload(datasets, bob.id(), tmp, "Wine relabelled", WineSplit.training(WineSplit::mislabelled));

        // Alice through the page's form, Bob through the service.
        int status = mvc.perform(post("/competitions/" + c.slug() + "/submissions/data").with(user(alice)).with(csrf())
                .param("datasetId", Long.toString(good)).param("description", "as measured")).andReturn().getResponse().getStatus();
        assertThat(status).isEqualTo(302);
        long aliceEntry = jdbc.sql("SELECT id FROM submissions WHERE competition_id = ? AND submitter_id = ?")
                .params(c.id(), alice.id()).query(Long.class).single();
        long bobEntry = submissions.submitData(c, bob, bad, "relabelled").id();
        assertThat(statusOf(aliceEntry)).isEqualTo("TRAINING");
        String page = body("/competitions/" + c.slug() + "/submissions", alice);
        assertThat(page).contains("id=\"data-form\"").contains("Wine as measured").doesNotContain("id=\"submit-form\"")
                .contains("/jobs/");

        GpuOffers.IssuedWorker worker = WorkerProcess.registerCpuOffer(offers, users.member().id());
        try (WorkerProcess process = WorkerProcess.start("http://127.0.0.1:" + port, worker.token(), tmp.resolve("cache"), "--no-benchmark")) {
            for (int i = 0; i < WAIT_SECONDS * 5 && !(ended(aliceEntry) && ended(bobEntry)); i++) {
                data.advance();
                Thread.sleep(200);
            }
            assertThat(statusOf(aliceEntry)).as(process.log() + failure(aliceEntry)).isEqualTo("SCORED");
            assertThat(statusOf(bobEntry)).as(process.log() + failure(bobEntry)).isEqualTo("SCORED");
        }
        double aliceScore = score(aliceEntry), bobScore = score(bobEntry);
        System.out.printf("wine data competition, recommended MLP, 30 epochs: correct data %.3f, mislabelled %.3f%n", aliceScore, bobScore);
        assertThat(aliceScore).as("the correct data's model names most cultivars").isGreaterThan(0.8);
        assertThat(bobScore).as("the mislabelled data's model names most of them wrong").isLessThan(0.3);

        long aliceModel = jdbc.sql("SELECT model_id FROM submissions WHERE id = ?").param(aliceEntry).query(Long.class).single();
        assertThat(jdbc.sql("SELECT owner_id FROM listings WHERE id = ?").param(aliceModel).query(Long.class).single())
                .as("the model trained on Alice's data is hers").isEqualTo(alice.id());

        String board = body("/competitions/" + c.slug() + "/leaderboard", null);
        assertThat(board.indexOf("Wine as measured")).as(board).isPositive().isLessThan(board.indexOf("Wine relabelled"));
        assertThat(board).contains(alice.displayName());
        String korean = body("/competitions/" + c.slug() + "?lang=ko", null);
        assertThat(korean).contains("데이터 대회").contains("최고 데이터");
    }

    @Test
    void dataThatDoesNotFitIsRefusedWithTheDifferenceAndNothingCounts() throws Exception {
        Competition c = host(dataForm(1, 30));
        AccountPrincipal alice = joined(c);
        long noProline = WineSplit.upload(datasets, alice.id(), tmp, "No proline",
                WineSplit.training(line -> line.replaceFirst(",[^,]*,([^,]*)$", ",$1")));
        assertRefused(c, alice, noProline, "competition.error.data-columns", "proline", "-");
        long twoCultivars = WineSplit.upload(datasets, alice.id(), tmp, "Two cultivars",
                WineSplit.training(line -> line.replace("class_2", "class_1")));
        assertRefused(c, alice, twoCultivars, "competition.error.data-classes", "class_2", "-");
        assertRefused(c, alice, reference, "competition.error.data-not-yours");

        // In Korean on the page, with the exact difference; a predictions file is not what this competition takes.
        String korean = mvc.perform(post("/competitions/" + c.slug() + "/submissions/data").with(user(alice)).with(csrf())
                .param("datasetId", Long.toString(noProline)).locale(Locale.KOREAN)).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(korean).contains("없는 열: proline");
        String file = mvc.perform(multipart("/competitions/" + c.slug() + "/submissions")
                .file(new MockMultipartFile("file", "p.csv", "text/csv", "id,prediction\nw0,class_0\n".getBytes(StandardCharsets.UTF_8)))
                .with(user(alice)).with(csrf().asHeader())).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(file).contains("This is a data competition");
        assertThat(jdbc.sql("SELECT count(*) FROM submissions WHERE competition_id = ?").param(c.id()).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM training_jobs WHERE requester_id = ?").param(alice.id()).query(Long.class).single()).isZero();

        // One a day: the second is refused, and nothing of it is stored.
        long fine = WineSplit.upload(datasets, alice.id(), tmp, "Fine", WineSplit.training(UnaryOperator.identity()));
        submissions.submitData(c, alice, fine, "");
        assertRefused(c, alice, fine, "competition.error.quota");
        assertThat(jdbc.sql("SELECT count(*) FROM training_jobs WHERE requester_id = ?").param(alice.id()).query(Long.class).single()).isOne();
    }

    /**
     * The job a data submission queued is the submitter's, and its page is open to the submitting team: a teammate
     * (merged in after the submission) follows its status from the team's submissions, without the requester's
     * controls; a stranger, or another team's member, is told it does not exist.
     */
    @Test
    void theSubmittingTeamFollowsTheTrainingJobAndNobodyElse() throws Exception {
        Competition c = host(dataForm(1, 5));
        AccountPrincipal alice = joined(c);
        AccountPrincipal bob = joined(c);
        long mine = WineSplit.upload(datasets, alice.id(), tmp, "Alice's wines", WineSplit.training(UnaryOperator.identity()));
        Submission entry = submissions.submitData(c, alice, mine, "");
        teams.invite(c, alice, bob.getUsername(), competitions.now());
        long invite = jdbc.sql("SELECT id FROM team_invites WHERE from_team_id = (SELECT team_id FROM participants "
                + "WHERE competition_id = ? AND user_id = ?)").params(c.id(), alice.id()).query(Long.class).single();
        teams.accept(c, bob, invite, competitions.now());

        String link = "/jobs/" + entry.trainingJobId();
        assertThat(body("/competitions/" + c.slug() + "/submissions", bob)).contains(link);
        var teammate = mvc.perform(get(link).with(user(bob))).andReturn().getResponse();
        assertThat(teammate.getStatus()).isEqualTo(200);
        assertThat(teammate.getContentAsString(StandardCharsets.UTF_8)).contains("id=\"job-status\"")
                .doesNotContain("id=\"cancel-form\"");
        assertThat(mvc.perform(get(link + "/panel").with(user(bob))).andReturn().getResponse().getStatus()).isEqualTo(200);

        AccountPrincipal stranger = users.member();
        assertThat(mvc.perform(get(link).with(user(stranger))).andReturn().getResponse().getStatus()).isEqualTo(404);
        assertThat(mvc.perform(get(link + "/panel").with(user(stranger))).andReturn().getResponse().getStatus()).isEqualTo(404);
        AccountPrincipal otherParticipant = joined(c);
        assertThat(mvc.perform(get(link).with(user(otherParticipant))).andReturn().getResponse().getStatus())
                .as("another team's member").isEqualTo(404);
    }

    @Test
    void trainingPastTheTimeLimitEndsFailedCancelsTheJobAndGivesTheQuotaBack() throws Exception {
        Competition c = host(dataForm(1, 5));
        AccountPrincipal alice = joined(c);
        long mine = WineSplit.upload(datasets, alice.id(), tmp, "Mine", WineSplit.training(UnaryOperator.identity()));
        Submission entry = submissions.submitData(c, alice, mine, "");
        data.advance();
        assertThat(statusOf(entry.id())).as("no worker yet: still training").isEqualTo("TRAINING");

        // No worker took it within the 5 minutes.
        jdbc.sql("UPDATE submissions SET training_started_at = training_started_at - interval '6 minutes' WHERE id = ?")
                .param(entry.id()).update();
        data.advance();
        assertThat(statusOf(entry.id())).isEqualTo("FAILED");
        assertThat(failure(entry.id())).isEqualTo(DataCompetitions.FAILED_TRAINING_TIME);
        assertThat(jdbc.sql("SELECT status FROM training_jobs WHERE id = ?").param(entry.trainingJobId()).query(String.class).single())
                .isEqualTo("CANCELLED");
        String page = body("/competitions/" + c.slug() + "/submissions", alice);
        assertThat(page).contains("Training did not finish within").contains("5 minutes");
        assertThat(submissions.submitData(c, alice, mine, "again").status()).isEqualTo(Submission.Status.TRAINING);
    }

    @Test
    void hostingChecksTheModelItsHyperparametersAndTheFormat() throws Exception {
        CompetitionForm unknown = dataForm(5, 30);
        unknown.setHyperparameters("{\"epochs\": 3, \"depth\": 4}");
        assertHostingRefused(unknown, "competition.error.hp-unknown");
        CompetitionForm outOfRange = dataForm(5, 30);
        outOfRange.setHyperparameters("{\"epochs\": 0}");
        assertHostingRefused(outOfRange, "competition.error.hp-value");
        // Alcohol as the label: the recommended network for it predicts a number, which accuracy cannot score.
        CompetitionForm regression = dataForm(5, 30);
        // (one more digit per wine, so that the alcohol levels are too many to be classes).
        AtomicInteger wine = new AtomicInteger();
        UnaryOperator<String> distinct = line -> line.startsWith("alcohol") ? line
                : line.replaceFirst("^([0-9.]+),", "$1" + String.format("%03d", wine.incrementAndGet()) + ",");
        regression.setDatasetId(WineSplit.upload(datasets, host.id(), tmp, "Wine by alcohol", WineSplit.training(distinct), "alcohol"));
        assertHostingRefused(regression, "competition.error.template-metric");
        CompetitionForm noData = dataForm(5, 30);
        noData.setDatasetId(null);
        assertHostingRefused(noData, "competition.error.data-needs-dataset");
        CompetitionForm tooLong = dataForm(5, 1441);
        assertHostingRefused(tooLong, "competition.error.training-minutes");
        assertThatThrownBy(() -> competitions.host(host, dataForm(5, 30), CompetitionTestSupport.temp(WineSplit.solution()),
                CompetitionTestSupport.temp(WineSplit.testInputs(line -> line.replace(",proline", ",proline_mg")))))
                .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.messageKey()).isEqualTo("competition.error.data-test-columns"));
        assertThat(jdbc.sql("SELECT count(*) FROM competitions WHERE host_id = ?").param(host.id()).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM listings WHERE owner_id = ? AND kind = 'MODEL'").param(host.id())
                .query(Long.class).single()).as("no template card left behind").isZero();
    }

    /** A data competition on the host's training rows: the recommended network, few epochs, running 2020-2099. */
    private CompetitionForm dataForm(int perDay, int minutes) {
        CompetitionForm form = new CompetitionForm();
        form.setTitle("Best wine data");
        form.setSlug(TestCompetitions.slug("wine-data"));
        form.setMetric("ACCURACY");
        form.setStartsAt(LocalDateTime.of(2020, 1, 1, 0, 0));
        form.setEndsAt(LocalDateTime.of(2099, 1, 1, 0, 0));
        form.setSubmissionsPerDay(perDay);
        form.setMaxTeamSize(2);
        form.setPrizeSplit("");
        form.setDatasetId(reference);
        form.setKind(CompetitionForm.DATA);
        form.setTemplateRecommendation("mlp");
        form.setHyperparameters("{\"epochs\": 30}");
        form.setTrainingMinutes(minutes);
        return form;
    }

    private Competition host(CompetitionForm form) {
        Path solution = CompetitionTestSupport.temp(WineSplit.solution());
        Path inputs = CompetitionTestSupport.temp(WineSplit.testInputs(UnaryOperator.identity()));
        try {
            return competitions.host(host, form, solution, inputs);
        } finally {
            CompetitionTestSupport.delete(solution);
            CompetitionTestSupport.delete(inputs);
        }
    }

    private void assertHostingRefused(CompetitionForm form, String key) {
        assertThatThrownBy(() -> host(form)).isInstanceOfSatisfying(UserFacingException.class,
                e -> assertThat(e.messageKey()).isEqualTo(key));
    }
}
