package ai.aicrypto.plaza.account.internal;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.platform.PageAttribute;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/** Every page's model carries the signed-in user as {@code me} (null when anonymous). */
@Component
class CurrentUserAttribute implements PageAttribute {

    @Override
    public String name() {
        return "me";
    }

    @Override
    public Object value(HttpServletRequest request) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication != null && authentication.getPrincipal() instanceof AccountPrincipal me ? me : null;
    }
}
