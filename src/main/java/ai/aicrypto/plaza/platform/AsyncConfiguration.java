package ai.aicrypto.plaza.platform;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import javax.sql.DataSource;

import jakarta.annotation.PreDestroy;

import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import net.javacrumbs.shedlock.spring.annotation.EnableSchedulerLock;
import net.javacrumbs.shedlock.support.KeepAliveLockProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Event listeners run after their transaction commits, off the request thread; some work is scheduled.
 * <p>
 * Any number of instances share one database, so each scheduled task takes a lease first (a row of the
 * {@code shedlock} table, see {@code @SchedulerLock} on the task): the instance holding it runs the task, the
 * others skip that turn. A lease is held at least its lockAtLeastFor (the task's interval, so that the instances'
 * runs together are as frequent as one instance's) and at most its lockAtMostFor, which is also how long the task
 * waits after the instance that held it died (killed, or cut off): sized per task, short where a run that outlives it
 * does no harm beside another instance's. Its times are the database's, so clocks that differ between machines do
 * not matter. The lease is taken before any transaction of the task opens (the highest precedence), in statements of
 * its own.
 */
@Configuration(proxyBeanMethods = false)
@EnableAsync
@EnableScheduling
@EnableSchedulerLock(defaultLockAtMostFor = "10m", order = Ordered.HIGHEST_PRECEDENCE)
class AsyncConfiguration {

    @Bean
    JdbcTemplateLockProvider leases(DataSource dataSource) {
        return new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                .withJdbcTemplate(new JdbcTemplate(dataSource))
                .usingDbTime()
                .build());
    }

    /**
     * Extends the leases of {@link #leasedTasks} on a thread of its own. Not a bean: a ScheduledExecutorService bean
     * would become the scheduler of every {@code @Scheduled} method and the executor of every event listener (Spring
     * picks one up where no TaskScheduler or TaskExecutor is declared, and Spring Boot then declares neither), so a
     * slow task would hold up the chain's log reading and the leases' keep-alive alike.
     */
    private final ScheduledExecutorService leaseKeepAlive = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "lease-keep-alive");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * The same leases for work that is not a scheduled method (the chain-sending tasks), extended while the work runs
     * (at half their lockAtMostFor), so that a long run keeps its lease and a dead instance's is free soon.
     */
    @Bean
    LockingTaskExecutor leasedTasks(JdbcTemplateLockProvider leases) {
        return new DefaultLockingTaskExecutor(new KeepAliveLockProvider(leases, leaseKeepAlive));
    }

    @PreDestroy
    void stopLeaseKeepAlive() {
        leaseKeepAlive.shutdownNow();
    }
}
