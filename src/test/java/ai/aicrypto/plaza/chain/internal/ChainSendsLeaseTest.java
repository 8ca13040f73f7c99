package ai.aicrypto.plaza.chain.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import ai.aicrypto.plaza.support.IntegrationTest;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Two instances' chain-sending threads on one database: a task runs on one of them at a time (the other skips its
 * turn while the lease is held), and a task asked for while it runs runs once more afterwards.
 */
class ChainSendsLeaseTest extends IntegrationTest {

    @Autowired
    DataSource dataSource;

    @Test
    void aChainTaskRunsOnOneInstanceAtATime() throws Exception {
        SingleThreadChainSends first = instance(), second = instance();
        try {
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch running = new CountDownLatch(1), release = new CountDownLatch(1);
            first.run("lease-test", () -> {
                runs.incrementAndGet();
                running.countDown();
                awaitQuietly(release);
            });
            running.await();
            second.run("lease-test", runs::incrementAndGet);
            drain(second);
            assertThat(runs).as("the second instance skipped its turn while the first held the lease").hasValue(1);

            first.run("lease-test", runs::incrementAndGet); // asked for while it runs
            release.countDown();
            drain(first);
            assertThat(runs).as("asked for while it ran: run once more").hasValue(2);

            second.run("lease-test", runs::incrementAndGet);
            drain(second);
            assertThat(runs).as("the lease is free once the run ends").hasValue(3);
        } finally {
            first.destroy();
            second.destroy();
        }
    }

    /** An instance's chain-sending thread with a lease client of its own. */
    private SingleThreadChainSends instance() {
        return new SingleThreadChainSends(new DefaultLockingTaskExecutor(new JdbcTemplateLockProvider(
                JdbcTemplateLockProvider.Configuration.builder().withJdbcTemplate(new JdbcTemplate(dataSource)).usingDbTime().build())));
    }

    /** Waits until what the instance was asked before has run (one thread: a task queued now runs after them). */
    private static void drain(SingleThreadChainSends instance) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        instance.run("drain-" + System.nanoTime(), done::countDown);
        done.await();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
