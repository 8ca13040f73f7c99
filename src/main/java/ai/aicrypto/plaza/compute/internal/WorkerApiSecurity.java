package ai.aicrypto.plaza.compute.internal;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.preauth.AbstractPreAuthenticatedProcessingFilter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The worker API is machine-to-machine: a bearer token per worker, no session, no CSRF (no
 * cookies are involved), 401 without a valid token.
 */
@Configuration(proxyBeanMethods = false)
class WorkerApiSecurity {

    @Bean
    @Order(1)
    SecurityFilterChain workerApiSecurityChain(HttpSecurity http, WorkerRegistry workers) throws Exception {
        http.securityMatcher("/api/worker/**")
                .authorizeHttpRequests(auth -> auth.anyRequest().hasRole("WORKER"))
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .exceptionHandling(e -> e.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED)))
                .addFilterBefore(new BearerTokenFilter(workers), AbstractPreAuthenticatedProcessingFilter.class);
        return http.build();
    }

    private static final class BearerTokenFilter extends OncePerRequestFilter {

        private final WorkerRegistry workers;

        BearerTokenFilter(WorkerRegistry workers) {
            this.workers = workers;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String header = request.getHeader("Authorization");
            if (header != null && header.startsWith("Bearer ")) {
                workers.workerFor(header.substring(7).strip()).ifPresent(worker -> {
                    var context = SecurityContextHolder.createEmptyContext();
                    context.setAuthentication(new WorkerIdentity(worker));
                    SecurityContextHolder.setContext(context);
                });
            }
            chain.doFilter(request, response);
        }
    }
}
