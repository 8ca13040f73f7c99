package ai.aicrypto.plaza.search.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A circuit breaker for Elasticsearch (review M11): once a call failed, searches skip it for a cool-down and
 * PostgreSQL answers at once, instead of each search waiting out a timeout of its own. The first search after
 * the cool-down tries again; any successful call (a search, an index write) closes the breaker.
 */
final class ElasticsearchBreaker {

    private static final Logger log = LoggerFactory.getLogger(ElasticsearchBreaker.class);

    private final Clock clock;
    private final Duration cooldown;
    private volatile Instant openUntil = Instant.MIN;

    ElasticsearchBreaker(Clock clock, Duration cooldown) {
        this.clock = clock;
        this.cooldown = cooldown;
    }

    boolean allows() {
        return !clock.instant().isBefore(openUntil);
    }

    void failed() {
        if (openUntil.equals(Instant.MIN)) {
            log.warn("Elasticsearch failed: searches go to PostgreSQL for {} (or until an index write succeeds)", cooldown);
        }
        openUntil = clock.instant().plus(cooldown);
    }

    void succeeded() {
        if (!openUntil.equals(Instant.MIN)) {
            log.info("Elasticsearch answers again: searches go to it");
            openUntil = Instant.MIN;
        }
    }
}
