package ai.aicrypto.plaza.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.catalog.ListingKind;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What every search backend must do; one subclass per backend, each against its real server.
 * Every listing carries a tag unique to this run, so tests see only their own data.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SearchContractTest extends IntegrationTest {

    protected final String run = "run" + Long.toString(System.nanoTime(), 36);

    @Autowired
    protected Search search;
    @Autowired
    protected Catalog catalog;
    @Autowired
    protected TestUsers users;

    protected AccountPrincipal owner;
    protected final List<Long> pagingIds = new ArrayList<>();
    protected long fashion;
    protected long korean;
    protected long hidden;

    /** The name the backend reports in its results. */
    protected abstract String backend();

    @BeforeAll
    void listings() {
        owner = users.member();
        fashion = create(ListingKind.DATASET, "Fashion catalogue images", "Photos of **sneakers** and coats.",
                List.of(run, "vision"), "MIT", "0", "pixels label");
        create(ListingKind.MODEL, "Sneaker classifier", "An MLP that tells sneakers from sandals.",
                List.of(run, "vision"), "Apache-2.0", "25", "classification mlp");
        create(ListingKind.DATASET, "Weather station readings", "Hourly temperature and humidity.",
                List.of(run, "tabular"), "CC0-1.0", "150", "temperature_c humidity station");
        korean = create(ListingKind.DATASET, "패션 상품 이미지 데이터셋", "한국어 설명이 있는 패션 데이터입니다.",
                List.of(run, "korean"), "CC-BY-4.0", "5", "");
        create(ListingKind.DATASET, "<script>alert(1)</script> sneakers", "Markup in titles must stay text.",
                List.of(run), "MIT", "0", "");
        hidden = create(ListingKind.DATASET, "Secret sneakers draft", "Unpublished: never in results.",
                List.of(run), "MIT", "0", "");
        unpublish(hidden);
        for (int i = 0; i < 25; i++) {
            pagingIds.add(create(ListingKind.MODEL, "Paging model " + i, "Listing for paging.",
                    List.of(run + "-paging"), "MIT", String.valueOf(i % 4), ""));
        }
        awaitIndexed(() -> answered(new SearchQuery("", null, run, null, null, null, null, null, null, 100), 5)
                && answered(new SearchQuery("", null, run + "-paging", null, null, null, null, null, null, 100), 25));
    }

    @Test
    void findsByTitleTagDescriptionAndTerms() {
        assertThat(titles(mine("catalogue"))).containsExactly("Fashion catalogue images");
        assertThat(titles(mine("humidity"))).containsExactly("Weather station readings");
        assertThat(titles(mine("temperature_c"))).contains("Weather station readings");
        assertThat(titles(mine("tabular"))).containsExactly("Weather station readings");
    }

    @Test
    void toleratesTypos() {
        assertThat(titles(mine("fashon"))).contains("Fashion catalogue images");
        assertThat(titles(mine("sneakr"))).contains("Sneaker classifier");
    }

    @Test
    void matchesTheBeginningOfAWord() {
        assertThat(titles(mine("weath"))).contains("Weather station readings");
    }

    @Test
    void highlightsMatchesAndEscapesMarkup() {
        SearchResults results = search.search(mine("sneakers"));
        assertThat(results.backend()).isEqualTo(backend());
        assertThat(results.hits()).allSatisfy(hit -> assertThat(hit.titleHtml() + hit.snippetHtml()).doesNotContain("<script>"));
        assertThat(results.hits()).anySatisfy(hit -> assertThat(hit.titleHtml()).contains("&lt;script&gt;"));
        assertThat(results.hits()).anySatisfy(hit -> assertThat(hit.titleHtml() + hit.snippetHtml()).contains("<mark>"));
    }

    @Test
    void findsKoreanWords() {
        assertThat(ids(mine("패션"))).contains(korean);
        assertThat(ids(mine("데이터셋"))).contains(korean);
    }

    @Test
    void neverShowsUnpublishedListings() {
        assertThat(ids(mine("secret"))).doesNotContain(hidden);
        assertThat(ids(new SearchQuery("", null, run, null, null, null, null, null, null, 100))).doesNotContain(hidden);
    }

    @Test
    void filtersAndCountsFacets() {
        SearchResults all = search.search(new SearchQuery("", null, run, null, null, null, null, null, null, 100));
        assertThat(all.total()).isEqualTo(5);
        assertThat(all.facets().get("kind")).extracting(SearchResults.FacetValue::value, SearchResults.FacetValue::count)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("DATASET", 4L), org.assertj.core.groups.Tuple.tuple("MODEL", 1L));
        assertThat(all.facets().get("price")).extracting(SearchResults.FacetValue::value, SearchResults.FacetValue::count)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("free", 2L), org.assertj.core.groups.Tuple.tuple("paid", 3L));
        assertThat(all.facets().get("tag")).anySatisfy(v -> {
            assertThat(v.value()).isEqualTo("vision");
            assertThat(v.count()).isEqualTo(2);
        });
        assertThat(all.facets().get("priceRange")).extracting(SearchResults.FacetValue::value)
                .contains("0", "0-10", "10-100", "100-");

        assertThat(count(new SearchQuery("", Set.of(ListingKind.MODEL), run, null, null, null, null, null, null, 100))).isEqualTo(1);
        assertThat(count(new SearchQuery("", null, run, "CC0-1.0", null, null, null, null, null, 100))).isEqualTo(1);
        assertThat(count(new SearchQuery("", null, run, null, SearchQuery.PriceFilter.FREE, null, null, null, null, 100))).isEqualTo(2);
        assertThat(count(new SearchQuery("", null, run, null, null, new BigDecimal("10"), new BigDecimal("100"), null, null, 100))).isEqualTo(1);
    }

    @Test
    void pagesWithSearchAfterVisitEachHitOnceInOrder() {
        for (SearchQuery.Sort sort : List.of(SearchQuery.Sort.NEWEST, SearchQuery.Sort.PRICE_ASC)) {
            List<Long> seen = new ArrayList<>();
            SearchQuery query = new SearchQuery("", null, run + "-paging", null, null, null, null, sort, null, 7);
            for (int page = 0; page < 10; page++) {
                SearchResults results = search.search(query);
                results.hits().forEach(h -> seen.add(h.id()));
                if (results.nextCursor() == null) {
                    break;
                }
                query = query.withAfter(results.nextCursor());
            }
            assertThat(seen).as(sort.name()).hasSize(25).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(pagingIds);
            if (sort == SearchQuery.Sort.NEWEST) {
                assertThat(seen).isSortedAccordingTo(Comparator.reverseOrder());
            }
        }
    }

    @Test
    void relevancePagingVisitsEachHitOnce() {
        List<Long> seen = new ArrayList<>();
        SearchQuery query = new SearchQuery("paging model", null, run + "-paging", null, null, null, null, null, null, 6);
        for (int page = 0; page < 10 && query != null; page++) {
            SearchResults results = search.search(query);
            results.hits().forEach(h -> seen.add(h.id()));
            query = results.nextCursor() == null ? null : query.withAfter(results.nextCursor());
        }
        assertThat(seen).hasSize(25).doesNotHaveDuplicates();
    }

    @Test
    void suggestsTitlesAsYouType() {
        assertThat(search.suggest("Weather stat", 5)).contains("Weather station readings");
        assertThat(search.suggest("", 5)).isEmpty();
    }

    protected SearchQuery mine(String text) {
        return new SearchQuery(text, null, run, null, null, null, null, null, null, 100);
    }

    /** The backend under test (not a fallback) answers with this many hits. */
    protected boolean answered(SearchQuery query, long hits) {
        SearchResults results = search.search(query);
        return results.backend().equals(backend()) && results.total() == hits;
    }

    protected long count(SearchQuery query) {
        return search.search(query).total();
    }

    protected List<String> titles(SearchQuery query) {
        return search.search(query).hits().stream().map(SearchHit::title).toList();
    }

    protected List<Long> ids(SearchQuery query) {
        return search.search(query).hits().stream().map(SearchHit::id).toList();
    }

    protected long create(ListingKind kind, String title, String description, List<String> tags, String license,
                          String price, String terms) {
        return catalog.create(kind, owner.id(), new ListingDraft(title, description, tags, license, new BigDecimal(price)), terms);
    }

    /** Through the owner's real route, so that the change reaches the index as it would in use. */
    protected void unpublish(long id) {
        try {
            mvc.perform(post("/listings/" + id + "/unpublish").with(user(owner)).with(csrf()))
                    .andExpect(status().is3xxRedirection());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Index updates are asynchronous for Elasticsearch; PostgreSQL is consistent at once. */
    protected static void awaitIndexed(Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("The search index did not catch up within 30 s");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
