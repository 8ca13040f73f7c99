package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.MvcResult;

/** The host's tools: closing early with a reason, rescoring after a fixed solution, the final submissions as a ZIP. */
class HostToolsTest extends CompetitionTestSupport {

    @Test
    void theHostClosesEarlyWithAReasonShownOnThePage() throws Exception {
        AccountPrincipal host = users.member();
        Competition c = host(host, 10, 5);
        AccountPrincipal a = joined(c);
        awaitScored(submit(c, a, predictions(10, 0.5)).id());
        String path = "/competitions/" + c.slug() + "/close";

        for (AccountPrincipal notTheHost : List.of(a, users.member(), users.admin())) {
            assertThat(mvc.perform(post(path).param("reason", "Leak").with(user(notTheHost)).with(csrf()))
                    .andReturn().getResponse().getStatus()).isEqualTo(404);
        }
        mvc.perform(post(path).param("reason", " ").with(user(host)).with(csrf()));
        assertThat(competitions.find(c.id()).closedEarly()).isFalse();

        clock.set(START.plusSeconds(3600));
        mvc.perform(post(path).param("reason", "The test labels leaked on a forum").with(user(host)).with(csrf()));
        Competition closed = competitions.find(c.id());
        assertThat(closed.closedAt()).isEqualTo(START.plusSeconds(3600));
        assertThat(closed.endsAt()).isEqualTo(c.endsAt()); // as announced, for the prize escrow
        assertThat(closed.finalized()).isTrue(); // nothing was waiting for scoring
        String page = mvc.perform(get("/competitions/" + c.slug()).locale(Locale.ENGLISH)).andReturn().getResponse()
                .getContentAsString();
        assertThat(page).contains("The host closed this competition early, on 2031-03-03 13:00 UTC: The test labels leaked on a forum")
                .contains("id=\"final-leaderboard\"").contains(">Ended<");
        assertThatThrownBy(() -> submit(closed, a, predictions(10, 0.1))).isInstanceOf(UserFacingException.class)
                .hasMessage("competition.error.ended");
        assertThatThrownBy(() -> teams.join(closed, users.member(), true, clock.instant()))
                .isInstanceOf(UserFacingException.class).hasMessage("competition.error.ended");
        // Closing twice is refused.
        mvc.perform(post(path).param("reason", "again").with(user(host)).with(csrf()));
        assertThat(competitions.find(c.id()).closeReason()).isEqualTo("The test labels leaked on a forum");
    }

    /**
     * Review L13: two instances' sweepers may both read a phase as not finalized; the one that takes the lock second
     * reads it again and changes nothing (it used to rank the phase again and move its and the competition's date).
     */
    @Test
    void aFinalizationThatReadThePhaseBeforeAnotherFinalizedItChangesNothing() {
        Competition c = host(users.member(), 10, 5);
        AccountPrincipal a = joined(c);
        awaitScored(submit(c, a, predictions(10, 0.5)).id());
        CompetitionPhase readBeforeTheEnd = phase(c);
        Instant first = c.endsAt().plusSeconds(60);
        assertThat(finalize(readBeforeTheEnd, first)).isTrue();
        assertThat(phase(c).finalizedAt()).isEqualTo(first);
        List<Standings.FinalRow> board = standings.finalBoard(phase(c), 10);

        assertThat(readBeforeTheEnd.finalized()).as("still the old read").isFalse();
        Instant second = first.plusSeconds(60);
        assertThat(finalize(readBeforeTheEnd, second)).isTrue();
        assertThat(phase(c).finalizedAt()).isEqualTo(first);
        assertThat(competitions.find(c.id()).finalizedAt()).isEqualTo(first);
        assertThat(standings.finalBoard(phase(c), 10)).isEqualTo(board);
    }

