package ai.aicrypto.plaza.competition.internal;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.competition.scoring.Scorer;
import ai.aicrypto.plaza.competition.scoring.Scores;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.MutableClock;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import ai.aicrypto.plaza.storage.PendingBlobs;
import ai.aicrypto.plaza.support.TestUsers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.unit.DataSize;

/**
 * Competition tests share one context: a mutable clock, and the sweeper left to the tests (they call it). Helpers
 * host a small RMSE competition whose truth values are easy to search for in responses.
 */
@Import(MutableClock.Config.class)
@TestPropertySource(properties = "plaza.competition.sweep-interval=1h")
abstract class CompetitionTestSupport extends IntegrationTest {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @Autowired
    TestUsers users;
    @Autowired
    MutableClock clock;
    @Autowired
    CompetitionService competitions;
    @Autowired
    TeamService teams;
    @Autowired
    SubmissionService submissions;
    @Autowired
    ScoringRunner runner;
    @Autowired
    Standings standings;
    @Autowired
    BlobStore blobs;
    @Autowired
    DataKeys dataKeys;
    @Autowired
    PendingBlobs pendingBlobs;
    @Autowired
    PlazaProperties plaza;
    @Autowired
    TransactionTemplate transaction;
    @Autowired
    CodeSubmissions code;
    @Autowired
    Phases phases;

    /** A Monday noon, so that "tomorrow" and "the end" are easy to reason about. */
    static final Instant START = LocalDateTime.of(2031, 3, 3, 12, 0).toInstant(ZoneOffset.UTC);

    @BeforeEach
    void resetClock() {
        clock.set(START);
    }

    /** Test ids t0..t{n-1} with truth 100.123457 + i (distinctive digits for the leakage test). */
    static String solutionCsv(int n) {
        StringBuilder csv = new StringBuilder("id,target\n");
        for (int i = 0; i < n; i++) {
            csv.append("t").append(i).append(',').append(truth(i)).append('\n');
        }
        return csv.toString();
    }

    static String truth(int i) {
        return (100 + i) + ".123457";
    }

    /** Predictions off by {@code error} everywhere: RMSE = error on every part. */
    static String predictions(int n, double error) {
        StringBuilder csv = new StringBuilder("id,prediction\n");
        for (int i = 0; i < n; i++) {
            csv.append("t").append(i).append(',').append(100 + i + 0.123457 + error).append('\n');
        }
        return csv.toString();
    }

    /** Predictions off by {@code publicError} on the public rows and by {@code privateError} on the private ones. */
    String predictions(Competition c, double publicError, double privateError) {
        return predictions(c, phase(c), publicError, privateError);
    }

    /** The same for a phase whose solution is {@link #solutionCsv} of its rows. */
    String predictions(Competition c, CompetitionPhase phase, double publicError, double privateError) {
        Set<Integer> publicRows = publicRows(c, phase);
        StringBuilder csv = new StringBuilder("id,prediction\n");
        for (int i = 0; i < phase.testRows(); i++) {
            double error = publicRows.contains(i) ? publicError : privateError;
            csv.append("t").append(i).append(',').append(100 + i + 0.123457 + error).append('\n');
        }
        return csv.toString();
    }

