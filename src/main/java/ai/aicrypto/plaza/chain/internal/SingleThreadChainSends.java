package ai.aicrypto.plaza.chain.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import ai.aicrypto.plaza.chain.ChainSends;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * {@link ChainSends} on one daemon thread; a task already waiting is not queued twice, and it runs under
 * the lease {@code chain:<task>} (the platform's scheduler leases).
 */
@Component
class SingleThreadChainSends implements ChainSends, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SingleThreadChainSends.class);
    /**
     * The lease outlives a dead instance by this much at most: the others' chain tasks wait that long after a crash.
     * A live instance extends it every 15 s while its task runs (a mint round may take minutes), so no other instance
     * runs the task beside it. 30 s is the least that keep-alive allows.
     */
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "chain-sends");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final LockingTaskExecutor leases;

    SingleThreadChainSends(LockingTaskExecutor leases) {
        this.leases = leases;
    }

    @Override
    public void run(String task, Runnable work) {
        if (!queued.add(task)) {
            return;
        }
        executor.execute(() -> {
            // Asked for from now on, it runs again after this run: this one may have read its rows already.
            queued.remove(task);
            try {
                // Released when the run ends: the task is asked for by events too, not only by its schedule.
                leases.executeWithLock(work, new LockConfiguration(Instant.now(), "chain:" + task, LEASE, Duration.ZERO));
            } catch (RuntimeException e) {
                log.warn("Chain task {} failed; it runs again at its next turn: {}", task, e.toString());
            }
        });
    }

    @Override
    public void destroy() {
        executor.shutdownNow();
    }
}
