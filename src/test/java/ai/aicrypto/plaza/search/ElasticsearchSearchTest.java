package ai.aicrypto.plaza.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;


import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ai.aicrypto.plaza.catalog.ListingKind;
import ai.aicrypto.plaza.support.CuttableProxy;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The contract on the Elasticsearch backend, against the real server that ops/test starts
 * (PLAZA_TEST_ES_URL); each run writes through an alias of its own.
 */
class ElasticsearchSearchTest extends SearchContractTest {

    @DynamicPropertySource
    static void elasticsearch(DynamicPropertyRegistry registry) {
        registry.add("plaza.search.es-url", () -> proxy().url());
        String alias = "test-listings-" + Long.toString(System.nanoTime(), 36);
        registry.add("plaza.search.alias", () -> alias);
        registry.add("plaza.search.retry-interval", () -> "1s");
        registry.add("plaza.events.retry-interval", () -> "1s");
        registry.add("plaza.events.retry-after", () -> "1s");
        // A hanging Elasticsearch costs the first search its read timeout (long enough that a busy 2-core CI machine
        // does not trip it on a healthy search); a cool-down no test outlasts.
        registry.add("plaza.search.es-read-timeout", () -> "3s");
        registry.add("plaza.search.es-index-timeout", () -> "20s");
        registry.add("plaza.search.es-cooldown", () -> "10m");
    }

    private static CuttableProxy proxy;

    @Autowired
    ElasticsearchClient elasticsearch;
    @Autowired
    MeterRegistry meters;
    @Value("${plaza.search.alias}")
    String alias;

    static synchronized CuttableProxy proxy() {
        if (proxy == null) {
            proxy = new CuttableProxy(TestElasticsearch.url());
        }
        return proxy;
    }

    @Override
    protected String backend() {
        return "elasticsearch";
    }

    /**
     * Elasticsearch goes away, 500 listing changes happen, searches keep answering from
     * PostgreSQL; when it is back, the index converges to exactly the database's state.
     */
    @Test
    void outageLosesNothingAndFallsBackToPostgres() throws Exception {
        String tag = run + "-outage";
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(create(ListingKind.DATASET, "Outage listing " + i, "Before the outage.", List.of(tag), "MIT", "1", ""));
        }
        awaitIndexed(() -> indexed(tag).size() == 50);
        double fallbacksBefore = meters.counter("plaza.search.fallback").count();

        proxy().cut();
        try {
            int changes = 0;
            for (int i = 0; i < 250; i++, changes++) {
                ids.add(create(ListingKind.MODEL, "Created during outage " + i, "New.", List.of(tag), "MIT", "2", ""));
            }
            for (int i = 0; i < 150; i++, changes++) {
                long id = ids.get(i * 2);
                mvc.perform(post("/listings/" + id + "/edit").param("title", "Renamed during outage " + i)
                                .param("description", "Changed.").param("tags", tag).param("license", "CC0-1.0")
                                .param("priceAic", "3").with(user(owner)).with(csrf()))
                        .andExpect(status().is3xxRedirection());
            }
            for (int i = 0; i < 100; i++, changes++) {
                unpublish(ids.get(i * 2 + 1));
            }
            assertThat(changes).isEqualTo(500);

            SearchResults during = search.search(new SearchQuery("", null, tag, null, null, null, null, null, null, null, 100));
            assertThat(during.backend()).isEqualTo("postgresql");
            assertThat(during.total()).isEqualTo(database(tag).size());
            assertThat(meters.counter("plaza.search.fallback").count()).isGreaterThan(fallbacksBefore);
        } finally {
            proxy().restore();
        }

        Map<Long, String> expected = database(tag);
        awaitIndexed(() -> indexed(tag).equals(expected));
        SearchResults after = search.search(new SearchQuery("", null, tag, null, null, null, null, null, null, null, 100));
        assertThat(after.backend()).isEqualTo("elasticsearch");
        assertThat(after.total()).isEqualTo(expected.size());
    }

    /**
     * Review M11: an Elasticsearch that takes connections and never answers costs one search its read timeout, after
     * which searches skip it and PostgreSQL answers at once; once an index write gets through, Elasticsearch answers
     * searches again.
     */
    @Test
    void aHangingElasticsearchIsSkippedAfterItsFirstFailure() throws Exception {
        String tag = run + "-hang";
        create(ListingKind.DATASET, "Hang listing", "Before the hang.", List.of(tag), "MIT", "1", "");
        awaitIndexed(() -> indexed(tag).size() == 1);
        SearchQuery query = new SearchQuery("", null, tag, null, null, null, null, null, null, null, 10);
        double skippedBefore = meters.counter("plaza.search.skipped").count();

        proxy().hang();
        try {
            SearchResults timedOut = search.search(query);
            assertThat(timedOut.backend()).isEqualTo("postgresql");
            assertThat(timedOut.total()).isEqualTo(1);
            assertThat(meters.counter("plaza.search.skipped").count()).as("this one waited").isEqualTo(skippedBefore);

            SearchResults skipped = search.search(query);
            assertThat(skipped.backend()).isEqualTo("postgresql");
            assertThat(skipped.total()).isEqualTo(1);
            assertThat(meters.counter("plaza.search.skipped").count()).as("this one did not").isEqualTo(skippedBefore + 1);
        } finally {
            proxy().restore();
        }
        create(ListingKind.DATASET, "After the hang", "Indexed again.", List.of(tag), "MIT", "1", "");
        awaitIndexed(() -> search.search(query).backend().equals("elasticsearch") && search.search(query).total() == 2);
    }

    /** Published listings with the tag, as the database has them: id to title. */
    private Map<Long, String> database(String tag) {
        Map<Long, String> titles = new TreeMap<>();
        jdbc.sql("SELECT id, title FROM listings WHERE status = 'PUBLISHED' AND ? = ANY(tags)").param(tag)
                .query((rs, n) -> titles.put(rs.getLong("id"), rs.getString("title"))).list();
        return titles;
    }

    /** What the index holds for the tag, read straight from Elasticsearch: id to title. */
    @SuppressWarnings("rawtypes")
    private Map<Long, String> indexed(String tag) {
        try {
            elasticsearch.indices().refresh(r -> r.index(alias));
            var response = elasticsearch.search(s -> s.index(alias).size(1000)
                    .query(q -> q.term(t -> t.field("tags").value(tag))), Map.class);
            Map<Long, String> titles = new TreeMap<>();
            response.hits().hits().forEach(h -> titles.put(((Number) h.source().get("id")).longValue(),
                    (String) h.source().get("title")));
            return titles;
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }
}
