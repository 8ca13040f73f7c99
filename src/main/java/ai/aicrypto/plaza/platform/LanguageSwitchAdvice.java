package ai.aicrypto.plaza.platform;

import java.util.Locale;

import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** The navbar's language link: the current page, with its filters, in the other language. */
@ControllerAdvice
class LanguageSwitchAdvice {

    @ModelAttribute("languageSwitchUrl")
    String languageSwitchUrl() {
        String other = Locale.KOREAN.getLanguage().equals(LocaleContextHolder.getLocale().getLanguage()) ? "en" : "ko";
        return ServletUriComponentsBuilder.fromCurrentRequestUri()
                .query(ServletUriComponentsBuilder.fromCurrentRequest().build().getQuery())
                .replaceQueryParam("lang", other)
                .replaceQueryParam("after")
                .build().toUriString();
    }
}
