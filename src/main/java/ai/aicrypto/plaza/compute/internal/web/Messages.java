package ai.aicrypto.plaza.compute.internal.web;

import java.util.LinkedHashMap;
import java.util.Map;

import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Component;

/** Form errors in the user's language, keyed by field for the templates. */
@Component
class Messages {

    private final MessageSource source;

    Messages(MessageSource source) {
        this.source = source;
    }

    String of(UserFacingException e) {
        return e.localized(source);
    }

    Map<String, String> byField(Map<String, UserFacingException> errors) {
        Map<String, String> out = new LinkedHashMap<>();
        errors.forEach((field, e) -> out.put(field, of(e)));
        return out;
    }
}
