package ai.aicrypto.plaza.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * PostgreSQL search past its exact-count limit (1,000 by default): estimated, rounded counts from the sample, relevance
 * over the newest matches, other sorts still exact. The listings are written straight into the table, as many as it
 * takes for the sample to be large enough that the estimates' bounds below hold but for a chance of about 1 in 10,000
 * (a sample of about 100 rows: 40% is 4 standard deviations).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresSearchEstimatesTest extends IntegrationTest {

    private static final int LISTINGS = 6_400;
    /** Every tenth listing has both words in its title; every listing has the first in its description. */
    private static final int IN_TITLE = LISTINGS / 10;

    @Autowired
    Search search;
    @Autowired
    TestUsers users;

    private final String word = letters(12);
    private final String titleWord = letters(12);
    private final String tag = "estimates-" + letters(8);

    @BeforeAll
    void manyListings() {
        // Listing i was created i seconds ago: the lower i, the newer. Half are datasets, a quarter free.
        jdbc.sql("""
                        INSERT INTO listings (kind, owner_id, title, description, description_text, tags, tag_text, license,
                                              price_aic, status, created_at, updated_at)
                        SELECT CASE WHEN i % 2 = 0 THEN 'DATASET' ELSE 'MODEL' END, :owner,
                               CASE WHEN i % 10 = 0 THEN :word || ' ' || :titleWord || ' ' || i ELSE 'Listing ' || i END,
                               'Notes on ' || :word || ' things.', 'Notes on ' || :word || ' things.', ARRAY[:tag], :tag, 'MIT',
                               CASE WHEN i % 4 = 0 THEN 0 ELSE 5 END, 'PUBLISHED',
                               now() - make_interval(secs => i), now() - make_interval(secs => i)
                        FROM generate_series(0, :last) AS i""")
                .param("owner", users.member().id()).param("word", word).param("titleWord", titleWord)
                .param("tag", tag).param("last", LISTINGS - 1).update();
        jdbc.sql("ANALYZE listings").update();
    }

    @AfterAll
    void removeThem() {
        jdbc.sql("DELETE FROM listings WHERE tag_text = ?").param(tag).update();
    }

    @Test
    void pastTheLimitCountsAreEstimatedAndRounded() {
        SearchResults results = search.search(SearchQuery.text(word));
        assertThat(results.estimated()).isTrue();
        assertThat(results.total()).isBetween((long) (LISTINGS * 0.6), (long) (LISTINGS * 1.4));
        assertThat(results.total() % 100).as("two significant digits").isZero();
        assertThat(results.facets().get("kind")).extracting(SearchResults.FacetValue::value)
                .containsExactlyInAnyOrder("DATASET", "MODEL");
        assertThat(results.facets().get("kind")).allSatisfy(kind ->
                assertThat(kind.count()).isBetween((long) (LISTINGS / 2 * 0.6), (long) (LISTINGS / 2 * 1.4)));
        assertThat(results.facets().get("price")).filteredOn(price -> price.value().equals("free")).singleElement()
                .satisfies(free -> assertThat(free.count()).isBetween((long) (LISTINGS / 4 * 0.6), (long) (LISTINGS / 4 * 1.4)));
        assertThat(results.facets().get("tag")).extracting(SearchResults.FacetValue::value).containsExactly(tag);
    }

    @Test
    void upToTheLimitCountsAreExact() {
        SearchResults results = search.search(SearchQuery.text(titleWord));
        assertThat(results.estimated()).isFalse();
        assertThat(results.total()).isEqualTo(IN_TITLE);
        assertThat(results.facets().get("kind")).extracting(SearchResults.FacetValue::value, SearchResults.FacetValue::count)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("DATASET", (long) IN_TITLE));
    }

    /** Words as written match past the limit; a typo finds titles with the word (fewer than a page match as written). */
    @Test
    void aTypoStillFindsTitles() {
        String typo = titleWord.substring(0, 6) + (titleWord.charAt(6) == 'x' ? 'y' : 'x') + titleWord.substring(7);
        SearchResults results = search.search(SearchQuery.text(typo));
        assertThat(results.total()).isEqualTo(IN_TITLE);
        assertThat(results.hits()).allSatisfy(hit -> assertThat(hit.title()).startsWith(word + " " + titleWord));
    }

    /**
     * Relevance ranks the newest few hundred matches (about 500 by default), titles above descriptions; paging through
     * them visits each once and ends there. Only new listings are ranked: all within the newest 2,000.
     */
    @Test
    void relevanceRanksTheNewestMatchesTitlesFirst() {
        SearchQuery query = new SearchQuery(word, null, tag, null, null, null, null, null, null, null, 20);
        SearchResults first = search.search(query);
        assertThat(first.hits()).hasSize(20)
                .allSatisfy(hit -> assertThat(hit.title()).startsWith(word + " " + titleWord));

        List<String> seen = new ArrayList<>();
        for (int page = 0; page < 100 && query != null; page++) {
            SearchResults results = search.search(query);
            results.hits().forEach(hit -> seen.add(hit.title()));
            query = results.nextCursor() == null ? null : query.withAfter(results.nextCursor());
        }
        assertThat(query).as("paging ended").isNull();
        assertThat(seen).doesNotHaveDuplicates().hasSizeBetween(100, 2_000);
        assertThat(seen).allSatisfy(title -> assertThat(age(title)).isLessThan(2_000));
    }

    @Test
    void otherSortsStayExact() {
        SearchQuery newest = new SearchQuery(word, null, null, null, null, null, null, null, SearchQuery.Sort.NEWEST, null, 20);
        SearchResults results = search.search(newest);
        assertThat(results.hits()).extracting(hit -> age(hit.title()))
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
        SearchResults next = search.search(newest.withAfter(results.nextCursor()));
        assertThat(next.hits()).extracting(hit -> age(hit.title())).startsWith(20, 21, 22);
    }

    @Test
    void thePageSaysTheCountsAreEstimates() throws Exception {
        String english = mvc.perform(get("/search").param("q", word).header("Accept-Language", "en"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(english).containsPattern("About [0-9,]+ results").containsPattern("<span class=\"count\">about [0-9,]+</span>");
        String korean = mvc.perform(get("/search").param("q", word).header("Accept-Language", "ko"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(korean).containsPattern("결과 약 [0-9,]+개").containsPattern("<span class=\"count\">약 [0-9,]+</span>");
        String exact = mvc.perform(get("/search").param("q", titleWord).header("Accept-Language", "en"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(exact).contains(IN_TITLE + " results").doesNotContainPattern("About [0-9,]+ results")
                .doesNotContain("<span class=\"count\">about");
    }

    /** How many seconds before the newest the listing with this title was created (its number in the title). */
    private static int age(String title) {
        return Integer.parseInt(title.substring(title.lastIndexOf(' ') + 1));
    }

    private static String letters(int n) {
        Random random = new Random();
        StringBuilder letters = new StringBuilder("zq");
        for (int i = 0; i < n; i++) {
            letters.append((char) ('a' + random.nextInt(26)));
        }
        return letters.toString();
    }
}
