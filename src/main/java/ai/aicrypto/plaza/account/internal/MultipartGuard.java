package ai.aicrypto.plaza.account.internal;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

import ai.aicrypto.plaza.platform.MultipartRequests;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Lets a multipart request reach the CSRF check only from a signed-in member and with its token outside the
 * body, so that no part is written to disk for anyone else (review M7). Spring Security's {@code CsrfFilter}
 * looks for the token in the header first and then in the request parameters, and reading a parameter of a
 * multipart request makes the container parse and spool every part, before the token is even compared.
 * <p>
 * So a multipart request must carry the token in the {@value #HEADER} header (HTMX sends it with every request,
 * {@code plaza.js}; {@value #DEFAULT_HEADER} is taken too) or in the query string as {@value #PARAMETER} (the upload forms' actions carry it, for a form
 * posted without script), which this filter hands on as the header. Anonymous multipart requests go to the sign-in
 * page, tokenless ones get 403; both without reading the body. Runs after the session's security context is
 * loaded and before {@code CsrfFilter}, which then compares the token as for any other request.
 */
final class MultipartGuard extends OncePerRequestFilter {

    static final String HEADER = "X-XSRF-TOKEN";
    /** Spring Security's default header name, which clients and test tools send; taken as well. */
    static final String DEFAULT_HEADER = "X-CSRF-TOKEN";
    static final String PARAMETER = "_csrf";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!MultipartRequests.isMultipart(request)) {
            chain.doFilter(request, response);
            return;
        }
        if (!signedIn(SecurityContextHolder.getContext().getAuthentication())) {
            MultipartRequests.redirect(request, response, request.getContextPath() + "/login");
            return;
        }
        String token = request.getHeader(HEADER);
        if (token == null) {
            token = request.getHeader(DEFAULT_HEADER);
        }
        if (token == null) {
            token = fromQuery(request.getQueryString());
        }
        if (token == null) {
            MultipartRequests.refuse(response, HttpServletResponse.SC_FORBIDDEN,
                    "An upload needs its CSRF token in the " + HEADER + " header or the " + PARAMETER + " query parameter.");
            return;
        }
        chain.doFilter(new TokenAsHeader(request, token), response);
    }

    private static boolean signedIn(Authentication authentication) {
        return authentication != null && authentication.isAuthenticated()
                && !(authentication instanceof AnonymousAuthenticationToken);
    }

    /** The {@value #PARAMETER} value of a query string, read without touching the request's parameters. */
    static String fromQuery(String query) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && PARAMETER.equals(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8))) {
                String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }

    /**
     * The request with its token under either header name, so that the CSRF check, which reads its header first,
     * finds it there and never falls back to the body's parameters.
     */
    private static final class TokenAsHeader extends HttpServletRequestWrapper {

        private final String token;

        TokenAsHeader(HttpServletRequest request, String token) {
            super(request);
            this.token = token;
        }

        @Override
        public String getHeader(String name) {
            return isTokenHeader(name) ? token : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return isTokenHeader(name) ? Collections.enumeration(List.of(token)) : super.getHeaders(name);
        }

        private static boolean isTokenHeader(String name) {
            return HEADER.equalsIgnoreCase(name) || DEFAULT_HEADER.equalsIgnoreCase(name);
        }
    }
}
