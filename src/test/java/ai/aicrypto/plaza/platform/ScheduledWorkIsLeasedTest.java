package ai.aicrypto.plaza.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.util.ClassUtils;

/**
 * Every {@code @Scheduled} method of the app runs under a lease of its own name, so that of any number of instances
 * one runs it at a time; the exceptions are named here, each with the reason.
 */
class ScheduledWorkIsLeasedTest {

    private static final Map<String, String> NOT_LEASED_HERE = Map.ofEntries(
            Map.entry("LiveUpdates.keepAlive", "each instance pings its own browser streams"),
            Map.entry("DatasetImports.touchHeld", "each instance tells the others which imports it still holds"),
            Map.entry("JdbcPendingBlobs.touchHeld", "each instance tells the others which pending blobs it still writes"),
            Map.entry("ServingGateway.heartbeat", "each instance tells the others which serving workers poll it"),
            Map.entry("StaleTemporaryFiles.deleteStale", "each instance cleans its own disk; an hour untouched is stale from any of them"),
            Map.entry("ElasticsearchConfiguration.SearchIndexer.maintain", "each instance learns for itself that Elasticsearch answers"),
            Map.entry("EscrowSettlements.executeSoon", "only asks ChainSends for the task, which takes the lease"),
            Map.entry("PrizeEscrow.payOutSoon", "only asks ChainSends for the task, which takes the lease"),
            Map.entry("AssetTokens.mintWhatIsMissingSoon", "only asks ChainSends for the task, which takes the lease"),
            Map.entry("UsageSettlements.executeSoon", "only asks ChainSends for the task, which takes the lease"),
            Map.entry("RewardPublishing.publishSoon", "only asks ChainSends for the task, which takes the lease"),
            Map.entry("AuditPayments.payOutSoon", "only asks ChainSends for the task, which takes the lease"),
            Map.entry("RewardPublishing.expireLapsedSoon", "only asks ChainSends for the task, which takes the lease"),
            Map.entry("TrainingPoolService.refundEndedSoon", "only asks ChainSends for the task, which takes the lease"));

    @Test
    void everyScheduledMethodTakesALeaseOfItsOwnNameOrIsNamedAsAnException() throws Exception {
        var scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter((reader, factory) -> true);
        List<String> scheduled = new ArrayList<>(), unleased = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (BeanDefinition candidate : scanner.findCandidateComponents("ai.aicrypto.plaza")) {
            Class<?> type = ClassUtils.forName(candidate.getBeanClassName(), getClass().getClassLoader());
            for (Method method : type.getDeclaredMethods()) {
                if (!method.isAnnotationPresent(Scheduled.class)) {
                    continue;
                }
                String name = type.getName().substring(type.getPackageName().length() + 1).replace('$', '.') + "." + method.getName();
                scheduled.add(name);
                SchedulerLock lease = method.getAnnotation(SchedulerLock.class);
                if (lease == null) {
                    unleased.add(name);
                } else {
                    assertThat(names.add(lease.name())).as("the lease name of %s is its own", name).isTrue();
                    assertThat(lease.lockAtMostFor()).as("%s: how long a dead instance's lease is kept, sized for the task", name)
                            .isNotEmpty();
                }
            }
        }
        assertThat(scheduled).as("the scheduled methods found").hasSizeGreaterThanOrEqualTo(13);
        assertThat(unleased).as("scheduled methods without a lease").containsExactlyInAnyOrderElementsOf(NOT_LEASED_HERE.keySet());
    }
}
