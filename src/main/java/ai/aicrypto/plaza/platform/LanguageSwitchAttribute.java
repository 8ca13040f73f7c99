package ai.aicrypto.plaza.platform;

import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** The navbar's language link: the current page, with its filters, in the other language. */
@Component
class LanguageSwitchAttribute implements PageAttribute {

    @Override
    public String name() {
        return "languageSwitchUrl";
    }

    @Override
    public Object value(HttpServletRequest request) {
        String other = Locale.KOREAN.getLanguage().equals(LocaleContextHolder.getLocale().getLanguage()) ? "en" : "ko";
        return ServletUriComponentsBuilder.fromRequestUri(request)
                .query(ServletUriComponentsBuilder.fromRequest(request).build().getQuery())
                .replaceQueryParam("lang", other)
                .replaceQueryParam("after")
                .build().toUriString();
    }
}
