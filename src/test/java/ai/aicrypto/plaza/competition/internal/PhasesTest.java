package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipInputStream;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.competition.scoring.SubmissionRejected;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.test.web.servlet.request.MockMultipartHttpServletRequestBuilder;

/**
 * A two-phase competition (development, then final, a day's pause between them): each phase takes submissions only
 * while it is open, scores them on its own solution, has its own quota, test files, boards and final selection; the
 * prizes go by the last phase. Adding a phase is checked as hosting is, in English and Korean; the hosting form names
 * several phases at once, with the same checks.
 */
class PhasesTest extends CompetitionTestSupport {

    @Autowired
    HostTools hostTools;

    static final Instant DEV_ENDS = START.plus(3, ChronoUnit.DAYS);
    static final Instant FINAL_OPENS = START.plus(4, ChronoUnit.DAYS);
    static final Instant FINAL_ENDS = START.plus(7, ChronoUnit.DAYS);

    /** The final phase's 10 ids f0..f9, truth 700.4321 + i: other ids and values than the development phase's. */
    static String finalSolution() {
        StringBuilder csv = new StringBuilder("id,target\n");
        for (int i = 0; i < 10; i++) {
            csv.append("f").append(i).append(',').append(700 + i).append(".4321\n");
        }
        return csv.toString();
    }

    static String finalPredictions(double error) {
        StringBuilder csv = new StringBuilder("id,prediction\n");
        for (int i = 0; i < 10; i++) {
            csv.append("f").append(i).append(',').append(700 + i + 0.4321 + error).append('\n');
        }
        return csv.toString();
    }

    static String inputs(String prefix, int rows) {
        StringBuilder csv = new StringBuilder("id,feature\n");
        for (int i = 0; i < rows; i++) {
            csv.append(prefix).append(i).append(',').append(i).append('\n');
        }
        return csv.toString();
    }

    /** A week from START whose first phase, "Development", ends on day 3 (2 submissions a day, test inputs t0..t19). */
    Competition hostDevelopment(AccountPrincipal host) {
        CompetitionForm form = form(2);
        form.setPhaseName("Development");
        form.setFirstPhaseEndsAt(LocalDateTime.ofInstant(DEV_ENDS, ZoneOffset.UTC));
        return hostWith(host, form, solutionCsv(20), inputs("t", 20));
    }

    /** Posts the add-phase form as {@code who}; the answer is a redirect with a notice or the refusal as flash. */
    MvcResult addPhase(Competition c, AccountPrincipal who, Instant opens, Instant ends, String solution, String testInputs,
                       Locale locale) throws Exception {
        return mvc.perform(multipart("/competitions/" + c.slug() + "/phases")
                        .file(new MockMultipartFile("solution", "final.csv", "text/csv", solution.getBytes(StandardCharsets.UTF_8)))
                        .file(new MockMultipartFile("testInputs", "final-test.csv", "text/csv", testInputs.getBytes(StandardCharsets.UTF_8)))
                        .param("phaseName", "Final")
                        .param("opensAt", LocalDateTime.ofInstant(opens, ZoneOffset.UTC).toString())
                        .param("endsAt", LocalDateTime.ofInstant(ends, ZoneOffset.UTC).toString())
                        .param("submissionsPerDay", "1").param("publicPercent", "50")
                        .locale(locale).with(user(who)).with(csrf().asHeader()))
                .andReturn();
    }

    /** Adds the final phase: days 4 to 7, 1 submission a day, half public, test inputs f0..f9. */
    CompetitionPhase addFinal(Competition c, AccountPrincipal host) throws Exception {
        MvcResult added = addPhase(c, host, FINAL_OPENS, FINAL_ENDS, finalSolution(), inputs("f", 10), Locale.ENGLISH);
        assertThat(added.getFlashMap().get("notice")).isEqualTo("competition.phases.added");
        return phases.bySeq(c, 2);
    }

