package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.platform.LiveUpdates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.AbstractMockHttpServletRequestBuilder;

/**
 * Before the end, no page, fragment, CSV, downloaded file (test inputs, sample submission), API answer, error message,
 * rescoring log or live event holds a test label or a private (or overall) score; after the end the private scores are published, which shows the search would find them.
 * A data competition's test inputs and solution reach nobody but its host.
 */
class LeakageTest extends CompetitionTestSupport {

    @Autowired
    ApiTokens tokens;
    @Autowired
    LiveUpdates live;
    @Autowired
    HostTools hostTools;
    @Autowired
    Datasets datasets;

    @Test
    void noRouteRevealsLabelsOrPrivateScoresBeforeTheEnd() throws Exception {
        AccountPrincipal host = users.member();
        AccountPrincipal admin = users.admin();
        // Test inputs whose features are the row numbers: nothing of the truth is in them.
        StringBuilder inputs = new StringBuilder("id,feature\n");
        for (int i = 19; i >= 0; i--) {
            inputs.append("t").append(i).append(',').append(i).append('\n');
        }
        Competition c = hostWith(host, form(5), solutionCsv(20), inputs.toString());
        AccountPrincipal a = joined(c);
        AccountPrincipal b = joined(c);
        List<String> events = new ArrayList<>();
        LiveUpdates.Subscription subscription = live.listen(Standings.topic(c.id()), (event, data) -> events.add(event + ":" + data));

        List<Long> ids = new ArrayList<>();
        ids.add(submit(c, a, predictions(c, 0.111, 0.777777)).id());
        ids.add(submit(c, b, predictions(c, 0.222, 0.654321)).id());
        ids.add(submit(c, host, predictions(c, 0.333, 0.598765)).id());
        ids.forEach(this::awaitScored);
        int publicRows = (int) Math.round(20 * 0.3);
        List<String> secrets = new ArrayList<>(List.of(".123457", "0.77777", "0.65432", "0.59876"));
        for (double[] errors : new double[][] {{0.111, 0.777777}, {0.222, 0.654321}, {0.333, 0.598765}}) {
            double overall = Math.sqrt((publicRows * errors[0] * errors[0] + (20 - publicRows) * errors[1] * errors[1]) / 20);
            secrets.add(ScoreText.of(overall).substring(0, 6));
        }

        // The host fixes the solution (the same answers in another order: nothing moves) and tries one with other ids.
        StringBuilder reordered = new StringBuilder("id,target\n");
        for (int i = 19; i >= 0; i--) {
            reordered.append("t").append(i).append(',').append(truth(i)).append('\n');
        }
        List<String> bodies = new ArrayList<>();
        for (String fixed : List.of(reordered.toString(), reordered.toString().replace("t5,", "u5,"))) {
            MvcResult rescored = mvc.perform(multipart("/competitions/" + c.slug() + "/rescore")
                    .file(new MockMultipartFile("solution", "f.csv", "text/csv", fixed.getBytes(StandardCharsets.UTF_8)))
                    .param("reason", "reordered").with(user(host)).with(csrf().asHeader())).andReturn();
            bodies.add(String.valueOf(rescored.getFlashMap()));
        }
        assertThat(hostTools.rescores(c)).hasSize(1);

        String aToken = tokens.issue(a.id(), "a").token();
        for (AccountPrincipal who : new AccountPrincipal[] {null, a, b, host, admin}) {
            for (String path : List.of("/", "/competitions", "/competitions/" + c.slug(),
                    "/competitions/" + c.slug() + "/leaderboard", "/competitions/" + c.slug() + "/leaderboard.csv",
                    "/competitions/" + c.slug() + "/submissions", "/competitions/" + c.slug() + "/team",
                    "/competitions/" + c.slug() + "/files/test-inputs", "/competitions/" + c.slug() + "/files/sample-submission",
                    "/competitions/" + c.slug() + "/final-submissions.zip")) {
                bodies.add(body(get(path), who));
            }
        }
        for (long id : ids) {
            bodies.add(body(get("/api/v1/competitions/" + c.slug() + "/submissions/" + id)
                    .header("Authorization", "Bearer " + aToken), null));
        }
        // Error messages for wrong files, in the browser and through the API, in both languages.
        String wrong = "id,prediction\nt0,1\nt0,2\nt1,x\nunknown,3\n";
        for (Locale locale : new Locale[] {Locale.ENGLISH, Locale.KOREAN}) {
            bodies.add(body(multipart("/competitions/" + c.slug() + "/submissions")
                    .file(new MockMultipartFile("file", "w.csv", "text/csv", wrong.getBytes(StandardCharsets.UTF_8)))
                    .locale(locale).with(csrf().asHeader()), a));
            bodies.add(body(multipart("/api/v1/competitions/" + c.slug() + "/submissions")
                    .file(new MockMultipartFile("file", "w.csv", "text/csv", wrong.getBytes(StandardCharsets.UTF_8)))
                    .header("Authorization", "Bearer " + aToken).locale(locale), null));
        }
        subscription.close();
        bodies.addAll(events);

        assertThat(events).isNotEmpty();
        for (String body : bodies) {
            assertThat(body).doesNotContain(secrets);
        }
        assertThat(String.join("\n", bodies)).contains("0.111").contains("0.222") // public scores are shown
                .contains("id,feature\nt19,19\n").contains("id,prediction\nt19,0\n") // so are the files
                .contains("reordered").contains("u5"); // and the rescoring log and refusal

        clock.set(c.endsAt());
        runner.sweep();
        String finalPage = body(get("/competitions/" + c.slug()), null);
        assertThat(finalPage).contains("0.777777").contains("0.654321");
    }

