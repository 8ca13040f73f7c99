package ai.aicrypto.plaza.compute.internal;

import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** An authenticated worker: what its bearer token resolved to. It may act on its own jobs only. */
final class WorkerIdentity extends AbstractAuthenticationToken {

    private final long workerId;

    WorkerIdentity(long workerId) {
        super(List.of(new SimpleGrantedAuthority("ROLE_WORKER")));
        this.workerId = workerId;
        setAuthenticated(true);
    }

    long workerId() {
        return workerId;
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Object getPrincipal() {
        return workerId;
    }
}
