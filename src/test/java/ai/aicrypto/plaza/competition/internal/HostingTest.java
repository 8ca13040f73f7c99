package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

import javax.sql.DataSource;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.competition.CompetitionChanged;
import ai.aicrypto.plaza.storage.PendingBlobs;
import ai.aicrypto.plaza.support.HeldUserRow;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;
import org.springframework.test.web.servlet.request.MockMultipartHttpServletRequestBuilder;

@RecordApplicationEvents
class HostingTest extends CompetitionTestSupport {

    @Autowired
    ApplicationEvents events;
    @Autowired
    DataSource dataSource;

    /**
     * A competition's files (solution, sample submission) are recorded as pending before they are stored (issue 16).
     * Here the hosting stops right after storing them, before the competition's row (its host's row is locked), as an
     * instance killed there would: once untouched for minutes the sweep deletes them, and the hosting, should it go
     * on, records nothing. The files of a hosted competition are not pending, and stay.
     */
    @Test
    void filesStoredByAnInstanceThatDiedBeforeRecordingTheirCompetitionAreDeletedBySweep() throws Exception {
        AccountPrincipal host = users.member();
        Competition hosted = host(host, 10, 3);
        Set<String> hostedKeys = new HashSet<>(List.of(phase(hosted).solutionBlobKey()));
        hostedKeys.addAll(jdbc.sql("SELECT blob_key FROM competition_files WHERE phase_id = ?").param(phase(hosted).id())
                .query(String.class).list());
        assertThat(hostedKeys).hasSize(2);
        assertThat(pendingBlobKeys()).doesNotContainAnyElementsOf(hostedKeys);

        Set<String> pendingBefore = pendingBlobKeys();
        CompetitionForm form = form(3);
        CompletableFuture<Competition> hosting;
        Set<String> orphans;
        try (HeldUserRow stalled = HeldUserRow.lock(dataSource, host.id())) {
            hosting = CompletableFuture.supplyAsync(() -> hostWith(host, form, solutionCsv(10)));
            orphans = await().atMost(Duration.ofSeconds(30)).until(() -> {
                Set<String> added = pendingBlobKeys();
                added.removeAll(pendingBefore);
                return added;
            }, added -> added.size() == 2); // the solution and the sample submission
            assertThat(orphans).allMatch(blobs::exists);

            abandon(orphans);
            pendingBlobs.deleteAbandoned();
            assertThat(orphans).noneMatch(blobs::exists);
            assertThat(hostedKeys).allMatch(blobs::exists);
        }
        assertThatThrownBy(hosting::join).isInstanceOf(CompletionException.class)
                .hasRootCauseInstanceOf(PendingBlobs.Abandoned.class).hasStackTraceContaining("no longer pending");
        assertThat(jdbc.sql("SELECT count(*) FROM competitions WHERE slug = ?").param(form.getSlug()).query(Long.class)
                .single()).isZero();
        assertThat(pendingBlobKeys()).doesNotContainAnyElementsOf(orphans);
    }

