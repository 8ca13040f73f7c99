package ai.aicrypto.plaza.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.servlet.autoconfigure.MultipartProperties;
import org.springframework.boot.webmvc.autoconfigure.WebMvcRegistrations;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.LocaleResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.i18n.CookieLocaleResolver;
import org.springframework.web.servlet.i18n.LocaleChangeInterceptor;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * English and Korean: the browser's Accept-Language decides until the user picks one with
 * {@code ?lang=ko}, which a cookie then remembers.
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

    static final List<Locale> SUPPORTED = List.of(Locale.ENGLISH, Locale.KOREAN);
    /**
     * Browsers send a few forms of the header: parsing it on every request was 0.6% of a served API call's CPU. Long
     * ones, which no browser sends, are parsed each time rather than kept.
     */
    private static final Cache<String, Locale> BEST_SUPPORTED = Caffeine.newBuilder().maximumSize(1_000).build();
    private static final int MAX_KEPT_HEADER_LENGTH = 200;

    private final PageAttributesInterceptor pageAttributes;

    WebConfiguration(PageAttributesInterceptor pageAttributes) {
        this.pageAttributes = pageAttributes;
    }

    /**
     * The container spools uploads in the data directory's {@code work/multipart} (unless
     * {@code spring.servlet.multipart.location} names another place), not in a temporary directory of its own that a
     * crash leaves behind with every part in it: there, the storage module deletes what a crash left.
     */
    @Bean
    MultipartConfigElement multipartConfigElement(MultipartProperties multipart, PlazaProperties plaza) throws IOException {
        MultipartConfigElement configured = multipart.createMultipartConfig();
        if (!configured.getLocation().isEmpty()) {
            return configured;
        }
        String spool = Files.createDirectories(plaza.dataDir().resolve("work").resolve("multipart")).toAbsolutePath().toString();
        return new MultipartConfigElement(spool, configured.getMaxFileSize(), configured.getMaxRequestSize(),
                configured.getFileSizeThreshold());
    }

    /** The app's request mapping, with the {@link HotRoute} routes matched first. */
    @Bean
    WebMvcRegistrations hotRoutesFirst() {
        return new WebMvcRegistrations() {
            @Override
            public RequestMappingHandlerMapping getRequestMappingHandlerMapping() {
                return new HotRouteMapping();
            }
        };
    }

    @Bean
    LocaleResolver localeResolver() {
        var resolver = new CookieLocaleResolver("plaza-lang");
        resolver.setCookieMaxAge(Duration.ofDays(365));
        resolver.setDefaultLocaleFunction(WebConfiguration::bestSupported);
        return resolver;
    }

    private static Locale bestSupported(HttpServletRequest request) {
        String header = request.getHeader("Accept-Language");
        if (header == null || header.isBlank()) {
            return Locale.ENGLISH;
        }
        return header.length() <= MAX_KEPT_HEADER_LENGTH ? BEST_SUPPORTED.get(header, WebConfiguration::parseBestSupported)
                : parseBestSupported(header);
    }

    private static Locale parseBestSupported(String header) {
        try {
            Locale best = Locale.lookup(Locale.LanguageRange.parse(header), SUPPORTED);
            return best == null ? Locale.ENGLISH : best;
        } catch (IllegalArgumentException malformedHeader) {
            return Locale.ENGLISH;
        }
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        var change = new LocaleChangeInterceptor();
        change.setParamName("lang");
        change.setIgnoreInvalidLocale(true);
        registry.addInterceptor(change);
        registry.addInterceptor(pageAttributes);
    }
}