    /** Which rows are public, found as a participant could not: by scoring one wrong row at a time. */
    private Set<Integer> publicRows(Competition c, CompetitionPhase phase) {
        Set<Integer> rows = new HashSet<>();
        for (int wrong = 0; wrong < phase.testRows(); wrong++) {
            StringBuilder csv = new StringBuilder("id,prediction\n");
            for (int i = 0; i < phase.testRows(); i++) {
                csv.append("t").append(i).append(',').append(100 + i + 0.123457 + (i == wrong ? 1 : 0)).append('\n');
            }
            try {
                Scores scores = Scorer.score(competitions.solution(c, phase),
                        new ByteArrayInputStream(csv.toString().getBytes(StandardCharsets.UTF_8)));
                if (scores.publicScore() > 0) {
                    rows.add(wrong);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return rows;
    }

    /** The competition's first phase: its only one unless a test adds more. */
    CompetitionPhase phase(Competition c) {
        return phases.of(c).get(0);
    }

    Competition host(AccountPrincipal host, int rows, int perDay) {
        return hostWith(host, form(perDay), solutionCsv(rows));
    }

    /** A week-long RMSE competition from {@link #START}, teams of at most 2. */
    static CompetitionForm form(int perDay) {
        CompetitionForm form = new CompetitionForm();
        form.setTitle("Forecast " + SEQUENCE.incrementAndGet());
        form.setSlug("forecast-" + System.nanoTime() % 1_000_000_000 + "-" + SEQUENCE.get());
        form.setMetric("RMSE");
        form.setStartsAt(LocalDateTime.ofInstant(START, ZoneOffset.UTC));
        form.setEndsAt(LocalDateTime.ofInstant(START.plus(7, ChronoUnit.DAYS), ZoneOffset.UTC));
        form.setMergeDeadline(LocalDateTime.ofInstant(START.plus(5, ChronoUnit.DAYS), ZoneOffset.UTC));
        form.setSubmissionsPerDay(perDay);
        form.setMaxTeamSize(2);
        return form;
    }

    Competition hostWith(AccountPrincipal host, CompetitionForm form, String solution) {
        return hostWith(host, form, solution, null);
    }

    /** Hosts with test inputs too, when {@code testInputs} is not null. */
    Competition hostWith(AccountPrincipal host, CompetitionForm form, String solution, String testInputs) {
        Path file = temp(solution);
        Path inputs = testInputs == null ? null : temp(testInputs);
        try {
            return competitions.host(host, form, file, inputs);
        } finally {
            delete(file);
            if (inputs != null) {
                delete(inputs);
            }
        }
    }

    Submission submit(Competition c, AccountPrincipal who, String csv) {
        Path file = temp(csv);
        try {
            return submissions.submit(c, who, file, "predictions.csv", "");
        } finally {
            delete(file);
        }
    }

    /** Waits until the submission has left QUEUED and SCORING (the runner is asynchronous). */
    /** Scores the submission with a runner whose time limit has passed before it starts. */
    void scoreWithTimeLimitPassed(long submissionId) {
        scoreWithTimeLimit(Duration.ZERO, submissionId);
    }

    /** Scores the submission with a runner of this time limit. */
    void scoreWithTimeLimit(Duration limit, long submissionId) {
        var impatient = new ScoringRunner(jdbc, competitions, standings, blobs, dataKeys, pendingBlobs, transaction, clock,
                new CompetitionProperties(limit, 1, DataSize.ofMegabytes(10), 100), code, phases, plaza, new SimpleMeterRegistry());
        try {
            impatient.score(submissionId);
        } finally {
            impatient.destroy();
        }
    }

    String awaitScored(long submissionId) {
        await().atMost(Duration.ofSeconds(60)).until(() -> !List.of("QUEUED", "SCORING").contains(statusOf(submissionId)));
        return statusOf(submissionId);
    }

    /** The submission's public and private scores (null where not scored). */
    List<Double> scores(long submissionId) {
        return scores(jdbc, submissionId);
    }

    /** The same, for the tests on another base: public, then private. */
    static List<Double> scores(JdbcClient jdbc, long submissionId) {
        return jdbc.sql("SELECT public_score, private_score FROM submissions WHERE id = ?").param(submissionId)
                .query((rs, n) -> Arrays.asList((Double) rs.getObject(1), (Double) rs.getObject(2))).single();
    }

    String statusOf(long submissionId) {
        return jdbc.sql("SELECT status FROM submissions WHERE id = ?").param(submissionId).query(String.class).single();
    }

    /** Whether a submission has ended, scored or failed (a data submission trains first). */
    boolean ended(long submissionId) {
        return List.of("SCORED", "FAILED").contains(statusOf(submissionId));
    }

    double publicScore(long submissionId) {
        return jdbc.sql("SELECT public_score FROM submissions WHERE id = ?").param(submissionId).query(Double.class).single();
    }

    AccountPrincipal joined(Competition c) {
        AccountPrincipal member = users.member();
        teams.join(c, member, true, clock.instant());
        return member;
    }

    static Path temp(String content) {
        try {
            Path file = Files.createTempFile("competition-test", ".csv");
            Files.writeString(file, content, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
