package ai.aicrypto.plaza.serving.internal;

import java.io.ByteArrayInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import ai.aicrypto.plaza.platform.SecurityHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.preauth.AbstractPreAuthenticatedProcessingFilter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The instances' own API ({@code /internal/serving/**}): a call is authenticated by its signature
 * ({@link InstanceSignatures}), meant for this instance (its id, known only to the instances, in the signed query), within
 * the time window and never seen before; anything else is answered 401 and changes nothing. An instance without the
 * shared secret takes no such call.
 */
@Configuration(proxyBeanMethods = false)
class InstanceApiSecurity {

    /** A forwarded call's rows, at most (a bigger one is answered 413, and its instance serves it otherwise). */
    static final int MAX_BODY_BYTES = 64 << 20;

    @Bean
    @Order(3)
    SecurityFilterChain instanceApiSecurityChain(HttpSecurity http, ServingPeers peers) throws Exception {
        http.securityMatcher("/internal/serving/**")
                .authorizeHttpRequests(auth -> auth.anyRequest().hasRole("PLAZA_INSTANCE"))
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .exceptionHandling(e -> e.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED)))
                .addFilterBefore(new SignedCallFilter(peers), AbstractPreAuthenticatedProcessingFilter.class)
                .headers(SecurityHeaders.writtenFirst());
        return http.build();
    }

    private static final class SignedCallFilter extends OncePerRequestFilter {

        private static final Logger log = LoggerFactory.getLogger(SignedCallFilter.class);
        private final ServingPeers peers;

        SignedCallFilter(ServingPeers peers) {
            this.peers = peers;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            InstanceSignatures signatures = peers.signatures();
            // Cheap checks first: a stranger, who cannot know this instance's id, never has its body read (so the id is
            // read from the query string itself: getParameter would parse a form body).
            String query = request.getQueryString();
            if (signatures == null || query == null || !query.startsWith("instance=" + peers.instanceId() + "&")
                    || request.getHeader(InstanceSignatures.SIGNATURE) == null) {
                refuse(request, response, HttpStatus.UNAUTHORIZED, "unsigned, or not for this instance");
                return;
            }
            long length = request.getContentLengthLong();
            if (length < 0 || length > MAX_BODY_BYTES) {
                refuse(request, response, HttpStatus.PAYLOAD_TOO_LARGE, "a body of at most " + MAX_BODY_BYTES + " bytes, with its length");
                return;
            }
            byte[] body = request.getInputStream().readNBytes((int) length);
            String path = request.getRequestURI().substring(request.getContextPath().length())
                    + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
            String refusal = signatures.refusal(request.getMethod(), path, request.getHeader(InstanceSignatures.TIME),
                    request.getHeader(InstanceSignatures.NONCE), request.getHeader(InstanceSignatures.SIGNATURE), body);
            if (refusal != null) {
                refuse(request, response, HttpStatus.UNAUTHORIZED, refusal);
                return;
            }
            var context = SecurityContextHolder.createEmptyContext();
            context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated("plaza-instance", null,
                    List.of(new SimpleGrantedAuthority("ROLE_PLAZA_INSTANCE"))));
            SecurityContextHolder.setContext(context);
            chain.doFilter(new ReadBody(request, body), response);
        }

        private static void refuse(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String why)
                throws IOException {
            log.warn("A call to {} from {} was refused: {}", request.getRequestURI(), request.getRemoteAddr(), why);
            response.setStatus(status.value());
            response.setContentType("application/json");
            response.getWriter().write("{\"error\":\"" + why + "\"}");
        }
    }

    /** The request with the body the filter read to check its signature. */
    private static final class ReadBody extends HttpServletRequestWrapper {

        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("read synchronously");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }
    }
}
