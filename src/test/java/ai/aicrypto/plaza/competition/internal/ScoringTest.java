package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;

import ai.aicrypto.plaza.account.AccountPrincipal;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Asynchronous scoring, its time limit, the sweeper, and the leaderboards it feeds. */
class ScoringTest extends CompetitionTestSupport {


    @Test
    void submissionsAreScoredOffTheRequestAndRankedBestFirstWithBaselinesApart() throws Exception {
        AccountPrincipal host = users.member();
        Competition c = host(host, 20, 5);
        AccountPrincipal good = joined(c);
        AccountPrincipal worse = joined(c);
        long baseline = submit(c, host, predictions(20, 5.0)).id();
        long w = submit(c, worse, predictions(20, 2.0)).id();
        long g1 = submit(c, good, predictions(20, 3.0)).id();
        clock.advance(Duration.ofMinutes(1));
        long g2 = submit(c, good, predictions(20, 0.5)).id();
        for (long id : new long[] {baseline, w, g1, g2}) {
            assertThat(awaitScored(id)).isEqualTo("SCORED");
        }
        assertThat(submissions.mineById(c, good, g2).publicScore()).isCloseTo(0.5, within(1e-9));

        var board = standings.publicBoard(phase(c), 10);
        assertThat(board).extracting(Standings.Row::team).containsExactly(good.getUsername(), worse.getUsername());
        assertThat(board.get(0).entries()).isEqualTo(2);
        assertThat(board.get(0).scoreText()).isEqualTo("0.5");
        assertThat(standings.baselines(phase(c))).extracting(Standings.Baseline::scoreText).containsExactly("5");

        String page = mvc.perform(get("/competitions/" + c.slug())).andReturn().getResponse().getContentAsString();
        assertThat(page).contains("class=\"baseline\"").contains("sse-connect=\"/competitions/" + c.slug() + "/live\"")
                .contains("id=\"score-chart\"");
        String fragment = mvc.perform(get("/competitions/" + c.slug() + "/leaderboard").header("HX-Request", "true"))
                .andReturn().getResponse().getContentAsString();
        assertThat(fragment).startsWith("<section").contains(good.getUsername());
        // Only improvements of the best score are charted: 2.0 (or 3.0 first), then 0.5.
        assertThat(standings.history(phase(c))).extracting(Standings.Point::score).contains(0.5).doesNotContain(5.0);
    }

