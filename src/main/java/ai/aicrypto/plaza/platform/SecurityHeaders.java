package ai.aicrypto.plaza.platform;

import org.springframework.security.config.Customizer;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.HeadersConfigurer;
import org.springframework.security.web.header.HeaderWriterFilter;

/**
 * The security headers of every filter chain (no-cache, nosniff, frame options) are written before the request is
 * handled. Written after it by default, they raced with a response that another thread writes once the handler has
 * returned (a streamed download, an event stream): both threads added headers to the same response at once.
 */
public final class SecurityHeaders {

    private SecurityHeaders() {
    }

    public static Customizer<HeadersConfigurer<HttpSecurity>> writtenFirst() {
        return headers -> headers.withObjectPostProcessor(new ObjectPostProcessor<HeaderWriterFilter>() {
            @Override
            public <O extends HeaderWriterFilter> O postProcess(O filter) {
                filter.setShouldWriteHeadersEagerly(true);
                return filter;
            }
        });
    }
}
