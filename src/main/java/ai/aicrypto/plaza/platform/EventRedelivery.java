package ai.aicrypto.plaza.platform;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.FailedEventPublications;
import org.springframework.modulith.events.ResubmissionOptions;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The outbox's retry, which never runs a listener beside itself, on one instance or many. A listener that failed
 * (Elasticsearch or the chain unreachable, say) leaves its publication FAILED; one whose instance died on the way
 * leaves it PUBLISHED (never started), PROCESSING or RESUBMITTED. Every {@code plaza.events.retry-interval}, on one
 * instance (a lease):
 * <ol>
 * <li>a publication whose listener last started, or which was published without a listener starting, more than
 * {@code plaza.events.stale-after} ago (a minute; every listener here is a few database statements under a statement
 * timeout, or an index request with a 3 s read timeout) is taken for dead and marked FAILED. This is Spring Modulith's staleness check, done here
 * because its own monitor in 2.0.3 (the newest 2.0 served here) measures a retry's staleness from the event's
 * publication date too (spring-modulith#1838, fixed in 2.0.9): it would fail a retry of an old event in the middle of its
 * run, and the retry would run again beside it;</li>
 * <li>FAILED publications are resubmitted ({@link FailedEventPublications}): each is claimed (RESUBMITTED, the
 * registry's conditional update) before its listener runs again.</li>
 * </ol>
 * A listener at work is never resubmitted: its publication is neither FAILED nor stale. The registry's own
 * "incomplete publications" resubmission (used before) also took PROCESSING ones, so a retry still running at the
 * next interval ran twice; and republishing at start-up is off for the same reason (one instance's start would
 * resubmit what another is processing): what an instance leaves behind when it dies becomes stale and is retried here.
 */
@Component
class EventRedelivery {

    private final FailedEventPublications failed;
    private final JdbcClient jdbc;
    private final Clock clock;
    private final Duration retryAfter;
    private final Duration staleAfter;

    EventRedelivery(FailedEventPublications failed, JdbcClient jdbc, Clock clock,
                    @Value("${plaza.events.retry-after:1m}") Duration retryAfter,
                    @Value("${plaza.events.stale-after:1m}") Duration staleAfter) {
        this.failed = failed;
        this.jdbc = jdbc;
        this.clock = clock;
        this.retryAfter = retryAfter;
        this.staleAfter = staleAfter;
    }

    /*
     * Lease, at most one interval: resubmitting hands the events to the listeners' executor and returns at once; one
     * instance resubmits per interval, so that two do not hand the same publication to listeners together.
     */
    @Scheduled(initialDelayString = "${plaza.events.retry-interval:5s}", fixedDelayString = "${plaza.events.retry-interval:5s}")
    @SchedulerLock(name = "event-redelivery", lockAtMostFor = "${plaza.events.retry-interval:5s}",
            lockAtLeastFor = "${plaza.events.retry-interval:5s}")
    void redeliver() {
        markStaleFailed();
        // min age: a failure is retried no sooner (2.0.3's JDBC store ignores it for FAILED rows, spring-modulith#1943)
        failed.resubmit(ResubmissionOptions.defaults().withMinAge(retryAfter));
    }

    /** Publications whose listener is taken for dead, marked FAILED; how many. */
    int markStaleFailed() {
        return jdbc.sql("""
                        UPDATE event_publication SET status = 'FAILED'
                        WHERE completion_date IS NULL AND status IN ('PUBLISHED', 'PROCESSING', 'RESUBMITTED')
                          AND coalesce(last_resubmission_date, publication_date) < ?""")
                .param(Timestamp.from(clock.instant().minus(staleAfter))).update();
    }
}
