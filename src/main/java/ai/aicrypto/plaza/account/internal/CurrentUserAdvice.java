package ai.aicrypto.plaza.account.internal;

import ai.aicrypto.plaza.account.AccountPrincipal;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** Every page's model carries the signed-in user as {@code me} (null when anonymous). */
@ControllerAdvice
class CurrentUserAdvice {

    @ModelAttribute("me")
    AccountPrincipal me(@AuthenticationPrincipal AccountPrincipal me) {
        return me;
    }
}