    @Test
    void eachPhaseScoresQuotasRanksAndSelectsOnItsOwn() throws Exception {
        AccountPrincipal host = users.member();
        Competition c = hostDevelopment(host);
        CompetitionPhase dev = phase(c);
        assertThat(dev.name()).isEqualTo("Development");
        assertThat(dev.endsAt()).isEqualTo(DEV_ENDS);
        CompetitionPhase fin = addFinal(c, host);
        assertThat(fin.name()).isEqualTo("Final");
        assertThat(fin.testRows()).isEqualTo(10);
        assertThat(fin.publicPercent()).isEqualTo(50);
        assertThat(fin.submissionsPerDay()).isEqualTo(1);
        AccountPrincipal a = joined(c);
        AccountPrincipal b = joined(c);

        // Development: scored on the development solution; the final phase's file is not a development submission.
        long a1 = submit(c, a, predictions(20, 0.1)).id();
        long b1 = submit(c, b, predictions(20, 0.3)).id();
        assertThat(awaitScored(a1)).isEqualTo("SCORED");
        assertThat(awaitScored(b1)).isEqualTo("SCORED");
        assertThatThrownBy(() -> submit(c, a, finalPredictions(0))).isInstanceOf(SubmissionRejected.class);
        long a2 = submit(c, a, predictions(20, 0.5)).id();
        awaitScored(a2);
        assertThatThrownBy(() -> submit(c, a, predictions(20, 0.2))).isInstanceOf(UserFacingException.class)
                .extracting(e -> ((UserFacingException) e).messageKey()).isEqualTo("competition.error.quota");
        assertThat(jdbc.sql("SELECT count(*) FROM submissions WHERE phase_id = ?").param(dev.id()).query(Long.class).single())
                .isEqualTo(3);
        submissions.toggleSelection(c, a, a2); // the worse one, to see the selection decide the development ranking
        assertThat(standings.publicBoard(dev, 10)).extracting(Standings.Row::team)
                .containsExactly(a.getUsername(), b.getUsername());
        assertThat(standings.publicBoard(fin, 10)).isEmpty();

        // The participants download each phase's own test inputs and sample submission.
        assertThat(download(c, a, "test-inputs", 1)).startsWith("id,feature\nt0,0\n");
        assertThat(download(c, a, "test-inputs", 2)).startsWith("id,feature\nf0,0\n");
        assertThat(download(c, a, "sample-submission", 2)).startsWith("id,prediction\nf0,");
        assertThat(download(c, a, "test-inputs", null)).as("the open phase's by default").startsWith("id,feature\nt0,");

        // The pause between the phases: nothing is taken, in either language; development is ranked on its private rows.
        clock.set(DEV_ENDS.plus(1, ChronoUnit.HOURS));
        assertThat(submitPage(c, a, Locale.ENGLISH)).contains("No phase is open now: the next phase, Final, opens at Mar 7, 2031, 12:00 PM UTC.");
        assertThat(submitPage(c, a, Locale.KOREAN)).contains("지금은 진행 중인 단계가 없습니다. 다음 단계 Final");
        assertThatThrownBy(() -> submissions.toggleSelection(c, a, a1)).isInstanceOf(UserFacingException.class)
                .extracting(e -> ((UserFacingException) e).messageKey()).isEqualTo("competition.error.phase-ended");
        runner.sweep();
        dev = phases.find(dev.id());
        assertThat(dev.finalized()).isTrue();
        assertThat(competitions.find(c.id()).finalized()).as("the final phase is still to come").isFalse();
        assertThat(standings.finalBoard(dev, 10)).extracting(Standings.FinalRow::team, Standings.FinalRow::privateText)
                .containsExactly(tuple(b.getUsername(), "0.3"),
                        tuple(a.getUsername(), "0.5"));

        // Final: its own solution, quota (1 a day) and board; development's board stays as it was.
        clock.set(FINAL_OPENS.plus(1, ChronoUnit.HOURS));
        assertThatThrownBy(() -> submit(c, a, predictions(20, 0.1))).isInstanceOf(SubmissionRejected.class);
        long af = submit(c, a, finalPredictions(0.2)).id();
        long bf = submit(c, b, finalPredictions(0.1)).id();
        assertThat(awaitScored(af)).isEqualTo("SCORED");
        assertThat(awaitScored(bf)).isEqualTo("SCORED");
        assertThatThrownBy(() -> submit(c, b, finalPredictions(0.05))).isInstanceOf(UserFacingException.class)
                .extracting(e -> ((UserFacingException) e).messageKey()).isEqualTo("competition.error.quota");
        assertThat(teams.usedToday(List.of(teams.teamOf(c.id(), b.id()).orElseThrow().id()), dev.id(), clock.instant())).isZero();
        submissions.toggleSelection(c, a, af);
        assertThat(standings.publicBoard(fin, 10)).extracting(Standings.Row::team)
                .containsExactly(b.getUsername(), a.getUsername());
        assertThat(standings.publicBoard(dev, 10)).extracting(Standings.Row::team)
                .containsExactly(a.getUsername(), b.getUsername());
        assertThat(jdbc.sql("SELECT selected FROM submissions WHERE id = ?").param(a2).query(Boolean.class).single())
                .as("development's selection is kept").isTrue();

        // The end: the final phase is ranked and with it the competition; the page says the prizes follow it.
        clock.set(FINAL_ENDS);
        runner.sweep();
        assertThat(competitions.find(c.id()).finalized()).isTrue();
        fin = phases.find(fin.id());
        assertThat(standings.finalBoard(fin, 10)).extracting(Standings.FinalRow::team)
                .containsExactly(b.getUsername(), a.getUsername());
        String page = mvc.perform(get("/competitions/" + c.slug()).locale(Locale.ENGLISH)).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(page).contains("Prizes are paid on the private leaderboard of the last phase (Final).")
                .contains("id=\"phase-1\"").contains("id=\"phase-2\"").contains(c.slug() + "-phase-2-test.csv");
        String devPage = mvc.perform(get("/competitions/" + c.slug()).param("phase", "1").locale(Locale.ENGLISH))
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(devPage).contains(c.slug() + "-test.csv").doesNotContain(c.slug() + "-phase-2-test.csv");
        String devCsv = mvc.perform(get("/competitions/" + c.slug() + "/leaderboard.csv").param("phase", "1"))
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(devCsv).startsWith("final_rank,team,private_score").contains("1," + b.getUsername() + ",0.3");

        // The host's tools work per phase: each phase's final submissions, and a rescoring of development alone.
        assertThat(zipEntries(c, host, 1)).contains("manifest.csv").hasSize(3); // a's selected a2, b's best b1
        assertThat(zipEntries(c, host, 2)).contains("manifest.csv").hasSize(3);
        String finKey = fin.solutionBlobKey();
        StringBuilder fixed = new StringBuilder("id,target\n");
        for (int i = 0; i < 20; i++) {
            fixed.append("t").append(i).append(',').append(100 + i + 0.623457).append('\n'); // a's 0.5 was right
        }
        MvcResult rescored = mvc.perform(multipart("/competitions/" + c.slug() + "/rescore")
                .file(new MockMultipartFile("solution", "fixed.csv", "text/csv", fixed.toString().getBytes(StandardCharsets.UTF_8)))
                .param("phase", "1").param("reason", "off by 0.5").with(user(host)).with(csrf().asHeader())).andReturn();
        assertThat(rescored.getFlashMap().get("notice")).isEqualTo("competition.rescored");
        assertThat(hostTools.rescores(c)).extracting(HostTools.Rescore::phase).containsExactly(1);
        assertThat(standings.finalBoard(phases.find(dev.id()), 10)).extracting(Standings.FinalRow::team)
                .containsExactly(a.getUsername(), b.getUsername());
        assertThat(phases.find(fin.id()).solutionBlobKey()).isEqualTo(finKey);
        assertThat(standings.finalBoard(phases.find(fin.id()), 10)).extracting(Standings.FinalRow::team)
                .containsExactly(b.getUsername(), a.getUsername());
    }

