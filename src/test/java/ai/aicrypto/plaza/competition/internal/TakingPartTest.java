package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.competition.scoring.SubmissionRejected;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockMultipartFile;

/** Joining, teams, and the rules on submitting: deadlines and the daily quota, enforced with the app's clock. */
class TakingPartTest extends CompetitionTestSupport {

    @Test
    void joiningNeedsTheRulesAcceptedAndMakesATeamOfOne() throws Exception {
        Competition c = host(users.member(), 10, 5);
        AccountPrincipal member = users.member();
        mvc.perform(post("/competitions/" + c.slug() + "/join").with(user(member)).with(csrf()))
                .andExpect(status().is3xxRedirection());
        assertThat(teams.teamOf(c.id(), member.id())).isEmpty();

        mvc.perform(post("/competitions/" + c.slug() + "/join").param("acceptRules", "true").with(user(member)).with(csrf()))
                .andExpect(status().is3xxRedirection());
        TeamService.Team team = teams.teamOf(c.id(), member.id()).orElseThrow();
        assertThat(team.members()).containsExactly(member.getUsername());
        assertThat(mvc.perform(get("/competitions/" + c.slug() + "/team").with(user(member)))
                .andReturn().getResponse().getContentAsString()).contains(member.getUsername());
    }

    @Test
    void theHostCannotJoinTheirOwnCompetition() {
        AccountPrincipal host = users.member();
        Competition c = host(host, 10, 5);
        assertThatThrownBy(() -> teams.join(c, host, true, clock.instant()))
                .isInstanceOf(UserFacingException.class).hasMessage("competition.error.host-joins");
    }

    @Test
    void teamsMergeOnAcceptanceWithinTheSizeLimitAndBeforeTheDeadline() throws Exception {
        Competition c = host(users.member(), 10, 5); // max team size 2
        AccountPrincipal a = joined(c);
        AccountPrincipal b = joined(c);
        AccountPrincipal d = joined(c);
        long bSubmission = submit(c, b, predictions(10, 1.0)).id();

        mvc.perform(post("/competitions/" + c.slug() + "/team/invite").param("username", b.getUsername())
                .with(user(a)).with(csrf())).andExpect(status().is3xxRedirection());
        TeamService.Invite invite = teams.invitesTo(teams.teamOf(c.id(), b.id()).orElseThrow().id()).get(0);
        // Only a member of the invited team may accept.
        mvc.perform(post("/competitions/" + c.slug() + "/team/invites/" + invite.id() + "/accept").with(user(d)).with(csrf()))
                .andExpect(status().isNotFound());
        mvc.perform(post("/competitions/" + c.slug() + "/team/invites/" + invite.id() + "/accept").with(user(b)).with(csrf()))
                .andExpect(status().is3xxRedirection());

        TeamService.Team merged = teams.teamOf(c.id(), b.id()).orElseThrow();
        assertThat(merged.id()).isEqualTo(teams.teamOf(c.id(), a.id()).orElseThrow().id());
        assertThat(merged.members()).containsExactlyInAnyOrder(a.getUsername(), b.getUsername());
        assertThat(submissions.mine(c, a)).extracting(Submission::id).contains(bSubmission);

        // A third member would exceed the maximum of 2.
        assertThatThrownBy(() -> teams.invite(c, a, d.getUsername(), clock.instant()))
                .isInstanceOf(UserFacingException.class).hasMessage("competition.error.team-too-large");

        AccountPrincipal e = joined(c);
        clock.set(c.mergeDeadline());
        assertThatThrownBy(() -> teams.invite(c, d, e.getUsername(), clock.instant()))
                .isInstanceOf(UserFacingException.class).hasMessage("competition.error.merge-closed");
    }

    @Test
    void aMergeThatWouldLiftTheTeamOverTodaysQuotaIsRefused() {
        Competition c = host(users.member(), 10, 2);
        AccountPrincipal a = joined(c);
        AccountPrincipal b = joined(c);
        submit(c, a, predictions(10, 1.0));
        submit(c, a, predictions(10, 2.0));
        submit(c, b, predictions(10, 3.0));
        teams.invite(c, a, b.getUsername(), clock.instant());
        long invite = teams.invitesTo(teams.teamOf(c.id(), b.id()).orElseThrow().id()).get(0).id();
        assertThatThrownBy(() -> teams.accept(c, b, invite, clock.instant()))
                .isInstanceOf(UserFacingException.class).hasMessage("competition.error.merge-quota");
        clock.advance(Duration.ofDays(1)); // a new day: 0 + 0 submissions
        teams.accept(c, b, invite, clock.instant());
        assertThat(teams.teamOf(c.id(), b.id()).orElseThrow().members()).hasSize(2);
    }

