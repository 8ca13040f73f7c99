package ai.aicrypto.plaza.search.internal;

import java.util.List;

import ai.aicrypto.plaza.search.Search;
import ai.aicrypto.plaza.search.SearchQuery;
import ai.aicrypto.plaza.search.SearchResults;
import ai.aicrypto.plaza.platform.UserFacingException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * Elasticsearch when it is configured, PostgreSQL otherwise; and PostgreSQL at once whenever
 * Elasticsearch fails, counted in the {@code plaza.search.fallback} metric and logged, never an
 * error page. After a failure Elasticsearch is skipped for a cool-down ({@link ElasticsearchBreaker}).
 */
@Service
class SearchService implements Search {

    private static final Logger log = LoggerFactory.getLogger(SearchService.class);

    private final PostgresSearchBackend postgres;
    private final ElasticsearchSearchBackend elasticsearch;
    private final ElasticsearchBreaker breaker;
    private final Counter fallbacks;
    private final Counter skipped;

    SearchService(PostgresSearchBackend postgres, ObjectProvider<ElasticsearchSearchBackend> elasticsearch,
                  ObjectProvider<ElasticsearchBreaker> breaker, MeterRegistry meters) {
        this.postgres = postgres;
        this.elasticsearch = elasticsearch.getIfAvailable();
        this.breaker = breaker.getIfAvailable();
        this.fallbacks = Counter.builder("plaza.search.fallback")
                .description("Searches answered by PostgreSQL because Elasticsearch failed (now, or before: skipped)")
                .register(meters);
        this.skipped = Counter.builder("plaza.search.skipped")
                .description("Searches answered by PostgreSQL without asking Elasticsearch, in its cool-down after a failure")
                .register(meters);
    }

    @Override
    public SearchResults search(SearchQuery query) {
        if (elasticsearchAllowed()) {
            try {
                SearchResults results = elasticsearch.search(forBackend(query, ElasticsearchSearchBackend.NAME));
                breaker.succeeded();
                return results;
            } catch (UserFacingException e) {
                throw e;
            } catch (RuntimeException e) {
                fellBack(e);
            }
        }
        return postgres.search(forBackend(query, PostgresSearchBackend.NAME));
    }

    private boolean elasticsearchAllowed() {
        if (elasticsearch == null) {
            return false;
        }
        if (!breaker.allows()) {
            skipped.increment();
            fallbacks.increment();
            return false;
        }
        return true;
    }

    /**
     * A cursor only continues a listing on the backend that issued it; one from the other backend
     * (Elasticsearch went away or came back between two pages) starts again at the first page.
     */
    private static SearchQuery forBackend(SearchQuery query, String backend) {
        String issuer = query.after() == null ? backend : SearchCursor.backendOf(query.after());
        boolean fromOtherBackend = issuer.equals(ElasticsearchSearchBackend.NAME) || issuer.equals(PostgresSearchBackend.NAME);
        return fromOtherBackend && !issuer.equals(backend) ? query.withAfter(null) : query;
    }

    @Override
    public List<String> suggest(String prefix, int limit) {
        if (elasticsearchAllowed()) {
            try {
                List<String> suggestions = elasticsearch.suggest(prefix, limit);
                breaker.succeeded();
                return suggestions;
            } catch (RuntimeException e) {
                fellBack(e);
            }
        }
        return postgres.suggest(prefix, limit);
    }

    private void fellBack(RuntimeException e) {
        breaker.failed();
        fallbacks.increment();
        log.warn("Elasticsearch failed, PostgreSQL answers instead: {}", e.toString());
    }
}
