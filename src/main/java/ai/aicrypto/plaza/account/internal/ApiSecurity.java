package ai.aicrypto.plaza.account.internal;

import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.platform.BearerTokenApi;
import ai.aicrypto.plaza.platform.RateLimits;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/** The members' API ({@code /api/v1/**}) is for scripts: a personal bearer token (see {@link BearerTokenApi}). */
@Configuration(proxyBeanMethods = false)
class ApiSecurity {

    @Bean
    @Order(2)
    SecurityFilterChain memberApiSecurityChain(HttpSecurity http, ApiTokens tokens, RateLimits rateLimits) throws Exception {
        // The token itself travels as the authentication's details, so that calls can be metered by token.
        return BearerTokenApi.chain(http, "/api/v1/**", "MEMBER", token -> tokens.authenticate(token).map(holder -> {
            var authentication = UsernamePasswordAuthenticationToken.authenticated(holder.principal(), null,
                    holder.principal().getAuthorities());
            authentication.setDetails(holder);
            return authentication;
        }), rateLimits);
    }
}
