package ai.aicrypto.plaza.compute.internal;

import ai.aicrypto.plaza.platform.BearerTokenApi;
import ai.aicrypto.plaza.platform.RateLimits;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/** The worker API is machine-to-machine: a bearer token per worker (see {@link BearerTokenApi}). */
@Configuration(proxyBeanMethods = false)
class WorkerApiSecurity {

    @Bean
    @Order(1)
    SecurityFilterChain workerApiSecurityChain(HttpSecurity http, WorkerRegistry workers, RateLimits rateLimits) throws Exception {
        return BearerTokenApi.chain(http, "/api/worker/**", "WORKER", token -> workers.workerFor(token).map(WorkerIdentity::new),
                rateLimits);
    }
}
