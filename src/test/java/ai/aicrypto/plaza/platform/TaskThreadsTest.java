package ai.aicrypto.plaza.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ScheduledExecutorService;

import ai.aicrypto.plaza.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.AsyncConfigurer;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Scheduled tasks and event listeners run on pools of their own. A ScheduledExecutorService bean once took the place
 * of both (Spring uses one where none is declared, and Spring Boot declares none beside it): every scheduled task
 * and the leases' keep-alive shared one thread, and a purchase waited a minute for the chain's logs to be read while
 * another task ran.
 */
class TaskThreadsTest extends IntegrationTest {

    @Autowired
    private ApplicationContext context;

    @Test
    void scheduledTasksHaveSeveralThreadsAndEventsAPoolOfTheirOwn() {
        assertThat(context.getBeanNamesForType(ScheduledExecutorService.class)).as("no executor bean to stand in for both").isEmpty();
        assertThat(context.getBean(TaskScheduler.class)).isInstanceOfSatisfying(ThreadPoolTaskScheduler.class, scheduler -> {
            assertThat(scheduler.getThreadNamePrefix()).isEqualTo("scheduled-");
            assertThat(scheduler.getScheduledThreadPoolExecutor().getCorePoolSize()).isGreaterThan(1);
        });
        // The executor that @Async and the modules' event listeners use (Spring Boot's AsyncConfigurer names it).
        Object events = context.getBean("applicationTaskExecutor");
        assertThat(context.getBeansOfType(AsyncConfigurer.class).values()).singleElement()
                .satisfies(configurer -> assertThat(configurer.getAsyncExecutor()).isSameAs(events));
        assertThat(events).isInstanceOfSatisfying(ThreadPoolTaskExecutor.class, pool -> {
            assertThat(pool.getThreadNamePrefix()).isEqualTo("events-");
            assertThat(pool.getCorePoolSize()).isGreaterThan(1);
        });
    }
}