    @Test
    void aPhaseThatOverlapsOrWhoseFilesDisagreeIsRefusedAndNothingIsStored() throws Exception {
        AccountPrincipal host = users.member();
        Competition c = hostDevelopment(host);
        long phasesBefore = count("competition_phases");
        long filesBefore = count("competition_files");
        long blobsBefore = blobFiles();

        MvcResult overlap = addPhase(c, host, START.plus(2, ChronoUnit.DAYS), FINAL_ENDS, finalSolution(), inputs("f", 10),
                Locale.ENGLISH);
        assertThat(overlap.getFlashMap().get("error")).asString()
                .startsWith("Phases cannot overlap: phase 1 ends at Mar 6, 2031, 12:00 PM UTC;").doesNotContain("T12:00:00Z");
        MvcResult overlapKo = addPhase(c, host, START.plus(2, ChronoUnit.DAYS), FINAL_ENDS, finalSolution(), inputs("f", 10),
                Locale.KOREAN);
        assertThat(overlapKo.getFlashMap().get("error")).asString().startsWith("단계는 겹칠 수 없습니다.")
                .contains("2031. 3. 6.").doesNotContain("T12:00:00Z");
        MvcResult pastEnd = addPhase(c, host, FINAL_OPENS, FINAL_ENDS.plusSeconds(1), finalSolution(), inputs("f", 10),
                Locale.ENGLISH);
        assertThat(pastEnd.getFlashMap().get("error")).asString().contains("no later than the competition's end");

        // Test inputs whose ids differ from the phase's solution: the differences, exactly, in both languages.
        String otherIds = inputs("f", 10).replace("f9,", "g9,");
        MvcResult differ = addPhase(c, host, FINAL_OPENS, FINAL_ENDS, finalSolution(), otherIds, Locale.ENGLISH);
        assertThat(differ.getFlashMap().get("errors")).asString().contains("g9").contains("f9");
        MvcResult differKo = addPhase(c, host, FINAL_OPENS, FINAL_ENDS, finalSolution(), otherIds, Locale.KOREAN);
        assertThat(differKo.getFlashMap().get("errors")).asString().contains("g9").isNotEqualTo(
                String.valueOf(differ.getFlashMap().get("errors")));

        // Only the host adds phases.
        AccountPrincipal stranger = users.member();
        assertThat(addPhase(c, stranger, FINAL_OPENS, FINAL_ENDS, finalSolution(), inputs("f", 10), Locale.ENGLISH)
                .getResponse().getStatus()).isEqualTo(404);

        assertThat(count("competition_phases")).isEqualTo(phasesBefore);
        assertThat(count("competition_files")).isEqualTo(filesBefore);
        assertThat(blobFiles()).isEqualTo(blobsBefore);

        // Once a phase has opened, no phase may be added that opens in the past.
        clock.set(FINAL_OPENS.plusSeconds(1));
        MvcResult late = addPhase(c, host, FINAL_OPENS, FINAL_ENDS, finalSolution(), inputs("f", 10), Locale.ENGLISH);
        assertThat(late.getFlashMap().get("error")).isEqualTo("A new phase must open in the future.");
        assertThat(count("competition_phases")).isEqualTo(phasesBefore);
    }