    /**
     * In a two-phase competition, while the final phase runs no route of either phase (page, fragment, CSV, files,
     * submissions, ZIP) holds its private or overall scores, and its test inputs and sample reach only the host and
     * participants; the development phase's final ranking is published meanwhile, the final phase's once it ends.
     */
    @Test
    void noRouteOfAnyPhaseRevealsTheRunningPhasesPrivateScores() throws Exception {
        AccountPrincipal host = users.member();
        CompetitionForm form = form(5);
        form.setPhaseName("Development");
        form.setFirstPhaseEndsAt(java.time.LocalDateTime.ofInstant(PhasesTest.DEV_ENDS, java.time.ZoneOffset.UTC));
        Competition c = hostWith(host, form, solutionCsv(20), PhasesTest.inputs("t", 20));
        String finalSolution = solutionCsv(12);
        MvcResult added = mvc.perform(multipart("/competitions/" + c.slug() + "/phases")
                .file(new MockMultipartFile("solution", "s.csv", "text/csv", finalSolution.getBytes(StandardCharsets.UTF_8)))
                .file(new MockMultipartFile("testInputs", "i.csv", "text/csv", PhasesTest.inputs("t", 12).getBytes(StandardCharsets.UTF_8)))
                .param("phaseName", "Final").param("opensAt", PhasesTest.FINAL_OPENS.toString().replace("Z", ""))
                .param("endsAt", PhasesTest.FINAL_ENDS.toString().replace("Z", "")).param("publicPercent", "50")
                .with(user(host)).with(csrf().asHeader())).andReturn();
        assertThat(added.getFlashMap().get("notice")).isEqualTo("competition.phases.added");
        CompetitionPhase fin = phases.bySeq(c, 2);
        AccountPrincipal a = joined(c);
        AccountPrincipal b = joined(c);
        AccountPrincipal outsider = users.member();
        awaitScored(submit(c, a, predictions(c, 0.111, 0.222)).id());

        clock.set(PhasesTest.FINAL_OPENS.plusSeconds(60));
        runner.sweep(); // development is final: its private scores are published
        awaitScored(submit(c, a, predictions(c, fin, 0.135, 0.864197)).id());
        awaitScored(submit(c, b, predictions(c, fin, 0.246, 0.753197)).id());
        List<String> secrets = new ArrayList<>(List.of("0.86419", "0.75319"));
        for (double[] errors : new double[][] {{0.135, 0.864197}, {0.246, 0.753197}}) {
            secrets.add(ScoreText.of(Math.sqrt((6 * errors[0] * errors[0] + 6 * errors[1] * errors[1]) / 12)).substring(0, 6));
        }

        List<String> bodies = new ArrayList<>();
        String s = "/competitions/" + c.slug();
        for (AccountPrincipal who : new AccountPrincipal[] {null, a, b, outsider, host}) {
            for (String query : List.of("", "?phase=1", "?phase=2")) {
                for (String path : List.of(s, s + "/leaderboard", s + "/leaderboard.csv", s + "/submissions", s + "/team",
                        s + "/files/test-inputs", s + "/files/sample-submission", s + "/final-submissions.zip")) {
                    bodies.add(body(get(path + query), who));
                }
            }
        }
        for (String body : bodies) {
            assertThat(body).doesNotContain(secrets);
        }
        assertThat(String.join("\n", bodies)).contains("0.222") // development's private score, published
                .contains("0.135").contains("0.246") // the final phase's public ones
                .contains("id,feature\nt0,0\n"); // the phases' files, to their participants
        for (String file : List.of("test-inputs", "sample-submission")) {
            assertThat(mvc.perform(get(s + "/files/" + file + "?phase=2").with(user(outsider))).andReturn().getResponse()
                    .getStatus()).isEqualTo(404);
        }

        clock.set(PhasesTest.FINAL_ENDS);
        runner.sweep();
        assertThat(body(get(s + "?phase=2"), null)).contains("0.864197").contains("0.753197");
    }

