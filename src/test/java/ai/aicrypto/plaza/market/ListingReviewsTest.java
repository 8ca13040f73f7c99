package ai.aicrypto.plaza.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.web.util.HtmlUtils;

/**
 * Reviews of a free dataset: a license holder writes, edits and deletes theirs while listing_stats follows; the
 * owner, people without a license and anonymous visitors are refused; bad input is refused with a message in the
 * user's language; the panel shows the average and the text escaped, newest first, a page at a time. Every change
 * commits a ListingStatsChanged event with it, and a refusal none.
 */
class ListingReviewsTest extends IntegrationTest {

    private static final Pattern REVIEWER = Pattern.compile("<li class=\"review\">.*?<strong>([^<]+)</strong>", Pattern.DOTALL);
    private static final Pattern MORE = Pattern.compile("id=\"reviews-more\">\\s*<a href=\"([^\"]+)\"");

    @Autowired
    TestUsers users;
    @Autowired
    Datasets datasets;
    @Autowired
    CommittedStatsEvents events;

    AccountPrincipal owner, holder, otherHolder, stranger;
    long listing;

    /** The stats events of committed transactions (a transactional listener hears no other). */
    @TestConfiguration(proxyBeanMethods = false)
    static class CommittedStatsEvents {

        private final List<ListingStatsChanged> committed = new CopyOnWriteArrayList<>();

        @TransactionalEventListener
        void on(ListingStatsChanged event) {
            committed.add(event);
        }

        /** Those committed since the last call. */
        List<ListingStatsChanged> take() {
            List<ListingStatsChanged> taken = List.copyOf(committed);
            committed.removeAll(taken);
            return taken;
        }
    }

    @BeforeEach
    void aFreeDatasetWithTwoLicenseHolders() throws Exception {
        owner = users.member();
        holder = users.member();
        otherHolder = users.member();
        stranger = users.member();
        Path csv = Files.createTempFile("reviewed", ".csv");
        Files.writeString(csv, "x,y\n1,a\n2,b\n3,a\n");
        listing = datasets.importDataset(owner.id(), new DatasetUpload(
                new ListingDraft("Reviewed data", "", List.of(), "MIT", BigDecimal.ZERO), csv, "reviewed.csv", null, null, "y"));
        Files.delete(csv);
        for (AccountPrincipal licensee : List.of(holder, otherHolder)) {
            mvc.perform(post("/listings/" + listing + "/license").with(csrf()).with(user(licensee))).andExpect(status().isOk());
        }
        events.take();
    }

    @Test
    void aLicenseHolderWritesEditsAndDeletesTheirReviewAndTheStatsFollow() throws Exception {
        mvc.perform(review(holder, "4", "Clean and well labelled."))
                .andExpect(status().isFound())
                .andExpect(redirectedUrl("/listings/" + listing + "/reviews"))
                .andExpect(flash().attribute("notice", "market.review.saved"));
        assertThat(stored(holder)).containsEntry("stars", 4).containsEntry("body", "Clean and well labelled.");
        assertStats(1, 4);
        assertOneEventCommitted();

        String panel = htmx(review(holder, "2", "  On second thought: labels drift.\r\n")).getContentAsString();
        assertThat(panel).contains("Your review is saved.").contains("On second thought: labels drift.");
        assertThat(reviewRows()).as("an edit keeps one review").isEqualTo(1);
        assertThat(stored(holder)).containsEntry("stars", 2).containsEntry("body", "On second thought: labels drift.")
                .containsEntry("edited", true);
        assertStats(1, 2);
        assertOneEventCommitted();

        mvc.perform(review(otherHolder, "5", "")).andExpect(status().isFound());
        assertStats(2, 7);
        assertOneEventCommitted();
        assertThat(panel(null)).contains("3.5 ★ (2 reviews)");

        mvc.perform(post("/listings/" + listing + "/review/delete").with(csrf()).with(user(holder)))
                .andExpect(status().isFound())
                .andExpect(flash().attribute("notice", "market.review.deleted"));
        assertThat(stored(holder)).isNull();
        assertStats(1, 5);
        assertOneEventCommitted();

        // Deleting what is not there changes nothing, so nothing is published.
        assertThat(htmx(post("/listings/" + listing + "/review/delete").with(csrf()).with(user(holder))).getStatus()).isEqualTo(200);
        assertThat(events.take()).isEmpty();
        assertThat(panel(otherHolder)).contains("5.0 ★ (1 review)").contains("id=\"delete-review\"");
    }