    @Test
    void leaderboardPagesAreToldOverServerSentEventsWhenAScoreArrives() throws Exception {
        Competition c = host(users.member(), 10, 5);
        AccountPrincipal member = joined(c);
        var stream = mvc.perform(get("/competitions/" + c.slug() + "/live")).andReturn();
        assertThat(stream.getRequest().isAsyncStarted()).isTrue();
        assertThat(stream.getResponse().getContentType()).startsWith("text/event-stream");
        awaitScored(submit(c, member, predictions(10, 1.0)).id());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> stream.getResponse().getContentAsString().contains("event:leaderboard"));
    }

    @Test
    void tiesGoToTheEarlierSubmission() {
        Competition c = host(users.member(), 10, 5);
        AccountPrincipal early = joined(c);
        AccountPrincipal late = joined(c);
        long a = submit(c, early, predictions(10, 1.0)).id();
        clock.advance(Duration.ofMinutes(5));
        long b = submit(c, late, predictions(10, 1.0)).id();
        awaitScored(a);
        awaitScored(b);
        assertThat(standings.publicBoard(phase(c), 10)).extracting(Standings.Row::team)
                .containsExactly(early.getUsername(), late.getUsername());
    }

    @Test
    void scoringPastTheTimeLimitEndsFailedAndGivesTheQuotaBack() {
        Competition c = host(users.member(), 70_000, 5);
        AccountPrincipal member = joined(c);
        long id = submit(c, member, predictions(70_000, 1.0)).id();
        awaitScored(id);
        jdbc.sql("UPDATE submissions SET status = 'QUEUED', public_score = NULL, private_score = NULL WHERE id = ?")
                .param(id).update();
        // A runner whose limit has passed before it starts: interrupted while reading the 70,000 rows.
        scoreWithTimeLimitPassed(id);
        assertThat(statusOf(id)).isEqualTo("FAILED");
        assertThat(jdbc.sql("SELECT failure FROM submissions WHERE id = ?").param(id).query(String.class).single())
                .isEqualTo(ScoringRunner.FAILED_TIMEOUT);
        assertThat(teams.usedToday(List.of(teams.teamOf(c.id(), member.id()).orElseThrow().id()), phase(c).id(), clock.instant())).isZero();
    }

    @Test
    void theSweeperFailsSubmissionsStuckInScoringAndPicksUpForgottenQueuedOnes() {
        Competition c = host(users.member(), 10, 5);
        AccountPrincipal member = joined(c);
        long stuck = submit(c, member, predictions(10, 1.0)).id();
        long forgotten = submit(c, member, predictions(10, 2.0)).id();
        awaitScored(stuck);
        awaitScored(forgotten);
        // As after a crash: one was being scored, one was queued but never handed to a scorer.
        jdbc.sql("UPDATE submissions SET status = 'SCORING', scoring_started_at = ? WHERE id = ?")
                .params(Timestamp.from(clock.instant()), stuck).update();
        jdbc.sql("UPDATE submissions SET status = 'QUEUED', public_score = NULL WHERE id = ?").param(forgotten).update();

        clock.advance(Duration.ofMinutes(4)); // within the 5-minute limit: left alone
        runner.sweep();
        assertThat(statusOf(stuck)).isEqualTo("SCORING");
        assertThat(awaitScored(forgotten)).isEqualTo("SCORED");

        clock.advance(Duration.ofMinutes(2));
        runner.sweep();
        assertThat(statusOf(stuck)).isEqualTo("FAILED");
        assertThat(jdbc.sql("SELECT failure FROM submissions WHERE id = ?").param(stuck).query(String.class).single())
                .isEqualTo(ScoringRunner.FAILED_STUCK);
    }

    @Test
    void atTheEndSelectedOrBestPublicSubmissionsAreRankedByTheirPrivateScore() throws Exception {
        Competition c = host(users.member(), 20, 5);
        AccountPrincipal selector = joined(c);
        AccountPrincipal chooser = joined(c);
        // selector: best public but poor private; selects its other, privately better one.
        long overfit = submit(c, selector, predictions(c, 0.1, 9.0)).id();
        long robust = submit(c, selector, predictions(c, 1.0, 1.0)).id();
        // chooser selects nothing: its best public submission (0.2 / 0.3) counts.
        long chosen = submit(c, chooser, predictions(c, 0.2, 0.3)).id();
        for (long id : new long[] {overfit, robust, chosen}) {
            awaitScored(id);
        }
        submissions.toggleSelection(c, selector, robust);
        assertThat(standings.publicBoard(phase(c), 10)).extracting(Standings.Row::team)
                .containsExactly(selector.getUsername(), chooser.getUsername());
        assertThat(standings.finalBoard(phase(c), 10)).isEmpty();

        clock.set(c.endsAt());
        runner.sweep();
        Competition ended = competitions.find(c.id());
        assertThat(ended.finalized()).isTrue();
        var finalBoard = standings.finalBoard(phase(ended), 10);
        assertThat(finalBoard).extracting(Standings.FinalRow::team).containsExactly(chooser.getUsername(), selector.getUsername());
        assertThat(finalBoard).extracting(Standings.FinalRow::privateText).containsExactly("0.3", "1");

        String page = mvc.perform(get("/competitions/" + c.slug())).andReturn().getResponse().getContentAsString();
        assertThat(page).contains("id=\"final-leaderboard\"").contains("id=\"public-leaderboard\"").doesNotContain("sse-connect");
        String body = mvc.perform(get("/competitions/" + c.slug() + "/leaderboard.csv")).andReturn().getResponse()
                .getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(body).startsWith("final_rank,team,private_score,public_score,entries")
                .contains("1," + chooser.getUsername() + ",0.3,0.2,1");
    }
}
