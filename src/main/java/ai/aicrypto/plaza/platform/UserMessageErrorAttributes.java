package ai.aicrypto.plaza.platform;

import java.util.Map;

import org.springframework.boot.web.error.ErrorAttributeOptions;
import org.springframework.boot.webmvc.error.DefaultErrorAttributes;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.WebRequest;

/**
 * Boot's error attributes, plus the message in the visitor's language that whoever answered with {@code sendError}
 * left in the request ({@link RateLimits}): the error page shows it as {@code userMessage}.
 */
@Component
class UserMessageErrorAttributes extends DefaultErrorAttributes {

    @Override
    public Map<String, Object> getErrorAttributes(WebRequest request, ErrorAttributeOptions options) {
        Map<String, Object> attributes = super.getErrorAttributes(request, options);
        Object message = request.getAttribute(RateLimits.USER_MESSAGE, RequestAttributes.SCOPE_REQUEST);
        if (message != null) {
            attributes.put("userMessage", message);
        }
        return attributes;
    }
}
