package ai.aicrypto.plaza.chain.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import ai.aicrypto.plaza.chain.ChainSends;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/** {@link ChainSends} on one daemon thread; a task already waiting or running is not queued twice. */
@Component
class SingleThreadChainSends implements ChainSends, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SingleThreadChainSends.class);

    private final ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "chain-sends");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<String> queued = ConcurrentHashMap.newKeySet();

    @Override
    public void run(String task, Runnable work) {
        if (!queued.add(task)) {
            return;
        }
        executor.execute(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                log.warn("Chain task {} failed; it runs again at its next turn: {}", task, e.toString());
            } finally {
                queued.remove(task);
            }
        });
    }

    @Override
    public void destroy() {
        executor.shutdownNow();
    }
}
