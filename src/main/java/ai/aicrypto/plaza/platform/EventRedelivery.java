package ai.aicrypto.plaza.platform;

import java.time.Duration;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.modulith.events.IncompleteEventPublications;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The outbox's retry: an event whose listener failed (Elasticsearch or the chain unreachable, say)
 * stays in the event publication registry, and is delivered again until its listener succeeds, not
 * only at the next start. Only publications older than {@code plaza.events.retry-after} (a minute)
 * are redelivered, so that a listener still at work (a chain transaction waiting for its receipt)
 * is not run a second time beside itself; listeners re-read the current state, so one that is
 * changes nothing anyway.
 */
@Component
class EventRedelivery {

    private final IncompleteEventPublications incomplete;
    private final Duration retryAfter;

    EventRedelivery(IncompleteEventPublications incomplete, @Value("${plaza.events.retry-after:1m}") Duration retryAfter) {
        this.incomplete = incomplete;
        this.retryAfter = retryAfter;
    }

    /*
     * Lease, at most one interval: resubmitting hands the events to the listeners' executor and returns at once; one
     * instance resubmits per interval, so that two do not hand the same publication to listeners together.
     */
    @Scheduled(initialDelayString = "${plaza.events.retry-interval:5s}", fixedDelayString = "${plaza.events.retry-interval:5s}")
    @SchedulerLock(name = "event-redelivery", lockAtMostFor = "${plaza.events.retry-interval:5s}",
            lockAtLeastFor = "${plaza.events.retry-interval:5s}")
    void redeliver() {
        incomplete.resubmitIncompletePublicationsOlderThan(retryAfter);
    }
}
