package ai.aicrypto.plaza.platform;

import javax.sql.DataSource;

import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import net.javacrumbs.shedlock.spring.annotation.EnableSchedulerLock;
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
 * others skip that turn. A lease ends when its run ends (or at its lockAtLeastFor, so that the instances' runs
 * together are as frequent as one instance's), and at the latest after its lockAtMostFor, when the instance that
 * held it died. Its times are the database's, so clocks that differ between machines do not matter. The lease is
 * taken before any transaction of the task opens (the highest precedence), in a transaction of its own.
 */
@Configuration(proxyBeanMethods = false)
@EnableAsync
@EnableScheduling
@EnableSchedulerLock(defaultLockAtMostFor = "10m", order = Ordered.HIGHEST_PRECEDENCE)
class AsyncConfiguration {

    @Bean
    LockProvider leases(DataSource dataSource) {
        return new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                .withJdbcTemplate(new JdbcTemplate(dataSource))
                .usingDbTime()
                .build());
    }

    /** The same leases for work that is not a scheduled method (the chain-sending tasks). */
    @Bean
    LockingTaskExecutor leasedTasks(LockProvider leases) {
        return new DefaultLockingTaskExecutor(leases);
    }
}