    @Test
    void theHostingFormNamesLaterPhasesWithTheirOwnDatesQuotasAndFilesAndARefusalStoresNothing() throws Exception {
        AccountPrincipal host = users.member();
        Instant validationEnds = START.plus(5, ChronoUnit.DAYS);
        String slug = "phased-" + System.nanoTime() % 1_000_000;
        MvcResult hosted = hostPhased(host, slug, FINAL_OPENS, validationEnds, validationEnds, finalSolution(),
                inputs("f", 10), Locale.ENGLISH);
        assertThat(hosted.getResponse().getRedirectedUrl()).as(hosted.getResponse().getContentAsString())
                .isEqualTo("/competitions/" + slug);
        Competition c = competitions.bySlug(slug);
        assertThat(phases.of(c)).extracting(CompetitionPhase::seq, CompetitionPhase::name, CompetitionPhase::opensAt,
                        CompetitionPhase::endsAt, CompetitionPhase::submissionsPerDay, CompetitionPhase::publicPercent,
                        CompetitionPhase::testRows)
                .containsExactly(tuple(1, "Development", START, DEV_ENDS, 2, 30, 20),
                        tuple(2, "Validation", FINAL_OPENS, validationEnds, 3, 40, 15),
                        tuple(3, "Final", validationEnds, FINAL_ENDS, 1, 50, 10));
        assertThat(mvc.perform(get("/competitions/" + slug).param("phase", "3").with(user(host))).andReturn().getResponse()
                .getContentAsString()).contains(slug + "-phase-3-test.csv").contains("Final");

        long phasesBefore = count("competition_phases");
        long filesBefore = count("competition_files");
        long blobsBefore = blobFiles();
        // The final phase opens before the validation phase ends: refused at its row, the time in the reader's format.
        String overlap = hostPhased(host, slug + "-b", FINAL_OPENS, validationEnds, validationEnds.minusSeconds(3600),
                finalSolution(), inputs("f", 10), Locale.ENGLISH).getResponse().getContentAsString();
        assertThat(overlap).contains("Phases cannot overlap: phase 2 ends at Mar 8, 2031, 12:00 PM UTC");
        String overlapKo = hostPhased(host, slug + "-b", FINAL_OPENS, validationEnds, validationEnds.minusSeconds(3600),
                finalSolution(), inputs("f", 10), Locale.KOREAN).getResponse().getContentAsString();
        assertThat(overlapKo).contains("단계는 겹칠 수 없습니다").contains("2031. 3. 8.");
        // The final phase's test inputs do not name its solution's ids: which phase, and the differences.
        String differ = hostPhased(host, slug + "-c", FINAL_OPENS, validationEnds, validationEnds, finalSolution(),
                inputs("f", 10).replace("f9,", "g9,"), Locale.ENGLISH).getResponse().getContentAsString();
        assertThat(differ).contains("The files of phase 3 (&quot;Final&quot;):").contains("g9").contains("f9");
        assertThat(jdbc.sql("SELECT count(*) FROM competitions WHERE slug IN (?, ?)").params(slug + "-b", slug + "-c")
                .query(Long.class).single()).isZero();
        assertThat(count("competition_phases")).isEqualTo(phasesBefore);
        assertThat(count("competition_files")).isEqualTo(filesBefore);
        assertThat(blobFiles()).isEqualTo(blobsBefore);
    }

