package ai.aicrypto.plaza.search.internal;

import java.io.IOException;
import java.time.Clock;
import java.util.Optional;

import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.catalog.ListingChanged;
import ai.aicrypto.plaza.catalog.ListingDocument;
import ai.aicrypto.plaza.competition.CompetitionChanged;
import ai.aicrypto.plaza.compute.GpuOfferChanged;
import ai.aicrypto.plaza.market.ListingStatsChanged;
import ai.aicrypto.plaza.search.SearchKind;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.scheduling.annotation.Scheduled;
import tools.jackson.databind.json.JsonMapper;

/**
 * Elasticsearch, only when PLAZA_SEARCH_ES_URL is set. Changes of listings, GPU offers and
 * competitions reach the index through the event publication registry: a delivery that fails (Elasticsearch down)
 * stays recorded and is retried until it succeeds ({@code platform.EventRedelivery}), so the index converges to the
 * database.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("!'${plaza.search.es-url:}'.isBlank()")
class ElasticsearchConfiguration {

    @Bean(destroyMethod = "close")
    ElasticsearchClient elasticsearchClient(SearchProperties properties) {
        return ElasticsearchClient.of(b -> b.host(properties.esUrl()));
    }

    @Bean
    SearchIndex searchIndex(ElasticsearchClient client, SearchProperties properties, Catalog catalog,
                            SearchDocuments documents, Clock clock) {
        return new SearchIndex(client, properties, catalog, documents, clock);
    }

    @Bean
    ElasticsearchSearchBackend elasticsearchSearchBackend(ElasticsearchClient client, SearchProperties properties,
                                                          JsonMapper json) {
        return new ElasticsearchSearchBackend(client, properties, json);
    }

    @Bean
    SearchIndexer searchIndexer(SearchIndex index, Catalog catalog) {
        return new SearchIndexer(index, catalog);
    }

    static class SearchIndexer {

        private static final Logger log = LoggerFactory.getLogger(SearchIndexer.class);

        private final SearchIndex index;
        private final Catalog catalog;
        private volatile boolean ready;

        SearchIndexer(SearchIndex index, Catalog catalog) {
            this.index = index;
            this.catalog = catalog;
        }

        @ApplicationModuleListener
        void on(ListingChanged event) throws IOException {
            syncListing(event.listingId());
        }

        @ApplicationModuleListener
        void on(ListingStatsChanged event) throws IOException {
            syncListing(event.listingId());
        }

        /** Reads the listing as it is now, so a late or repeated delivery still writes the current state. */
        private void syncListing(long listingId) throws IOException {
            Optional<ListingDocument> doc = catalog.document(listingId);
            if (doc.isPresent()) {
                index.sync(doc.get());
            } else {
                index.delete(listingId);
            }
        }

        @ApplicationModuleListener
        void on(GpuOfferChanged event) throws IOException {
            index.sync(SearchKind.GPU_OFFER, event.offerId());
        }

        @ApplicationModuleListener
        void on(CompetitionChanged event) throws IOException {
            index.sync(SearchKind.COMPETITION, event.competitionId());
        }

        /**
         * Creates (or brings up to date) the index once Elasticsearch answers; what failed to reach it meanwhile
         * is delivered again by the platform's event redelivery. No lease: each instance learns for itself that
         * Elasticsearch answers (creating the index is idempotent).
         */
        @Scheduled(initialDelay = 0, fixedDelayString = "${plaza.search.retry-interval:5s}")
        void maintain() {
            if (ready) {
                return;
            }
            try {
                index.ensureExists();
                ready = true;
            } catch (IOException | RuntimeException e) {
                log.warn("Elasticsearch not reachable; searches use PostgreSQL until it is: {}", e.toString());
            }
        }
    }
}