    @Test
    void theOwnerSomeoneWithoutALicenseAndAnonymousVisitorsAreRefused() throws Exception {
        MockHttpServletResponse asOwner = htmx(review(owner, "5", "Mine is great."));
        assertThat(asOwner.getStatus()).isEqualTo(403);
        assertThat(asOwner.getContentAsString()).contains("You cannot review your own listing.").doesNotContain("id=\"review-form\"");

        MockHttpServletResponse asStranger = mvc.perform(review(stranger, "1", "Never used it.")).andReturn().getResponse();
        assertThat(asStranger.getStatus()).as("a plain form post gets the page with the reason").isEqualTo(403);
        assertThat(asStranger.getContentAsString())
                .contains("Only people who hold a license for this listing can review it.").contains("<html");

        mvc.perform(post("/listings/" + listing + "/review").param("stars", "1").with(csrf()))
                .andExpect(status().isFound()).andExpect(redirectedUrl("/login"));

        assertThat(reviewRows()).isZero();
        assertThat(events.take()).isEmpty();
        assertThat(panel(null)).contains("No reviews yet.").contains("Sign in to write a review").doesNotContain("id=\"review-form\"");
        assertThat(panel(owner)).contains("You cannot review your own listing.").doesNotContain("id=\"review-form\"");
        assertThat(panel(stranger)).contains("Only people who hold a license").doesNotContain("id=\"review-form\"");
        assertThat(panel(holder)).contains("id=\"review-form\"");
    }

    @Test
    void anUnpublishedListingTakesNoReviews() throws Exception {
        AccountPrincipal admin = users.admin();
        mvc.perform(post("/listings/" + listing + "/license").with(csrf()).with(user(admin))).andExpect(status().isOk());
        mvc.perform(post("/listings/" + listing + "/unpublish").with(csrf()).with(user(owner))).andExpect(status().isFound());
        events.take();

        // Hidden from the holder; an admin sees it, but may not review it.
        assertThat(htmx(review(holder, "5", "")).getStatus()).isEqualTo(404);
        MockHttpServletResponse asAdmin = htmx(review(admin, "5", ""));
        assertThat(asAdmin.getStatus()).isEqualTo(403);
        assertThat(asAdmin.getContentAsString()).contains("This listing is not published, so it cannot be reviewed.");
        assertThat(reviewRows()).isZero();
        assertThat(events.take()).isEmpty();
    }

    @Test
    void badInputIsRefusedWithAMessageAndStoresNothing() throws Exception {
        mvc.perform(review(holder, "3", "Fine.")).andExpect(status().isFound());
        events.take();

        for (String stars : new String[] {"0", "6", "abc", "4.5", ""}) {
            MockHttpServletResponse refused = htmx(review(holder, stars, "Changed my mind."));
            assertThat(refused.getStatus()).as("stars=" + stars).isEqualTo(400);
            assertThat(refused.getContentAsString()).contains("Choose from 1 to 5 stars.")
                    .as("what was typed is kept").contains("Changed my mind.");
        }
        MockHttpServletResponse tooLong = htmx(review(holder, "5", "a".repeat(2001)));
        assertThat(tooLong.getStatus()).isEqualTo(400);
        assertThat(tooLong.getContentAsString()).contains("A review may have at most 2,000 characters.");

        MockHttpServletResponse korean = htmx(review(holder, "9", "").header("Accept-Language", "ko"));
        assertThat(korean.getStatus()).isEqualTo(400);
        assertThat(korean.getContentAsString()).contains("별점은 1에서 5 사이로 고르세요.");
        MockHttpServletResponse koreanRefusal = htmx(review(stranger, "5", "").header("Accept-Language", "ko"));
        assertThat(koreanRefusal.getStatus()).isEqualTo(403);
        assertThat(koreanRefusal.getContentAsString()).contains("이 항목의 라이선스를 보유한 사람만 리뷰를 쓸 수 있습니다.");

        assertThat(stored(holder)).containsEntry("stars", 3).containsEntry("body", "Fine.");
        assertThat(reviewRows()).isEqualTo(1);
        assertStats(1, 3);
        assertThat(events.take()).isEmpty();

        // The limit counts characters as PostgreSQL does (code points), after trimming.
        String longest = "가".repeat(1999) + "😀";
        mvc.perform(review(holder, "5", "\n " + longest + " \n")).andExpect(status().isFound());
        assertThat(stored(holder)).containsEntry("body", longest);
    }

    @Test
    void thePanelShowsTheAverageAndTheTextEscaped() throws Exception {
        mvc.perform(review(holder, "4", "<script>alert(1)</script>\nSecond line")).andExpect(status().isFound());

        String panel = panel(null);
        assertThat(panel).contains("4.0 ★ (1 review)").contains("Average 4.0 of 5 stars from 1 review")
                .contains(HtmlUtils.htmlEscape("<script>alert(1)</script>"))
                .doesNotContain("<script>alert")
                .contains("aria-label=\"4 of 5 stars\">★★★★☆</span>")
                .contains(holder.getUsername());
        assertThat(mvc.perform(get("/listings/" + listing + "/reviews").header("Accept-Language", "ko"))
                .andReturn().getResponse().getContentAsString()).contains("4.0 ★ (리뷰 1개)").contains("<html");

        // The listing page loads the panel lazily, and links to its page for browsers without script.
        assertThat(mvc.perform(get("/datasets/" + listing)).andReturn().getResponse().getContentAsString())
                .contains("hx-get=\"/listings/" + listing + "/reviews\"")
                .contains("href=\"/listings/" + listing + "/reviews\"");
    }