    @Test
    void aFixedSolutionRescoresEverySubmissionAndLogsWhatMoved() throws Exception {
        AccountPrincipal host = users.member();
        Competition c = host(host, 20, 5);
        AccountPrincipal a = joined(c);
        AccountPrincipal b = joined(c);
        long aId = submit(c, a, predictions(20, 0.1)).id();
        long bId = submit(c, b, predictions(20, 0.2)).id();
        long baseline = submit(c, host, predictions(20, 0.4)).id();
        List.of(aId, bId, baseline).forEach(this::awaitScored);
        assertThat(teamsInOrder(c)).containsExactly(a.getUsername(), b.getUsername());
        String oldKey = phase(c).solutionBlobKey();
        long blobsBefore = blobFiles();

        // Other ids: refused with the exact differences, nothing changes.
        String otherIds = solutionCsv(20).replace("t19,", "u19,").replace("t18,", "u18,");
        assertThat(flashErrors(c, host, otherIds)).containsExactly(
                "The fixed solution has 2 ids that the current solution does not have, for example: u18, u19. "
                        + "A fixed solution must name exactly the same test ids.",
                "2 ids of the current solution are missing from the fixed one, for example: t18, t19. "
                        + "A fixed solution must name exactly the same test ids.");
        assertThat(phase(c).solutionBlobKey()).isEqualTo(oldKey);
        assertThat(count("competition_rescores")).isZero();
        assertThat(blobFiles()).isEqualTo(blobsBefore);
        assertThat(rescore(c, a, solutionCsv(20), "mine now").getStatus()).isEqualTo(404);

        // Every truth was 0.2 too low: b's predictions were right all along.
        StringBuilder fixed = new StringBuilder("id,target\n");
        for (int i = 0; i < 20; i++) {
            fixed.append("t").append(i).append(',').append(100 + i + 0.323457).append('\n');
        }
        rescore(c, host, fixed.toString(), "Every target was 0.2 too low");
        Competition after = competitions.find(c.id());
        assertThat(phase(after).solutionBlobKey()).isNotEqualTo(oldKey);
        assertThat(blobFiles()).isEqualTo(blobsBefore); // the new solution and sample replaced the old ones
        assertThat(teamsInOrder(after)).containsExactly(b.getUsername(), a.getUsername());
        assertThat(score(bId)).isLessThan(1e-9);
        assertThat(score(aId)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(score(baseline)).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-9));

