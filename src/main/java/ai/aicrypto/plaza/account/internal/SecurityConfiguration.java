package ai.aicrypto.plaza.account.internal;

import java.io.IOException;
import java.util.Map;

import ai.aicrypto.plaza.platform.MultipartRequests;
import ai.aicrypto.plaza.platform.RateLimits;
import ai.aicrypto.plaza.platform.SecurityHeaders;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.security.autoconfigure.web.servlet.PathRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandlerImpl;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationFailureHandler;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;

/**
 * Form sign-in with CSRF protection and session fixation protection. Pages are public unless a
 * rule below says otherwise; ownership of individual items is checked by the feature services.
 */
@Configuration(proxyBeanMethods = false)
@EnableMethodSecurity
class SecurityConfiguration {

    @Bean
    SecurityFilterChain web(HttpSecurity http, RateLimits rateLimits, SignInReturn returns) throws Exception {
        http
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers(PathRequest.toStaticResources().atCommonLocations()).permitAll()
                        .requestMatchers("/webjars/**", "/css/**", "/js/**", "/img/**", "/favicon.svg").permitAll()
                        .requestMatchers("/actuator/health/**", "/actuator/info").permitAll()
                        .requestMatchers("/actuator/**", "/admin/**").hasRole("ADMIN")
                        .requestMatchers("/login", "/register", "/error", "/siwe/nonce", "/siwe/verify", "/v3/api-docs/**").permitAll()
                        .requestMatchers("/", "/datasets", "/models", "/search", "/search/suggest", "/gpus").permitAll()
                        .requestMatchers("/datasets/{id:\\d+}", "/models/{id:\\d+}", "/models/{id:\\d+}/card.json", "/schemas/**").permitAll()
                        .requestMatchers(HttpMethod.GET, "/listings/{id:\\d+}/license-panel", "/listings/{id:\\d+}/ownership-panel",
                                "/listings/{id:\\d+}/reviews",
                                "/api/nft/{id:\\d+}").permitAll()
                        .requestMatchers(HttpMethod.GET, "/contributions/**", "/members/*").permitAll()
                        .requestMatchers("/competitions/new").authenticated()
                        .requestMatchers(HttpMethod.GET, "/competitions", "/competitions/{slug}",
                                "/competitions/{slug}/leaderboard", "/competitions/{slug}/leaderboard.csv",
                                "/competitions/{slug}/live", "/competitions/{slug}/discussion",
                                "/competitions/{slug}/discussion/{thread:\\d+}").permitAll()
                        .anyRequest().authenticated())
                .formLogin(form -> form
                        .loginPage("/login")
                        .defaultSuccessUrl("/", false)
                        .failureHandler(failedSignIn())
                        .permitAll())
                // Anonymous visitors get no server-side session (review L4): the page to return to after sign-in is a
                // cookie, as are the CSRF token and the wallet sign-in's nonce.
                .requestCache(cache -> cache.requestCache(returns.cache()))
                .logout(logout -> logout
                        .logoutUrl("/logout")
                        .logoutSuccessUrl("/?signedOut"))
                .csrf(csrf -> csrf.csrfTokenRepository(csrfTokens()))
                // Multipart requests: signed in, and the token outside the body, before anything parses it.
                .addFilterBefore(new MultipartGuard(), CsrfFilter.class)
                // The session's member is known there, and a refused sign-in costs no password hash.
                .addFilterBefore(rateLimits.filter(), UsernamePasswordAuthenticationFilter.class)
                .exceptionHandling(e -> e.accessDeniedHandler(SecurityConfiguration::denied))
                .sessionManagement(session -> session
                        .sessionFixation(fixation -> fixation.changeSessionId()))
                .headers(SecurityHeaders.writtenFirst());
        return http.build();
    }

    /** Back to the sign-in page, which says the name or password was wrong; the reason is not kept in a session. */
    private static SimpleUrlAuthenticationFailureHandler failedSignIn() {
        var failed = new SimpleUrlAuthenticationFailureHandler("/login?error");
        failed.setAllowSessionCreation(false);
        return failed;
    }

    private static CookieCsrfTokenRepository csrfTokens() {
        CookieCsrfTokenRepository tokens = new CookieCsrfTokenRepository();
        tokens.setHeaderName(MultipartGuard.HEADER);
        tokens.setParameterName(MultipartGuard.PARAMETER);
        return tokens;
    }

    /**
     * A refused multipart request (a wrong CSRF token, a forbidden route) is answered here, unread: the error page
     * of {@code sendError} would be rendered by a dispatch that parses, and so spools, its parts.
     */
    private static void denied(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException, ServletException {
        if (MultipartRequests.isMultipart(request)) {
            MultipartRequests.refuse(response, HttpServletResponse.SC_FORBIDDEN, "Forbidden.");
        } else {
            DEFAULT_DENIED.handle(request, response, e);
        }
    }

    private static final AccessDeniedHandlerImpl DEFAULT_DENIED = new AccessDeniedHandlerImpl();

    /**
     * No tracing or metrics per security filter: wrapping each of the dozen filters in an observation cost
     * a fifth of the CPU of a worker lease (ops/bench/dispatch, JFR). Requests are still timed as a whole
     * (http.server.requests).
     */
    @Bean
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    /** Argon2id for new hashes; the prefix lets a future default replace it without resets. */
    @Bean
    PasswordEncoder passwordEncoder() {
        return new DelegatingPasswordEncoder("argon2",
                Map.of("argon2", Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8()));
    }
}
