package ai.aicrypto.plaza.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.catalog.ListingKind;
import ai.aicrypto.plaza.catalog.SearchFacts;
import ai.aicrypto.plaza.catalog.Task;
import ai.aicrypto.plaza.market.ListingStatsChanged;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What every search backend must do; one subclass per backend, each against its real server.
 * Every listing carries a tag unique to this run, so tests see only their own data; GPU offers and
 * competitions, which have no tags, carry a random word in their titles instead.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SearchContractTest extends IntegrationTest {

    protected final String run = "run" + Long.toString(System.nanoTime(), 36);
    /** Random letters, unlike any other run's (so that typo tolerance cannot match another run's). */
    protected final String marker = letters(14);
    /** In the competition's hidden solution only: search must never find it. */
    protected final String solutionSecret = letters(14);

    @Autowired
    protected Search search;
    @Autowired
    protected Catalog catalog;
    @Autowired
    protected TestUsers users;
    @Autowired
    protected GpuOffers gpuOffers;
    @Autowired
    protected TransactionTemplate transactions;
    @Autowired
    protected ApplicationEventPublisher events;

    protected AccountPrincipal owner;
    protected final List<Long> pagingIds = new ArrayList<>();
    protected long fashion;
    protected long korean;
    protected long sneakers;
    protected long weather;
    protected long hidden;
    protected long h100;
    protected String competitionSlug;

    /** The name the backend reports in its results. */
    protected abstract String backend();

    @BeforeAll
    void listings() {
        owner = users.member();
        fashion = create(ListingKind.DATASET, "Fashion catalogue images", "Photos of **sneakers** and coats.",
                List.of(run, "vision"), "MIT", "0", new SearchFacts("pixels label", Task.CLASSIFICATION));
        sneakers = create(ListingKind.MODEL, "Sneaker classifier", "An MLP that tells sneakers from sandals.",
                List.of(run, "vision"), "Apache-2.0", "25", new SearchFacts("classification mlp", Task.CLASSIFICATION));
        weather = create(ListingKind.DATASET, "Weather station readings", "Hourly temperature and humidity.",
                List.of(run, "tabular"), "CC0-1.0", "150",
                new SearchFacts("temperature_c humidity station", Task.REGRESSION));
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
        create(ListingKind.DATASET, "Weather " + marker + " readings", "Free data.", List.of(run + "-mixed"), "MIT", "0", "");
        h100 = gpuOffers.register(owner.id(), new GpuOffers.NewOffer("Fast " + marker + " node", "NVIDIA H100", 81920,
                BigDecimal.ZERO, "kr-seoul")).offerId();
        gpuOffers.register(owner.id(), new GpuOffers.NewOffer("Cheap " + marker + " card", "RTX 4090", 24576,
                new BigDecimal("0.5"), "eu-west"));
        competitionSlug = hostCompetition(marker + " weather cup", "Predict tomorrow's **rain**.");
        awaitIndexed(() -> answered(new SearchQuery("", null, run, null, null, null, null, null, null, null, 100), 5)
                && answered(new SearchQuery("", null, run + "-paging", null, null, null, null, null, null, null, 100), 25)
                && answered(mixed(null), 4));
    }

    @Test
    void findsGpuOffersAndCompetitionsWithTheirKindCounts() {
        SearchResults results = search.search(mixed(null));
        assertThat(results.facets().get("kind")).extracting(SearchResults.FacetValue::value, SearchResults.FacetValue::count)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("DATASET", 1L),
                        org.assertj.core.groups.Tuple.tuple("GPU_OFFER", 2L), org.assertj.core.groups.Tuple.tuple("COMPETITION", 1L));
        assertThat(results.hits()).anySatisfy(hit -> {
            assertThat(hit.kind()).isEqualTo(SearchKind.COMPETITION);
            assertThat(hit.url()).isEqualTo("/competitions/" + competitionSlug);
            assertThat(hit.detail()).startsWith("RMSE · 2031-03-03");
            assertThat(hit.snippetHtml()).contains("rain").doesNotContain("*");
            assertThat(hit.ownerName()).isEqualTo(owner.getUsername());
        });
        assertThat(results.hits()).anySatisfy(hit -> {
            assertThat(hit.kind()).isEqualTo(SearchKind.GPU_OFFER);
            assertThat(hit.url()).isEqualTo("/gpus#offer-" + h100);
            assertThat(hit.snippetHtml()).contains("NVIDIA H100", "80 GB", "kr-seoul");
            assertThat(hit.license()).isNull();
        });
        SearchQuery competitionsOnly = new SearchQuery(marker, Set.of(SearchKind.COMPETITION), null, null, null, null,
                null, null, null, null, 100);
        assertThat(titles(competitionsOnly)).containsExactly(marker + " weather cup");
    }

    @Test
    void resultsPageLinksEachKindToItsPage() throws Exception {
        String page = mvc.perform(get("/search").param("q", marker)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        assertThat(page).contains("href=\"/competitions/" + competitionSlug + "\"", "href=\"/gpus#offer-" + h100 + "\"",
                "per GPU-hour", "RMSE · 2031-03-03", "GPU offer", "Competition", "NVIDIA H100");
        String h100Only = mvc.perform(get("/search").param("q", marker).param("gpuModel", "NVIDIA H100"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(h100Only).contains("href=\"/gpus#offer-" + h100 + "\"").doesNotContain("/competitions/" + competitionSlug);
    }

    @Test
    void countsAndFiltersByGpuModel() {
        assertThat(search.search(mixed(null)).facets().get("gpuModel"))
                .extracting(SearchResults.FacetValue::value, SearchResults.FacetValue::count)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("NVIDIA H100", 1L),
                        org.assertj.core.groups.Tuple.tuple("RTX 4090", 1L));
        SearchResults h100s = search.search(mixed("NVIDIA H100"));
        assertThat(h100s.hits()).extracting(SearchHit::kind, SearchHit::id).containsExactly(
                org.assertj.core.groups.Tuple.tuple(SearchKind.GPU_OFFER, h100));
        assertThat(h100s.facets().get("kind")).extracting(SearchResults.FacetValue::value).containsExactly("GPU_OFFER");
    }

    @Test
    void neverFindsACompetitionsHiddenSolution() {
        assertThat(search.search(SearchQuery.text(solutionSecret)).hits()).isEmpty();
        assertThat(search.search(mixed(null)).hits())
                .allSatisfy(hit -> assertThat(hit.snippetHtml() + hit.detail()).doesNotContain(solutionSecret));
    }

    /**
     * Ids repeat across kinds; paging one hit at a time through equal prices must still visit each
     * once. (Not by relevance: Elasticsearch's scores move while other tests' writes are refreshed.)
     */
    @Test
    void pagesAcrossKindsVisitingEachHitOnce() {
        for (SearchQuery.Sort sort : List.of(SearchQuery.Sort.NEWEST, SearchQuery.Sort.PRICE_ASC, SearchQuery.Sort.PRICE_DESC)) {
            List<String> seen = new ArrayList<>();
            SearchQuery query = mixed(null).withSort(sort);
            query = new SearchQuery(query.text(), null, null, null, null, null, null, null, sort, null, 1);
            for (int page = 0; page < 10 && query != null; page++) {
                SearchResults results = search.search(query);
                results.hits().forEach(h -> seen.add(h.kind() + "-" + h.id()));
                query = results.nextCursor() == null ? null : query.withAfter(results.nextCursor());
            }
            assertThat(seen).as(sort.name()).hasSize(4).doesNotHaveDuplicates();
        }
    }

    /**
     * The score arrives with a worker's heartbeat, after the offer was registered. (Each change is
     * awaited before the next, so that no late delivery disturbs the relevance scores of other tests.)
     */
    @Test
    void showsAGpuOffersMeasuredScore() throws Exception {
        String word = letters(12);
        var issued = gpuOffers.register(owner.id(), new GpuOffers.NewOffer(word + " benchmarked", "A100", 40960,
                BigDecimal.ONE, "us-east"));
        awaitIndexed(() -> answered(SearchQuery.text(word), 1));
        heartbeat(issued.token(), 1234.4);
        heartbeat(issued.token(), 1234.4);
        awaitIndexed(() -> search.search(SearchQuery.text(word)).hits().stream()
                .anyMatch(hit -> hit.snippetHtml().contains("1234 samples/s")));
        assertThat(search.search(SearchQuery.text(word)).hits()).singleElement()
                .satisfies(hit -> assertThat(hit.snippetHtml()).contains("A100", "40 GB", "us-east", "1234 samples/s"));
    }

    protected void heartbeat(String workerToken, double benchmarkScore) throws Exception {
        mvc.perform(post("/api/worker/v1/heartbeat").header("Authorization", "Bearer " + workerToken)
                        .contentType("application/json")
                        .content("{\"engine\":\"cpu\",\"gpuMemoryMb\":40960,\"cachedDatasets\":[],\"benchmarkScore\":"
                                + benchmarkScore + "}"))
                .andExpect(status().is2xxSuccessful());
    }

    @Test
    void showsACompetitionsEditedTitle() throws Exception {
        String first = letters(12);
        String slug = hostCompetition(first + " first title", "Before the edit.");
        awaitIndexed(() -> answered(SearchQuery.text(first), 1));
        String renamed = letters(12);
        mvc.perform(post("/competitions/" + slug + "/edit").param("title", renamed + " renamed cup")
                        .param("overview", "After the edit.").param("rules", "").param("dataDescription", "")
                        .with(user(owner)).with(csrf()))
                .andExpect(status().is3xxRedirection());
        awaitIndexed(() -> answered(SearchQuery.text(renamed), 1));
        assertThat(titles(SearchQuery.text(renamed))).containsExactly(renamed + " renamed cup");
        assertThat(search.suggest(renamed.substring(0, 8), 5)).contains(renamed + " renamed cup");
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
    void snippetsShowTheDescriptionWithoutItsMarkdown() {
        assertThat(search.search(mine("coats")).hits()).filteredOn(hit -> hit.id() == fashion).singleElement()
                .satisfies(hit -> assertThat(hit.snippetHtml()).contains("sneakers", "<mark>").doesNotContain("*"));
    }

    @Test
    void findsKoreanWords() {
        assertThat(ids(mine("패션"))).contains(korean);
        assertThat(ids(mine("데이터셋"))).contains(korean);
    }

    @Test
    void neverShowsUnpublishedListings() {
        assertThat(ids(mine("secret"))).doesNotContain(hidden);
        assertThat(ids(new SearchQuery("", null, run, null, null, null, null, null, null, null, 100))).doesNotContain(hidden);
    }

    @Test
    void filtersAndCountsFacets() {
        SearchResults all = search.search(new SearchQuery("", null, run, null, null, null, null, null, null, null, 100));
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

        assertThat(count(new SearchQuery("", Set.of(SearchKind.MODEL), run, null, null, null, null, null, null, null, 100))).isEqualTo(1);
        assertThat(count(new SearchQuery("", null, run, "CC0-1.0", null, null, null, null, null, null, 100))).isEqualTo(1);
        assertThat(count(new SearchQuery("", null, run, null, null, SearchQuery.PriceFilter.FREE, null, null, null, null, 100))).isEqualTo(2);
        assertThat(count(new SearchQuery("", null, run, null, null, null, new BigDecimal("10"), new BigDecimal("100"), null, null, 100))).isEqualTo(1);
    }

    @Test
    void filtersAndCountsByTask() {
        SearchResults all = search.search(new SearchQuery("", null, run, null, null, null, null, null, null, null, 100));
        assertThat(all.facets().get("task")).extracting(SearchResults.FacetValue::value, SearchResults.FacetValue::count)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("CLASSIFICATION", 2L),
                        org.assertj.core.groups.Tuple.tuple("REGRESSION", 1L));
        SearchResults regression = search.search(new SearchQuery("", null, run, null, null, null, null, null, null, null, 100)
                .withTask(Task.REGRESSION));
        assertThat(regression.hits()).extracting(SearchHit::id).containsExactly(weather);
        assertThat(regression.hits().get(0).task()).isEqualTo(Task.REGRESSION);
        // A competition's task follows from its metric (RMSE: regression).
        assertThat(search.search(mixed(null).withTask(Task.REGRESSION)).hits()).extracting(SearchHit::kind)
                .containsExactly(SearchKind.COMPETITION);
    }

    /**
     * Popularity is the licenses in force; the rating is the reviews' average pulled toward 3 stars by 5
     * imaginary reviews, unrated listings last; ties newest first (by id).
     */
    @Test
    void sortsByPopularityAndRating() {
        String sorting = run + "-sorting";
        long a = create(ListingKind.DATASET, "Sorted a", "", List.of(sorting), "MIT", "1", "");
        long b = create(ListingKind.DATASET, "Sorted b", "", List.of(sorting), "MIT", "1", "");
        long c = create(ListingKind.MODEL, "Sorted c", "", List.of(sorting), "MIT", "1", "");
        long d = create(ListingKind.MODEL, "Sorted d", "", List.of(sorting), "MIT", "1", "");
        licenseAndReview(a, 3);
        licenseAndReview(b, 2, 5, 5);   // (10 + 15) / 7 = 3.57
        licenseAndReview(c, 1, 4);      // (4 + 15) / 6 = 3.17
        SearchQuery popular = new SearchQuery("", null, sorting, null, null, null, null, null, SearchQuery.Sort.POPULARITY,
                null, 100);
        SearchQuery rated = popular.withSort(SearchQuery.Sort.RATING);
        awaitIndexed(() -> ids(popular).equals(List.of(a, b, c, d)) && ids(rated).equals(List.of(b, c, d, a)));

        SearchHit top = search.search(rated).hits().get(0);
        assertThat(top.averageStars()).isEqualTo(5.0);
        assertThat(top.reviews()).isEqualTo(2);
        assertThat(top.popularity()).isEqualTo(2);
        assertThat(search.search(popular).hits().get(0).averageStars()).isNull();

        // A revoked license no longer counts.
        transactions.executeWithoutResult(status -> {
            jdbc.sql("UPDATE licenses SET revoked = true WHERE listing_id = ?").param(a).update();
            events.publishEvent(new ListingStatsChanged(a));
        });
        awaitIndexed(() -> ids(popular).equals(List.of(b, c, d, a)));
    }

    @Test
    void pagesWithSearchAfterVisitEachHitOnceInOrder() {
        for (SearchQuery.Sort sort : List.of(SearchQuery.Sort.NEWEST, SearchQuery.Sort.PRICE_ASC,
                SearchQuery.Sort.POPULARITY, SearchQuery.Sort.RATING)) {
            List<Long> seen = new ArrayList<>();
            SearchQuery query = new SearchQuery("", null, run + "-paging", null, null, null, null, null, sort, null, 7);
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
        SearchQuery query = new SearchQuery("paging model", null, run + "-paging", null, null, null, null, null, null, null, 6);
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

    /** The run's dataset, GPU offers and competition, optionally only offers of one GPU model. */
    protected SearchQuery mixed(String gpuModel) {
        return new SearchQuery(marker, null, null, null, gpuModel, null, null, null, null, null, 100);
    }

    protected SearchQuery mine(String text) {
        return new SearchQuery(text, null, run, null, null, null, null, null, null, null, 100);
    }

    /**
     * Review L12: a cursor of this backend whose sort values are not what it wrote (not numbers, out of range, an
     * unknown kind) is a broken link to the visitor, for every sort order, never a server error.
     */
    @Test
    void aBrokenCursorIsToldAsSuchNeverAServerError() throws Exception {
        List<List<String>> broken = List.of(List.of("x", "1", "DATASET"), List.of("1", "x", "DATASET"),
                List.of("1e999999999", "1", "DATASET"), List.of("+99999-01-01T00:00:00Z", "1", "DATASET"),
                List.of("NaN", "1", "DATASET"), List.of("1", "1", "NOPE"));
        awaitIndexed(() -> search.search(mine("")).backend().equals(backend())); // not a fallback, which drops the cursor
        for (SearchQuery.Sort sort : SearchQuery.Sort.values()) {
            for (List<String> values : broken) {
                String cursor = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                        (backend() + "\u001f" + String.join("\u001f", values)).getBytes(StandardCharsets.UTF_8));
                assertThatThrownBy(() -> search.search(mine("").withSort(sort).withAfter(cursor))).as(sort + " " + values)
                        .isInstanceOfSatisfying(UserFacingException.class,
                                e -> assertThat(e.messageKey()).isEqualTo("listing.error.bad-cursor"));
                var page = mvc.perform(get("/search").param("sort", sort.name()).param("after", cursor)
                        .header("Accept-Language", "en")).andReturn().getResponse();
                assertThat(page.getStatus()).as(sort + " " + values).isEqualTo(400);
                assertThat(page.getContentAsString()).contains("This page link is broken or out of date.");
            }
        }
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
        return create(kind, title, description, tags, license, price, new SearchFacts(terms, null));
    }

    protected long create(ListingKind kind, String title, String description, List<String> tags, String license,
                          String price, SearchFacts search) {
        return catalog.create(kind, owner.id(), new ListingDraft(title, description, tags, license, new BigDecimal(price)),
                search);
    }

    /**
     * Licenses and reviews as the market stores them: rows the database counts into listing_stats, and the
     * ListingStatsChanged event, in one transaction.
     */
    protected void licenseAndReview(long listingId, int licenses, int... stars) {
        transactions.executeWithoutResult(status -> {
            for (int i = 0; i < licenses; i++) {
                long buyer = users.member().id();
                jdbc.sql("INSERT INTO licenses (listing_id, user_id) VALUES (?, ?)").params(listingId, buyer).update();
                if (i < stars.length) {
                    jdbc.sql("INSERT INTO listing_reviews (listing_id, reviewer_id, stars) VALUES (?, ?, ?)")
                            .params(listingId, buyer, stars[i]).update();
                }
            }
            events.publishEvent(new ListingStatsChanged(listingId));
        });
    }

    /** Through the host's real route; the hidden solution's row ids contain {@link #solutionSecret}. */
    protected String hostCompetition(String title, String overview) {
        String slug = "search-" + letters(10);
        String solution = "id,target\n" + solutionSecret + "a,1\n" + solutionSecret + "b,2\n" + solutionSecret + "c,3\n";
        try {
            mvc.perform(multipart("/competitions/new")
                            .file(new MockMultipartFile("solution", "solution.csv", "text/csv",
                                    solution.getBytes(StandardCharsets.UTF_8)))
                            .param("title", title).param("slug", slug).param("overview", overview).param("metric", "RMSE")
                            .param("publicPercent", "30").param("startsAt", "2031-03-03T12:00")
                            .param("endsAt", "2031-03-10T12:00").param("submissionsPerDay", "5")
                            .param("finalSelections", "2").param("maxTeamSize", "2").param("prizePoolAic", "0")
                            .param("prizeSplit", "").with(user(owner)).with(csrf().asHeader()))
                    .andExpect(status().is3xxRedirection());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return slug;
    }

    private static String letters(int n) {
        Random random = new Random();
        StringBuilder word = new StringBuilder("zq");
        for (int i = 0; i < n; i++) {
            word.append((char) ('a' + random.nextInt(26)));
        }
        return word.toString();
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

    /**
     * Index updates are asynchronous for Elasticsearch; PostgreSQL is consistent at once. A minute, because on a
     * 2-core machine under a full build Elasticsearch has taken more than 30 s to refresh.
     */
    protected static void awaitIndexed(Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("The search index did not catch up within 60 s");
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
