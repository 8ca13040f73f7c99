package ai.aicrypto.plaza.platform;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.stereotype.Component;

/**
 * Whether someone is signed in, for the navbar: Spring Security's request wrapper answers no principal for an
 * anonymous visitor. Cheaper than a {@code sec:authorize} expression, which the navbar evaluated three times a page.
 */
@Component
class SignedInAttribute implements PageAttribute {

    @Override
    public String name() {
        return "signedIn";
    }

    @Override
    public Object value(HttpServletRequest request) {
        return request.getUserPrincipal() != null;
    }
}