    /**
     * The hosting form's later phases are rows the host adds and removes (the page's script and its row template, in
     * both languages), as many as the cap allows: three rows make a four-phase competition, nine are refused before
     * anything is stored, with the cap in the reader's language.
     */
    @Test
    void theHostAddsPhaseRowsUpToTheCap() throws Exception {
        AccountPrincipal host = users.member();
        String english = mvc.perform(get("/competitions/new").locale(Locale.ENGLISH).with(user(host))).andReturn()
                .getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(english).contains("id=\"add-phase\"").contains("Add a phase").contains("Remove this phase")
                .contains("id=\"later-phase-template\"").contains("Phase {n}").contains("name=\"laterPhases[__i__].solution\"")
                .contains("data-max=\"" + CompetitionService.MAX_LATER_PHASES + "\"");
        String korean = mvc.perform(get("/competitions/new").locale(Locale.KOREAN).with(user(host))).andReturn()
                .getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(korean).contains("단계 추가").contains("이 단계 삭제").contains("{n}단계");

        String slug = "rows-" + System.nanoTime() % 1_000_000;
        Instant[] bounds = {DEV_ENDS, START.plus(4, ChronoUnit.DAYS), START.plus(5, ChronoUnit.DAYS), FINAL_ENDS};
        var request = hostingRequest(host, slug);
        for (int row = 0; row < 3; row++) {
            String prefix = "p" + row;
            request.file(new MockMultipartFile("laterPhases[" + row + "].solution", prefix + ".csv", "text/csv",
                            solutionCsv(10).replace("\nt", "\n" + prefix).getBytes(StandardCharsets.UTF_8)))
                    .param("laterPhases[" + row + "].name", "Round " + (row + 2))
                    .param("laterPhases[" + row + "].opensAt", time(bounds[row]))
                    .param("laterPhases[" + row + "].endsAt", time(bounds[row + 1]))
                    .param("laterPhases[" + row + "].submissionsPerDay", "2").param("laterPhases[" + row + "].publicPercent", "30");
        }
        MvcResult hosted = mvc.perform(request.locale(Locale.ENGLISH).with(user(host)).with(csrf().asHeader())).andReturn();
        assertThat(hosted.getResponse().getRedirectedUrl()).as(hosted.getResponse().getContentAsString())
                .isEqualTo("/competitions/" + slug);
        assertThat(phases.of(competitions.bySlug(slug))).extracting(CompetitionPhase::seq, CompetitionPhase::name)
                .containsExactly(tuple(1, "Development"), tuple(2, "Round 2"), tuple(3, "Round 3"), tuple(4, "Round 4"));

        long phasesBefore = count("competition_phases");
        long blobsBefore = blobFiles();
        for (Locale locale : List.of(Locale.ENGLISH, Locale.KOREAN)) {
            var tooMany = hostingRequest(host, slug + "-many");
            for (int row = 0; row <= CompetitionService.MAX_LATER_PHASES; row++) {
                tooMany.param("laterPhases[" + row + "].name", "Round " + (row + 2));
            }
            String refused = mvc.perform(tooMany.locale(locale).with(user(host)).with(csrf().asHeader())).andReturn()
                    .getResponse().getContentAsString(StandardCharsets.UTF_8);
            assertThat(refused).contains(locale == Locale.KOREAN ? "대회의 단계는 최대 9개입니다."
                    : "A competition has at most 9 phases.");
        }
        assertThat(jdbc.sql("SELECT count(*) FROM competitions WHERE slug = ?").param(slug + "-many").query(Long.class)
                .single()).isZero();
        assertThat(count("competition_phases")).isEqualTo(phasesBefore);
        assertThat(blobFiles()).isEqualTo(blobsBefore);
    }