        String page = mvc.perform(get("/competitions/" + c.slug()).locale(Locale.ENGLISH)).andReturn().getResponse()
                .getContentAsString();
        assertThat(page).contains("the solution was fixed (Every target was 0.2 too low); 3 submissions were scored again.");
        String log = page.substring(page.indexOf("id=\"rescores\""));
        assertThat(log.indexOf(b.getUsername())).isLessThan(log.indexOf(a.getUsername()));
        assertThat(log).contains("2 → 1").contains("1 → 2").contains("0.2 → 0");
        HostTools.Rescore entry = hostTools.rescores(after).get(0);
        assertThat(entry.changes()).extracting(HostTools.Change::team, HostTools.Change::rankBefore, HostTools.Change::rankAfter)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(b.getUsername(), 2L, 1L),
                        org.assertj.core.groups.Tuple.tuple(a.getUsername(), 1L, 2L));

        // New submissions are scored against the fixed solution.
        long again = submit(after, a, predictions(20, 0.2)).id();
        awaitScored(again);
        assertThat(score(again)).isLessThan(1e-9);
    }

    @Test
    void theHostDownloadsEveryTeamsFinalSubmissionsAsAZip() throws Exception {
        AccountPrincipal host = users.member();
        Competition c = host(host, 10, 5);
        AccountPrincipal a = joined(c);
        AccountPrincipal b = joined(c);
        String aFirst = predictions(10, 0.3);
        String aSecond = predictions(10, 0.1);
        String bOnly = predictions(10, 0.2);
        long a1 = submit(c, a, aFirst).id();
        long a2 = submit(c, a, aSecond).id();
        long b1 = submit(c, b, bOnly).id();
        List.of(a1, a2, b1).forEach(this::awaitScored);
        submissions.toggleSelection(c, a, a1); // a chose its worse one: only that counts

        String zip = "/competitions/" + c.slug() + "/final-submissions.zip";
        assertThat(mvc.perform(get(zip).with(user(host))).andReturn().getResponse().getStatus()).isEqualTo(400);
        assertThat(mvc.perform(get(zip).with(user(a))).andReturn().getResponse().getStatus()).isEqualTo(404);

        clock.set(c.endsAt());
        runner.sweep();
        MvcResult result = mvc.perform(get(zip).with(user(host))).andReturn();
        assertThat(result.getResponse().getHeader("Content-Disposition")).contains(c.slug() + "-final-submissions.zip");
        Map<String, String> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(result.getResponse().getContentAsByteArray()))) {
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                entries.put(entry.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        assertThat(entries.keySet()).containsExactly("manifest.csv",
                "001-" + b.getUsername() + "/" + b1 + "-predictions.csv",
                "002-" + a.getUsername() + "/" + a1 + "-predictions.csv");
        assertThat(entries.get("001-" + b.getUsername() + "/" + b1 + "-predictions.csv")).isEqualTo(bOnly);
        assertThat(entries.get("002-" + a.getUsername() + "/" + a1 + "-predictions.csv")).isEqualTo(aFirst);
        List<String> manifest = entries.get("manifest.csv").lines().toList();
        assertThat(manifest.get(0)).isEqualTo("final_rank,team,submission_id,file,submitted_at,selected,public_score,private_score,path");
        assertThat(manifest.get(1)).startsWith("1," + b.getUsername() + "," + b1 + ",predictions.csv,").contains(",false,0.2,0.2,");
        assertThat(manifest.get(2)).startsWith("2," + a.getUsername() + "," + a1 + ",predictions.csv,").contains(",true,0.3,0.3,");
    }

    /**
     * Review L16: what members choose and hosts open in a spreadsheet (a username may start with '-', a submitted
     * file's name may be a formula) is written as text in the leaderboard and the manifest, never as a formula.
     */
    @Test
    void namesASpreadsheetWouldRunAreWrittenAsText() throws Exception {
        AccountPrincipal host = users.member();
        Competition c = host(host, 10, 5);
        String username = "-" + System.nanoTime() % 1_000_000_000;
        mvc.perform(post("/register").param("username", username).param("email", "m" + username + "@example.org")
                .param("displayName", "Minus").param("password", "correct horse battery").with(csrf()));
        AccountPrincipal minus = (AccountPrincipal) userDetails.loadUserByUsername(username);
        teams.join(c, minus, true, clock.instant());
        String formula = "=HYPERLINK(\"evil.example\",\"Open\").csv";
        Path file = temp(predictions(10, 0.3));
        long id = submissions.submit(c, minus, file, formula, "").id();
        delete(file);
        awaitScored(id);

        String board = mvc.perform(get("/competitions/" + c.slug() + "/leaderboard.csv")).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(board.lines().toList().get(1)).startsWith("1,'" + username + ",");

        clock.set(c.endsAt());
        runner.sweep();
        MvcResult zip = mvc.perform(get("/competitions/" + c.slug() + "/final-submissions.zip").with(user(host))).andReturn();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip.getResponse().getContentAsByteArray()))) {
            assertThat(in.getNextEntry().getName()).isEqualTo("manifest.csv");
            List<String> manifest = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertThat(manifest.get(1)).startsWith("1,'" + username + "," + id + ",\"'=HYPERLINK(\"\"evil.example\"\",");
        }
    }

    @org.springframework.beans.factory.annotation.Autowired
    HostTools hostTools;
    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.security.core.userdetails.UserDetailsService userDetails;

    /** As the sweeper calls it: in a transaction, so the competition's lock is held to the end. */
    private boolean finalize(CompetitionPhase read, Instant now) {
        return Boolean.TRUE.equals(transaction.execute(status -> standings.finalizeIfDue(read, now)));
    }

    private double score(long submissionId) {
        return jdbc.sql("SELECT public_score FROM submissions WHERE id = ?").param(submissionId).query(Double.class).single();
    }

    private List<String> teamsInOrder(Competition c) {
        return standings.publicBoard(phase(c), 100).stream().map(Standings.Row::team).toList();
    }

    private MockHttpServletResponse rescore(Competition c, AccountPrincipal who, String solution, String reason) throws Exception {
        return mvc.perform(multipart("/competitions/" + c.slug() + "/rescore")
                        .file(new MockMultipartFile("solution", "fixed.csv", "text/csv", solution.getBytes(StandardCharsets.UTF_8)))
                        .param("reason", reason).locale(Locale.ENGLISH).with(user(who)).with(csrf().asHeader()))
                .andReturn().getResponse();
    }

    @SuppressWarnings("unchecked")
    private List<String> flashErrors(Competition c, AccountPrincipal host, String solution) throws Exception {
        MvcResult result = mvc.perform(multipart("/competitions/" + c.slug() + "/rescore")
                        .file(new MockMultipartFile("solution", "fixed.csv", "text/csv", solution.getBytes(StandardCharsets.UTF_8)))
                        .param("reason", "typo").locale(Locale.ENGLISH).with(user(host)).with(csrf().asHeader()))
                .andReturn();
        return (List<String>) result.getFlashMap().get("errors");
    }
}
