package ai.aicrypto.plaza.platform;

import java.io.IOException;
import java.util.Optional;
import java.util.function.Function;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.preauth.AbstractPreAuthenticatedProcessingFilter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A security filter chain for an API that scripts and machines call with a bearer token: no
 * session, no CSRF (no cookies are involved), 401 without a valid token.
 */
public final class BearerTokenApi {

    private BearerTokenApi() {
    }

    /**
     * @param paths        the API's path pattern, e.g. {@code /api/v1/**}
     * @param role         the role every request needs (without {@code ROLE_})
     * @param authenticate the authentication a token stands for, if any
     * @param rateLimits   counted once the token is resolved, so per account as well as per address
     */
    public static SecurityFilterChain chain(HttpSecurity http, String paths, String role,
                                            Function<String, Optional<? extends Authentication>> authenticate,
                                            RateLimits rateLimits) throws Exception {
        http.securityMatcher(paths)
                .authorizeHttpRequests(auth -> auth.anyRequest().hasRole(role))
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // Nothing a stateless token API uses, each a filter on every call: no session to log out of or save a
                // request in, no anonymous identity (no token answers 401). The servlet API's wrapper stays: it is
                // how an Authentication or Principal parameter of a controller is resolved.
                .logout(logout -> logout.disable())
                .requestCache(cache -> cache.disable())
                .anonymous(anonymous -> anonymous.disable())
                .exceptionHandling(e -> e.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED)))
                .addFilterBefore(new BearerTokenFilter(authenticate), AbstractPreAuthenticatedProcessingFilter.class)
                .addFilterBefore(rateLimits.filter(), UsernamePasswordAuthenticationFilter.class)
                .headers(SecurityHeaders.writtenFirst());
        return http.build();
    }

    private static final class BearerTokenFilter extends OncePerRequestFilter {

        private final Function<String, Optional<? extends Authentication>> authenticate;

        BearerTokenFilter(Function<String, Optional<? extends Authentication>> authenticate) {
            this.authenticate = authenticate;
        }

        /**
         * A long poll answered later (a serving worker's) is written by an async dispatch, which is authorized again:
         * without a session, its token must be read again too.
         */
        @Override
        protected boolean shouldNotFilterAsyncDispatch() {
            return false;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String header = request.getHeader("Authorization");
            if (header != null && header.startsWith("Bearer ")) {
                authenticate.apply(header.substring(7).strip()).ifPresent(authentication -> {
                    var context = SecurityContextHolder.createEmptyContext();
                    context.setAuthentication(authentication);
                    SecurityContextHolder.setContext(context);
                });
            }
            chain.doFilter(request, response);
        }
    }
}