    /** The hosting form's first phase, "Development" (START to day 3, t0..t19), without later phases. */
    private MockMultipartHttpServletRequestBuilder hostingRequest(AccountPrincipal host, String slug) {
        var request = multipart("/competitions/new")
                .file(new MockMultipartFile("solution", "dev.csv", "text/csv", solutionCsv(20).getBytes(StandardCharsets.UTF_8)));
        request.param("title", "Phased " + slug).param("slug", slug).param("metric", "RMSE").param("publicPercent", "30")
                .param("startsAt", time(START)).param("endsAt", time(FINAL_ENDS))
                .param("submissionsPerDay", "2").param("finalSelections", "2").param("maxTeamSize", "2")
                .param("prizePoolAic", "0").param("prizeSplit", "")
                .param("phaseName", "Development").param("firstPhaseEndsAt", time(DEV_ENDS));
        return request;
    }

    /**
     * Posts the hosting form: "Development" (START to day 3, t0..t19) and two later phases, "Validation" (v0..v14, 3 a
     * day, 40% public) and "Final" ({@code finalSolution}, 1 a day, half public) from {@code finalOpens} to the end.
     */
    MvcResult hostPhased(AccountPrincipal host, String slug, Instant validationOpens, Instant validationEnds,
                         Instant finalOpens, String finalSolution, String finalInputs, Locale locale) throws Exception {
        var request = multipart("/competitions/new")
                .file(new MockMultipartFile("solution", "dev.csv", "text/csv", solutionCsv(20).getBytes(StandardCharsets.UTF_8)))
                .file(new MockMultipartFile("testInputs", "dev-test.csv", "text/csv", inputs("t", 20).getBytes(StandardCharsets.UTF_8)))
                .file(new MockMultipartFile("laterPhases[0].solution", "validation.csv", "text/csv",
                        solutionCsv(15).replace("\nt", "\nv").getBytes(StandardCharsets.UTF_8)))
                .file(new MockMultipartFile("laterPhases[0].testInputs", "validation-test.csv", "text/csv",
                        inputs("v", 15).getBytes(StandardCharsets.UTF_8)))
                .file(new MockMultipartFile("laterPhases[1].solution", "final.csv", "text/csv", finalSolution.getBytes(StandardCharsets.UTF_8)))
                .file(new MockMultipartFile("laterPhases[1].testInputs", "final-test.csv", "text/csv",
                        finalInputs.getBytes(StandardCharsets.UTF_8)));
        request.param("title", "Phased " + slug).param("slug", slug).param("metric", "RMSE").param("publicPercent", "30")
                .param("startsAt", time(START)).param("endsAt", time(FINAL_ENDS))
                .param("submissionsPerDay", "2").param("finalSelections", "2").param("maxTeamSize", "2")
                .param("prizePoolAic", "0").param("prizeSplit", "")
                .param("phaseName", "Development").param("firstPhaseEndsAt", time(DEV_ENDS))
                .param("laterPhases[0].name", "Validation").param("laterPhases[0].opensAt", time(validationOpens))
                .param("laterPhases[0].endsAt", time(validationEnds)).param("laterPhases[0].submissionsPerDay", "3")
                .param("laterPhases[0].publicPercent", "40")
                .param("laterPhases[1].name", "Final").param("laterPhases[1].opensAt", time(finalOpens))
                .param("laterPhases[1].endsAt", time(FINAL_ENDS)).param("laterPhases[1].submissionsPerDay", "1")
                .param("laterPhases[1].publicPercent", "50");
        return mvc.perform(request.locale(locale).with(user(host)).with(csrf().asHeader())).andReturn();
    }