    @Test
    void aMemberHostsACompetitionShownOnItsPageTheListAndTheHomePage() throws Exception {
        AccountPrincipal host = users.member();
        long blobsBefore = blobFiles();
        mvc.perform(form(host, "iris-cup", "50,30,20", solutionCsv(10)))
                .andExpect(status().is3xxRedirection())
                .andExpect(redirectedUrl("/competitions/iris-cup"));

        Competition c = competitions.bySlug("iris-cup");
        assertThat(c.hostId()).isEqualTo(host.id());
        assertThat(phase(c).testRows()).isEqualTo(10);
        assertThat(phase(c).publicPercent()).isEqualTo(30);
        assertThat(c.finalSelections()).isEqualTo(2);
        assertThat(c.prizeSplit()).containsExactly(50, 30, 20);
        assertThat(c.prizes()).extracting(java.math.BigDecimal::toPlainString).containsExactly("500", "300", "200");
        assertThat(events.stream(CompetitionChanged.class)).containsExactly(new CompetitionChanged(c.id()));
        assertThat(blobFiles()).isEqualTo(blobsBefore + 2); // the solution and the sample submission
        // The stored solution is encrypted: none of its values are in the blob.
        try (Stream<Path> files = Files.walk(dataDir().resolve("blobs"))) {
            for (Path blob : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(blob), StandardCharsets.ISO_8859_1)).doesNotContain(truth(3));
            }
        }

        String page = mvc.perform(get("/competitions/iris-cup")).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        assertThat(page).contains(c.title()).contains("<strong>bold</strong>").contains("#1 500 AIC");
        assertThat(mvc.perform(get("/competitions")).andReturn().getResponse().getContentAsString()).contains(c.title());
        assertThat(mvc.perform(get("/")).andReturn().getResponse().getContentAsString())
                .contains("/competitions/iris-cup").contains(c.title());
    }

    @Test
    void aBadSolutionIsRejectedWithTheLineAndNothingIsStored() throws Exception {
        AccountPrincipal host = users.member();
        long rows = count("competitions");
        long blobsBefore = blobFiles();
        String page = mvc.perform(form(host, "dup-cup", "100", "id,target\na,1\nb,2\na,3\n").locale(Locale.ENGLISH))
                .andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        assertThat(page).contains("Line 4 of the solution: the id &quot;a&quot; already appeared on line 2");
        assertThat(count("competitions")).isEqualTo(rows);
        assertThat(blobFiles()).isEqualTo(blobsBefore);
    }

    @Test
    void aPrizeSplitThatDoesNotAddUpTo100IsRejectedInKorean() throws Exception {
        AccountPrincipal host = users.member();
        long rows = count("competitions");
        long blobsBefore = blobFiles();
        String page = mvc.perform(form(host, "split-cup", "50,30", solutionCsv(10)).locale(Locale.KOREAN))
                .andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        assertThat(page).contains("합이 100이 되게");
        assertThat(count("competitions")).isEqualTo(rows);
        assertThat(blobFiles()).isEqualTo(blobsBefore);
    }

    @Test
    void aTakenOrReservedSlugIsRefused() throws Exception {
        AccountPrincipal host = users.member();
        mvc.perform(form(host, "twice-cup", "100", solutionCsv(10))).andExpect(status().is3xxRedirection());
        for (String slug : new String[] {"twice-cup", "new", "Bad Slug"}) {
            String page = mvc.perform(form(host, slug, "100", solutionCsv(10)).locale(Locale.ENGLISH))
                    .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
            assertThat(page).containsAnyOf("is taken", "lower-case letters");
        }
        assertThat(jdbc.sql("SELECT count(*) FROM competitions WHERE slug = 'twice-cup'").query(Long.class).single())
                .isEqualTo(1);
    }

    @Test
    void onlyTheHostEditsTheTextsAndTheChangeIsAnnounced() throws Exception {
        AccountPrincipal host = users.member();
        Competition c = host(host, 10, 5);
        mvc.perform(post("/competitions/" + c.slug() + "/edit").param("title", "Stolen").with(user(users.member())).with(csrf()))
                .andExpect(status().isNotFound());
        mvc.perform(post("/competitions/" + c.slug() + "/edit").param("title", "Renamed cup").param("rules", "New rules")
                        .with(user(host)).with(csrf()))
                .andExpect(status().is3xxRedirection());
        Competition edited = competitions.find(c.id());
        assertThat(edited.title()).isEqualTo("Renamed cup");
        assertThat(edited.rules()).isEqualTo("New rules");
        assertThat(edited.endsAt()).isEqualTo(c.endsAt());
        assertThat(events.stream(CompetitionChanged.class)).contains(new CompetitionChanged(c.id()));
        mvc.perform(post("/competitions/" + c.slug() + "/edit").param("title", " ").with(user(host)).with(csrf()))
                .andExpect(status().isOk());
        assertThat(competitions.find(c.id()).title()).isEqualTo("Renamed cup");
    }

    private MockMultipartHttpServletRequestBuilder form(AccountPrincipal host, String slug, String split, String solution) {
        var request = multipart("/competitions/new")
                .file(new MockMultipartFile("solution", "solution.csv", "text/csv", solution.getBytes(StandardCharsets.UTF_8)));
        request.param("title", "Cup " + slug).param("slug", slug).param("overview", "Predict **bold** things")
                .param("rules", "Be fair").param("metric", "RMSE").param("publicPercent", "30")
                .param("startsAt", "2031-03-03T12:00").param("endsAt", "2031-03-10T12:00")
                .param("submissionsPerDay", "5").param("finalSelections", "2").param("maxTeamSize", "3")
                .param("prizePoolAic", "1000").param("prizeSplit", split);
        request.with(user(host)).with(csrf().asHeader());
        return request;
    }
}
