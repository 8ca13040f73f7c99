package ai.aicrypto.plaza.platform;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.modulith.events.IncompleteEventPublications;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The outbox's retry: an event whose listener failed (Elasticsearch or the chain unreachable, say)
 * stays in the event publication registry, and is delivered again every retry interval until its
 * listener succeeds, not only at the next start. Every listener re-reads the current state, so a
 * delivery repeated while a slow first one still runs changes nothing.
 */
@Component
class EventRedelivery {

    private final IncompleteEventPublications incomplete;
    private final Duration interval;

    EventRedelivery(IncompleteEventPublications incomplete, @Value("${plaza.events.retry-interval:5s}") Duration interval) {
        this.incomplete = incomplete;
        this.interval = interval;
    }

    @Scheduled(initialDelayString = "${plaza.events.retry-interval:5s}", fixedDelayString = "${plaza.events.retry-interval:5s}")
    void redeliver() {
        incomplete.resubmitIncompletePublicationsOlderThan(interval);
    }
}
