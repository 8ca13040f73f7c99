package ai.aicrypto.plaza.compute.internal.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import javax.sql.DataSource;

import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A scheduled task runs once across instances: this app and a second instance's lease client on the same
 * PostgreSQL (the {@code shedlock} table of V26) never both run the daily heartbeat pruning, which every instance's
 * cron starts at the same moment.
 */
class HeartbeatPruneLeaseTest extends ComputeWebTest {

    private static final String TASK = "heartbeat-prune";

    @Autowired
    OfferDirectory directory;
    @Autowired
    DataSource dataSource;

    @Test
    void aTaskWhoseLeaseAnotherInstanceHoldsIsSkippedAndTwoCronRunsAtOneMomentAreOne() throws Exception {
        jdbc.sql("DELETE FROM shedlock WHERE name = ?").param(TASK).update(); // whatever an earlier run in this context left
        long worker = jdbc.sql("SELECT id FROM workers WHERE offer_id = ?")
                .param(onlineWorker(users.member(), "1", null).offerId()).query(Long.class).single();
        LockProvider otherInstance = new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                .withJdbcTemplate(new JdbcTemplate(dataSource)).usingDbTime().build());

        oldHeartbeat(worker);
        SimpleLock held = otherInstance.lock(lease()).orElseThrow();
        directory.pruneHeartbeats();
        assertThat(oldHeartbeats(worker)).as("the other instance holds the lease: not pruned here").isEqualTo(1);
        held.unlock();

        directory.pruneHeartbeats();
        assertThat(oldHeartbeats(worker)).as("pruned once the lease is free").isZero();

        oldHeartbeat(worker);
        directory.pruneHeartbeats(); // another instance's cron, the same moment
        assertThat(oldHeartbeats(worker)).as("the lease is kept a minute after the run: not run twice").isEqualTo(1);
        assertThat(otherInstance.lock(lease())).as("nor may the other instance take it").isEmpty();
    }

    private static LockConfiguration lease() {
        return new LockConfiguration(Instant.now(), TASK, Duration.ofMinutes(10), Duration.ZERO);
    }

    /** A heartbeat 40 days old, older than what uptime looks at. */
    private void oldHeartbeat(long worker) {
        Instant old = clock.instant().minus(Duration.ofDays(40)).truncatedTo(ChronoUnit.MINUTES);
        jdbc.sql("INSERT INTO worker_heartbeats (worker_id, minute) VALUES (?, ?)").params(worker, Timestamp.from(old)).update();
    }

    private long oldHeartbeats(long worker) {
        return jdbc.sql("SELECT count(*) FROM worker_heartbeats WHERE worker_id = ? AND minute < ?")
                .params(worker, Timestamp.from(clock.instant().minus(Duration.ofDays(35)))).query(Long.class).single();
    }
}
