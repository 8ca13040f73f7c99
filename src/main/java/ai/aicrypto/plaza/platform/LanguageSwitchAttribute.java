package ai.aicrypto.plaza.platform;

import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriComponentsBuilder;

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
        // A path with its query as received, not an absolute URL: nothing to trust of the Host header.
        return UriComponentsBuilder.fromPath(request.getRequestURI()).query(request.getQueryString())
                .replaceQueryParam("lang", other)
                .replaceQueryParam("after")
                .build().toUriString();
    }
}