    private static String time(Instant t) {
        return LocalDateTime.ofInstant(t, ZoneOffset.UTC).toString();
    }

    private String download(Competition c, AccountPrincipal who, String file, Integer phase) throws Exception {
        var request = get("/competitions/" + c.slug() + "/files/" + file).with(user(who));
        if (phase != null) {
            request.param("phase", phase.toString());
        }
        MvcResult result = mvc.perform(request).andReturn();
        if (result.getRequest().isAsyncStarted()) {
            result = mvc.perform(MockMvcRequestBuilders.asyncDispatch(result))
                    .andReturn();
        }
        assertThat(result.getResponse().getStatus()).isEqualTo(200);
        return result.getResponse().getContentAsString(StandardCharsets.UTF_8);
    }

    private String submitPage(Competition c, AccountPrincipal who, Locale locale) throws Exception {
        MvcResult result = mvc.perform(multipart("/competitions/" + c.slug() + "/submissions")
                        .file(new MockMultipartFile("file", "p.csv", "text/csv", predictions(20, 0.1).getBytes(StandardCharsets.UTF_8)))
                        .locale(locale).with(user(who)).with(csrf().asHeader()))
                .andReturn();
        assertThat(result.getResponse().getStatus()).isEqualTo(400);
        return result.getResponse().getContentAsString(StandardCharsets.UTF_8);
    }

    private List<String> zipEntries(Competition c, AccountPrincipal host, int phase) throws Exception {
        MvcResult result = mvc.perform(get("/competitions/" + c.slug() + "/final-submissions.zip").param("phase",
                String.valueOf(phase)).with(user(host))).andReturn();
        if (result.getRequest().isAsyncStarted()) {
            result = mvc.perform(MockMvcRequestBuilders.asyncDispatch(result))
                    .andReturn();
        }
        assertThat(result.getResponse().getStatus()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(result.getResponse().getContentAsByteArray()))) {
            for (var entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                names.add(entry.getName());
            }
        }
        return names;
    }
}
