package ai.aicrypto.plaza.search.internal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.catalog.ListingChanged;
import ai.aicrypto.plaza.catalog.ListingDocument;
import ai.aicrypto.plaza.competition.CompetitionChanged;
import ai.aicrypto.plaza.compute.GpuOfferChanged;
import ai.aicrypto.plaza.market.ListingStatsChanged;
import ai.aicrypto.plaza.search.SearchKind;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.transport.rest5_client.Rest5ClientOptions;
import co.elastic.clients.transport.rest5_client.Rest5ClientTransport;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;
import org.apache.hc.core5.util.Timeout;
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

    /** The index writes' client; searches have one of their own ({@link #elasticsearchSearchBackend}). */
    @Bean(destroyMethod = "close")
    ElasticsearchClient elasticsearchClient(SearchProperties properties) {
        return client(properties, properties.esIndexTimeout());
    }

    /**
     * Explicit timeouts (review M11): the client's own have no limit on waiting for an answer, so an Elasticsearch
     * that hangs rather than refuses would hold every search's thread. The wait for an answer is the connection's
     * socket timeout (a per-request response timeout does not shorten it), hence a client per kind of wait.
     */
    static ElasticsearchClient client(SearchProperties properties, Duration answerWithin) {
        Timeout connect = Timeout.of(properties.esConnectTimeout());
        Timeout answer = Timeout.of(answerWithin);
        return ElasticsearchClient.of(b -> b.host(properties.esUrl()).transportFactory(config -> new Rest5ClientTransport(
                Rest5Client.builder(config.hosts())
                        .setConnectionConfigCallback(c -> c.setConnectTimeout(connect).setSocketTimeout(answer))
                        .setRequestConfigCallback(r -> r.setConnectionRequestTimeout(connect).setResponseTimeout(answer))
                        .build(),
                config.mapper(), Rest5ClientOptions.of(config.transportOptions()), config.instrumentation())));
    }

    @Bean
    ElasticsearchBreaker elasticsearchBreaker(SearchProperties properties, Clock clock) {
        return new ElasticsearchBreaker(clock, properties.esCooldown());
    }

    @Bean
    SearchIndex searchIndex(ElasticsearchClient client, SearchProperties properties, Catalog catalog,
                            SearchDocuments documents, Clock clock) {
        return new SearchIndex(client, properties, catalog, documents, clock);
    }

    /** Searches wait for an answer at most the read timeout; PostgreSQL answers after it. */
    @Bean(destroyMethod = "close")
    ElasticsearchSearchBackend elasticsearchSearchBackend(SearchProperties properties, JsonMapper json) {
        return new ElasticsearchSearchBackend(client(properties, properties.esReadTimeout()), properties, json);
    }

    @Bean
    SearchIndexer searchIndexer(SearchIndex index, Catalog catalog, ElasticsearchBreaker breaker) {
        return new SearchIndexer(index, catalog, breaker);
    }

    static class SearchIndexer {

        private static final Logger log = LoggerFactory.getLogger(SearchIndexer.class);

        private final SearchIndex index;
        private final Catalog catalog;
        private final ElasticsearchBreaker breaker;
        private volatile boolean ready;

        SearchIndexer(SearchIndex index, Catalog catalog, ElasticsearchBreaker breaker) {
            this.index = index;
            this.catalog = catalog;
            this.breaker = breaker;
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
                watched(() -> index.sync(doc.get()));
            } else {
                watched(() -> index.delete(listingId));
            }
        }

        @ApplicationModuleListener
        void on(GpuOfferChanged event) throws IOException {
            watched(() -> index.sync(SearchKind.GPU_OFFER, event.offerId()));
        }

        @ApplicationModuleListener
        void on(CompetitionChanged event) throws IOException {
            watched(() -> index.sync(SearchKind.COMPETITION, event.competitionId()));
        }

        /** Index writes tell the breaker too: a failed one spares the next search its timeout, a good one ends a cool-down. */
        private void watched(IndexWrite write) throws IOException {
            try {
                write.run();
            } catch (IOException | RuntimeException e) {
                breaker.failed();
                throw e;
            }
            breaker.succeeded();
        }

        @FunctionalInterface
        private interface IndexWrite {
            void run() throws IOException;
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
                watched(index::ensureExists);
                ready = true;
            } catch (IOException | RuntimeException e) {
                log.warn("Elasticsearch not reachable; searches use PostgreSQL until it is: {}", e.toString());
            }
        }
    }
}