    /** Reviews sharing an edit time (ties) still come exactly once each, newest first, across "More" pages. */
    @Test
    void reviewsComeNewestFirstAPageAtATime() throws Exception {
        Instant now = Instant.now();
        List<Object[]> written = new ArrayList<>(); // reviewer id, name, updated_at
        for (int i = 0; i < 23; i++) {
            AccountPrincipal reviewer = users.member();
            OffsetDateTime at = OffsetDateTime.ofInstant(now.minusSeconds(60L * (i / 3)), ZoneOffset.UTC);
            jdbc.sql("INSERT INTO listing_reviews (listing_id, reviewer_id, stars, updated_at) VALUES (?, ?, 3, ?)")
                    .params(listing, reviewer.id(), at).update();
            written.add(new Object[] {reviewer.id(), reviewer.getUsername(), at});
        }
        List<String> expected = written.stream()
                .sorted(Comparator.<Object[], OffsetDateTime>comparing(w -> (OffsetDateTime) w[2])
                        .thenComparing(w -> (Long) w[0]).reversed())
                .map(w -> (String) w[1]).toList();

        String page = panel(null);
        List<String> seen = new ArrayList<>(reviewers(page));
        assertThat(seen).hasSize(10);
        int pages = 1;
        for (Matcher more = MORE.matcher(page); more.find(); more = MORE.matcher(page), pages++) {
            String next = HtmlUtils.htmlUnescape(more.group(1));
            assertThat(mvc.perform(get(next)).andExpect(status().isOk()).andReturn().getResponse().getContentAsString())
                    .as("the plain link shows the next page").contains("<html");
            page = htmx(get(next + "&part=rows")).getContentAsString();
            seen.addAll(reviewers(page));
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyElementsOf(expected);

        assertThat(mvc.perform(get("/listings/" + listing + "/reviews").param("after", "garbage"))
                .andReturn().getResponse().getStatus()).isEqualTo(400);
    }

    private MockHttpServletRequestBuilder review(AccountPrincipal as, String stars, String body) {
        return post("/listings/" + listing + "/review").param("stars", stars).param("body", body).with(csrf()).with(user(as));
    }

    private MockHttpServletResponse htmx(MockHttpServletRequestBuilder request) throws Exception {
        return mvc.perform(request.header("HX-Request", "true")).andReturn().getResponse();
    }

    /** The panel as the listing page loads it; {@code as} null for an anonymous visitor. */
    private String panel(AccountPrincipal as) throws Exception {
        MockHttpServletRequestBuilder request = get("/listings/" + listing + "/reviews");
        if (as != null) {
            request.with(user(as));
        }
        MockHttpServletResponse response = htmx(request);
        assertThat(response.getStatus()).isEqualTo(200);
        return response.getContentAsString();
    }

    private static List<String> reviewers(String html) {
        List<String> names = new ArrayList<>();
        for (Matcher m = REVIEWER.matcher(html); m.find(); ) {
            names.add(m.group(1));
        }
        return names;
    }

    private Map<String, Object> stored(AccountPrincipal reviewer) {
        return jdbc.sql("SELECT stars::int AS stars, body, updated_at > created_at AS edited FROM listing_reviews WHERE listing_id = ? AND reviewer_id = ?")
                .params(listing, reviewer.id()).query().listOfRows().stream().findFirst().orElse(null);
    }

    private long reviewRows() {
        return jdbc.sql("SELECT count(*) FROM listing_reviews WHERE listing_id = ?").param(listing).query(Long.class).single();
    }

    /** reviews, stars_total and the rating (stars_total + 15) / (reviews + 5) that search sorts by. */
    private void assertStats(int reviews, int starsTotal) {
        Map<String, Object> stats = jdbc.sql("SELECT reviews, stars_total, rating FROM listing_stats WHERE listing_id = ?")
                .param(listing).query().singleRow();
        assertThat(stats).containsEntry("reviews", reviews).containsEntry("stars_total", starsTotal);
        assertThat((Double) stats.get("rating")).isCloseTo((starsTotal + 15.0) / (reviews + 5), within(1e-9));
    }

    private void assertOneEventCommitted() {
        assertThat(events.take()).containsExactly(new ListingStatsChanged(listing));
    }
}
