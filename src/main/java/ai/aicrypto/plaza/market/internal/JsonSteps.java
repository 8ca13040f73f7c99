package ai.aicrypto.plaza.market.internal;

import java.util.Map;
import java.util.function.Supplier;

import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * The answers of the JSON steps a browser wallet flow calls: the step's result, or a localized
 * {@code error} with status 400 for anything the user can fix and 503 when the chain is down.
 */
@Component
class JsonSteps {

    private final MessageSource messages;

    JsonSteps(MessageSource messages) {
        this.messages = messages;
    }

    ResponseEntity<Map<String, Object>> answer(Supplier<Map<String, Object>> step) {
        try {
            return ResponseEntity.ok(step.get());
        } catch (UserFacingException e) {
            return ResponseEntity.badRequest().body(Map.of("error",
                    messages.getMessage(e.messageKey(), e.args(), e.messageKey(), LocaleContextHolder.getLocale())));
        } catch (ChainUnavailableException e) {
            return ResponseEntity.status(503).body(Map.of("error",
                    messages.getMessage("market.error.chain-down", null, LocaleContextHolder.getLocale())));
        }
    }
}