    @Test
    void submittingIsOpenFromTheStartToTheEndOnly() {
        Competition c = host(users.member(), 10, 5);
        AccountPrincipal member = joined(c);
        clock.set(c.startsAt().minusSeconds(1));
        assertThatThrownBy(() -> submit(c, member, predictions(10, 1.0)))
                .isInstanceOf(UserFacingException.class).hasMessage("competition.error.not-started");
        clock.set(c.startsAt());
        assertThat(awaitScored(submit(c, member, predictions(10, 1.0)).id())).isEqualTo("SCORED");
        clock.set(c.endsAt());
        assertThatThrownBy(() -> submit(c, member, predictions(10, 1.0)))
                .isInstanceOf(UserFacingException.class).hasMessage("competition.error.ended");
        assertThatThrownBy(() -> submit(c, users.member(), predictions(10, 1.0)))
                .isInstanceOf(UserFacingException.class);
    }

    @Test
    void theDailyQuotaCountsOnlyValidSubmissionsThatHaveNotFailedAndResetsAtMidnightUtc() throws Exception {
        Competition c = host(users.member(), 10, 2);
        AccountPrincipal member = joined(c);
        long blobsBefore = blobFiles();
        // Rejected files are not stored and use no quota.
        assertThatThrownBy(() -> submit(c, member, "id,prediction\nt0,1\n")).isInstanceOf(SubmissionRejected.class);
        assertThat(blobFiles()).isEqualTo(blobsBefore);
        long first = submit(c, member, predictions(10, 1.0)).id();
        awaitScored(first);
        // A failed submission gives its slot back.
        jdbc.sql("UPDATE submissions SET status = 'FAILED' WHERE id = ?").param(first).update();
        submit(c, member, predictions(10, 2.0));
        submit(c, member, predictions(10, 3.0));
        assertThatThrownBy(() -> submit(c, member, predictions(10, 4.0)))
                .isInstanceOf(UserFacingException.class).hasMessage("competition.error.quota");

        clock.set(c.startsAt().plus(Duration.ofHours(12))); // midnight UTC: a new day
        assertThat(awaitScored(submit(c, member, predictions(10, 4.0)).id())).isEqualTo("SCORED");
    }

    @Test
    void theFormShowsEveryProblemOfARejectedFileWithItsLineInTheUsersLanguage() throws Exception {
        Competition c = host(users.member(), 10, 5);
        AccountPrincipal member = joined(c);
        String bad = "id,prediction\nt0,1\nt0,2\nzz,3\nt3,abc\n";
        String page = mvc.perform(multipart("/competitions/" + c.slug() + "/submissions")
                        .file(new MockMultipartFile("file", "p.csv", "text/csv", bad.getBytes(StandardCharsets.UTF_8)))
                        .locale(Locale.ENGLISH).with(user(member)).with(csrf().asHeader()))
                .andExpect(status().isBadRequest())
                .andReturn().getResponse().getContentAsString();
        assertThat(page)
                .contains("Line 3: the id &quot;t0&quot; already appeared on line 2.")
                .contains("Line 4: the id &quot;zz&quot; is not in the test set.")
                .contains("Line 5: the prediction &quot;abc&quot; for id &quot;t3&quot; is not a number.")
                .contains("test ids have no prediction");
        assertThat(teams.usedToday(List.of(teams.teamOf(c.id(), member.id()).orElseThrow().id()), phase(c).id(), clock.instant())).isZero();

        // The HTMX form is told where to go next.
        mvc.perform(multipart("/competitions/" + c.slug() + "/submissions")
                        .file(new MockMultipartFile("file", "p.csv", "text/csv", predictions(10, 1.0).getBytes(StandardCharsets.UTF_8)))
                        .header("HX-Request", "true").with(user(member)).with(csrf().asHeader()))
                .andExpect(status().isOk())
                .andExpect(header().string("HX-Redirect", "/competitions/" + c.slug() + "/submissions"));
    }

    @Test
    void onlyScoredSubmissionsAreSelectedUpToTheLimit() {
        Competition c = host(users.member(), 10, 5);
        AccountPrincipal member = joined(c);
        long[] ids = new long[3];
        for (int i = 0; i < 3; i++) {
            ids[i] = submit(c, member, predictions(10, i + 1.0)).id();
            awaitScored(ids[i]);
        }
        submissions.toggleSelection(c, member, ids[0]);
        submissions.toggleSelection(c, member, ids[1]);
        assertThatThrownBy(() -> submissions.toggleSelection(c, member, ids[2]))
                .isInstanceOf(UserFacingException.class).hasMessage("competition.error.select-limit");
        submissions.toggleSelection(c, member, ids[0]);
        submissions.toggleSelection(c, member, ids[2]);
        assertThat(submissions.mine(c, member)).filteredOn(Submission::selected).extracting(Submission::id)
                .containsExactlyInAnyOrder(ids[1], ids[2]);
    }
}