    /**
     * A data competition's participants compete with data: neither they nor anyone but the host sees its test inputs
     * (which could be labelled and trained on), its sample submission (its ids) or its solution, on any page or route.
     */
    @Test
    void noOneButTheHostSeesADataCompetitionsTestInputs(@TempDir Path tmp) throws Exception {
        AccountPrincipal host = users.member();
        CompetitionForm form = form(5);
        form.setMetric("ACCURACY");
        form.setKind(CompetitionForm.DATA);
        form.setDatasetId(WineSplit.upload(datasets, host.id(), tmp, "Wine training rows", WineSplit.training(UnaryOperator.identity())));
        form.setTemplateRecommendation("mlp");
        form.setHyperparameters("{\"epochs\": 5}");
        // Distinctive ids and one distinctive measurement, to search every answer for.
        UnaryOperator<String> secret = line -> line.replaceFirst("^w", "secret-row-");
        Competition c = hostWith(host, form, WineSplit.solution().lines().map(secret).collect(Collectors.joining("\n", "", "\n")),
                WineSplit.testInputs(line -> line.startsWith("w") ? secret.apply(line).replaceFirst(",[^,]*$", ",4242.4242") : line));
        AccountPrincipal participant = joined(c);
        long dataset = WineSplit.upload(datasets, participant.id(), tmp, "Mine", WineSplit.training(UnaryOperator.identity()));
        submissions.submitData(c, participant, dataset, "");

        String s = "/competitions/" + c.slug();
        for (AccountPrincipal who : new AccountPrincipal[] {null, participant, users.member(), users.admin()}) {
            for (String path : List.of(s, s + "/leaderboard", s + "/leaderboard.csv", s + "/submissions", s + "/team",
                    s + "/files/test-inputs", s + "/files/sample-submission", s + "/files/training/0")) {
                MvcResult result = mvc.perform(who == null ? get(path) : get(path).with(user(who))).andReturn();
                String body = result.getRequest().isAsyncStarted()
                        ? mvc.perform(asyncDispatch(result)).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8)
                        : result.getResponse().getContentAsString(StandardCharsets.UTF_8);
                assertThat(body).as(path).doesNotContain("secret-row", "4242.4242");
                if (path.contains("/files/test-inputs") || path.contains("/files/sample-submission")) {
                    assertThat(result.getResponse().getStatus()).as(path).isIn(302, 404);
                }
            }
        }
        assertThat(body(get(s + "/files/training/0"), participant)).as("the format to follow is theirs").contains("proline");
        assertThat(body(get(s + "/files/test-inputs"), host)).contains("secret-row-0").contains("4242.4242");
    }

    private String body(AbstractMockHttpServletRequestBuilder<?> request, AccountPrincipal who) throws Exception {
        if (who != null) {
            request.with(user(who));
        }
        MvcResult result = mvc.perform(request).andReturn();
        if (result.getRequest().isAsyncStarted()) {
            result = mvc.perform(asyncDispatch(result)).andReturn();
        }
        return result.getResponse().getContentAsString(StandardCharsets.UTF_8);
    }
}
