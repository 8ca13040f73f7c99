package ai.aicrypto.plaza.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import ai.aicrypto.plaza.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The outbox's retry on the real registry (PostgreSQL), its round every 200 ms here: a failed listener runs again
 * until it succeeds; a listener at work, a retry of an event published long ago included, is never resubmitted beside
 * itself (the registry's "incomplete" resubmission, used before, took it at the next round); one whose instance died,
 * its publication left PROCESSING, is taken for dead after {@code plaza.events.stale-after} and run once more.
 */
class EventRedeliveryTest extends IntegrationTest {

    /** The event of this test. */
    record Probe(String id) {
    }

    static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();
    /** Ids whose listener throws on its first run. */
    static final Set<String> FAIL_FIRST = ConcurrentHashMap.newKeySet();
    /** Ids whose listener throws on every run. */
    static final Set<String> POISON = ConcurrentHashMap.newKeySet();
    /** Ids whose second run waits for its latch: a listener at work, or one whose instance hangs. */
    static final Map<String, CountDownLatch> SECOND_RUN_WAITS = new ConcurrentHashMap<>();

    static class ProbeListener {
        @ApplicationModuleListener
        void on(Probe probe) throws InterruptedException {
            int run = RUNS.computeIfAbsent(probe.id(), id -> new AtomicInteger()).incrementAndGet();
            if (POISON.contains(probe.id()) || run == 1 && FAIL_FIRST.contains(probe.id())) {
                throw new IllegalStateException("run " + run + " of " + probe.id() + " fails");
            }
            CountDownLatch latch = SECOND_RUN_WAITS.get(probe.id());
            if (run == 2 && latch != null) {
                latch.await(60, TimeUnit.SECONDS);
            }
        }
    }

    @TestConfiguration
    static class Listeners {
        @Bean
        ProbeListener probeListener() {
            return new ProbeListener();
        }
    }

    @DynamicPropertySource
    static void redelivery(DynamicPropertyRegistry registry) {
        registry.add("plaza.events.retry-interval", () -> "200ms");
        registry.add("plaza.events.retry-after", () -> "0s");
        registry.add("plaza.events.stale-after", () -> "5m");
    }

    @Autowired
    EventRedelivery redelivery;
    @Autowired
    ApplicationEventPublisher events;
    @Autowired
    TransactionTemplate transactions;

    @Test
    void aFailedListenerRunsAgainUntilItSucceeds() throws Exception {
        POISON.add("failing");
        publish("failing");
        await(() -> RUNS.get("failing") != null && RUNS.get("failing").get() >= 3);
        POISON.remove("failing");
        await(() -> status("failing") == null);
    }

    @Test
    void aRetryAtWorkIsNeverRunBesideItselfEvenForAnOldEvent() throws Exception {
        CountDownLatch release = publishWithTheRetryHeld("busy");
        try {
            // the event is an hour old; its retry started a moment ago and is still at work
            jdbc.sql("UPDATE event_publication SET publication_date = now() - interval '1 hour' WHERE event_type = ? AND serialized_event LIKE ?")
                    .params(Probe.class.getName(), like("busy")).update();
            assertThat(redelivery.markStaleFailed()).isZero();
            Thread.sleep(2_000); // ten rounds
            assertThat(RUNS.get("busy")).hasValue(2);
            assertThat(status("busy")).isEqualTo("PROCESSING");
        } finally {
            release.countDown();
        }
        await(() -> status("busy") == null);
        assertThat(RUNS.get("busy")).hasValue(2);
    }

    @Test
    void aListenerWhoseInstanceDiedIsTakenForDeadWhenStaleAndRunOnceMore() throws Exception {
        CountDownLatch hung = publishWithTheRetryHeld("dead");
        try {
            // as though that run's instance died 10 minutes ago, over the 5 allowed
            jdbc.sql("""
                            UPDATE event_publication SET last_resubmission_date = now() - interval '10 minutes'
                            WHERE event_type = ? AND serialized_event LIKE ?""")
                    .params(Probe.class.getName(), like("dead")).update();
            await(() -> status("dead") == null);
            assertThat(RUNS.get("dead")).hasValue(3);
        } finally {
            hung.countDown();
        }
    }

    /**
     * Publishes an event whose first run fails and whose retry then waits, at work (PROCESSING), until the latch
     * returned is counted down.
     */
    private CountDownLatch publishWithTheRetryHeld(String id) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        FAIL_FIRST.add(id);
        SECOND_RUN_WAITS.put(id, held);
        publish(id);
        try {
            await(() -> RUNS.get(id) != null && RUNS.get(id).get() == 2 && "PROCESSING".equals(status(id)));
        } catch (AssertionError e) {
            held.countDown(); // the retry's thread is not kept waiting by a failed test
            throw e;
        }
        return held;
    }

    private void publish(String id) {
        transactions.executeWithoutResult(tx -> events.publishEvent(new Probe(id)));
    }

    private static String like(String id) {
        return "%\"" + id + "\"%";
    }

    /** The publication's status, null once it is completed (a completed publication's row is deleted). */
    private String status(String id) {
        return jdbc.sql("SELECT status FROM event_publication WHERE event_type = ? AND serialized_event LIKE ?")
                .params(Probe.class.getName(), like(id)).query(String.class).optional().orElse(null);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 300 && !condition.getAsBoolean(); i++) {
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }
}
