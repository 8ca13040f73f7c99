package ai.aicrypto.plaza.compute.internal;

import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * An authenticated worker: what its bearer token resolved to, with the facts leasing needs (read in
 * the same query). It may act on its own jobs only.
 */
final class WorkerIdentity extends AbstractAuthenticationToken {

    private final Worker worker;

    WorkerIdentity(Worker worker) {
        super(List.of(new SimpleGrantedAuthority("ROLE_WORKER")));
        this.worker = worker;
        setAuthenticated(true);
    }

    Worker worker() {
        return worker;
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Object getPrincipal() {
        return worker;
    }

    /** Stable per worker (rate limits count by it); the record's own text changes with its memory and caches. */
    @Override
    public String getName() {
        return "worker-" + worker.id();
    }

    /**
     * A worker as the queue sees it: its id, GPU memory, the datasets it caches and the model families it trains
     * ({@link ModelFamilies}).
     */
    record Worker(long id, int memoryMb, Long[] cachedDatasets, String[] families) {
    }
}
