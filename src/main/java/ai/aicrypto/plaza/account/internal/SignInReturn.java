package ai.aicrypto.plaza.account.internal;

import java.net.URI;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.web.savedrequest.CookieRequestCache;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.savedrequest.SavedRequest;
import org.springframework.security.web.util.matcher.AndRequestMatcher;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.RequestHeaderRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.stereotype.Component;

/**
 * The page a visitor asked for before being sent to sign in, and goes back to after (review L4). It is kept in a cookie
 * (Spring Security's {@link CookieRequestCache}, a relative path only), not in a session: a session would be a row in
 * PostgreSQL for every anonymous request of a protected page. Both form and wallet sign-in return there.
 */
@Component
class SignInReturn {

    private final CookieRequestCache cache = new CookieRequestCache();

    SignInReturn() {
        // What Spring Security's default cache saves: pages a browser navigates to, not what scripts, HTMX swaps,
        // live streams or the favicon ask for.
        RequestMatcher pageVisits = request -> HttpMethod.GET.matches(request.getMethod())
                && !request.getRequestURI().startsWith(request.getContextPath() + "/favicon.");
        cache.setRequestMatcher(new AndRequestMatcher(pageVisits,
                not(new RequestHeaderRequestMatcher("X-Requested-With", "XMLHttpRequest")),
                not(new RequestHeaderRequestMatcher("HX-Request")),
                not(new RequestHeaderRequestMatcher("Upgrade", "websocket")),
                not(accepting(MediaType.APPLICATION_JSON)),
                not(accepting(MediaType.TEXT_EVENT_STREAM)),
                not(accepting(MediaType.MULTIPART_FORM_DATA))));
        cache.setCookieCustomizer(cookie -> cookie.setAttribute("SameSite", "Lax"));
    }

    RequestCache cache() {
        return cache;
    }

    /** Where a visitor who just signed in goes: the saved page (its path and query), else the home page. */
    String pathAfterSignIn(HttpServletRequest request, HttpServletResponse response) {
        SavedRequest saved = cache.getRequest(request, response);
        if (saved == null) {
            return "/";
        }
        cache.removeRequest(request, response);
        URI uri = URI.create(saved.getRedirectUrl());
        return uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
    }

    private static RequestMatcher accepting(MediaType type) {
        var matcher = new MediaTypeRequestMatcher(type);
        matcher.setIgnoredMediaTypes(Set.of(MediaType.ALL));
        return matcher;
    }

    private static RequestMatcher not(RequestMatcher matcher) {
        return new NegatedRequestMatcher(matcher);
    }
}
