package ai.aicrypto.plaza.search.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;

import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.catalog.ListingKind;
import ai.aicrypto.plaza.catalog.SearchFacts;
import ai.aicrypto.plaza.catalog.Task;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * An index built with an older mapping (here: the one before tasks, popularity and ratings, which has no
 * {@code _meta.version}) is rebuilt at start, so new fields are never refused by the strict mapping.
 */
class SearchIndexMappingTest extends IntegrationTest {

    @Autowired
    Catalog catalog;
    @Autowired
    SearchDocuments documents;
    @Autowired
    TestUsers users;
    @Autowired
    Clock clock;

    @Test
    void indexWithAnOlderMappingIsRebuiltAtStart() throws IOException {
        String url = System.getenv("PLAZA_TEST_ES_URL");
        assertThat(url).as("PLAZA_TEST_ES_URL (ops/test starts Elasticsearch)").isNotBlank();
        String alias = "mapping-test-" + Long.toString(System.nanoTime(), 36);
        long id = catalog.create(ListingKind.MODEL, users.member().id(),
                new ListingDraft("Mapping test " + alias, "", List.of(alias), "MIT", BigDecimal.ONE),
                new SearchFacts("", Task.REGRESSION));
        try (ElasticsearchClient client = ElasticsearchClient.of(b -> b.host(url))) {
            String old = alias + "-old";
            client.indices().create(c -> c.index(old).withJson(new StringReader("""
                    {"mappings": {"dynamic": "strict", "properties": {"id": {"type": "long"}, "title": {"type": "text"}}}}""")));
            client.indices().updateAliases(u -> u.actions(a -> a.add(add -> add.index(old).alias(alias))));

            new SearchIndex(client, new SearchProperties(url, alias, null, null, null, null, null, null), catalog, documents, clock).ensureExists();

            var indices = client.indices().getAlias(a -> a.name(alias)).aliases().keySet();
            assertThat(indices).hasSize(1).doesNotContain(old);
            assertThat(client.indices().exists(e -> e.index(old)).value()).isFalse();
            String index = indices.iterator().next();
            assertThat(client.indices().getMapping(m -> m.index(index)).get(index).mappings().meta().get("version")
                    .to(Long.class)).isEqualTo(2L);
            var task = client.get(g -> g.index(alias).id(Long.toString(id)), java.util.Map.class).source().get("task");
            assertThat(task).isEqualTo("REGRESSION");
            client.indices().delete(d -> d.index(index));
        }
    }
}
