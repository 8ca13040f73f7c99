package ai.aicrypto.plaza.chain;

import java.util.Map;
import java.util.function.Supplier;

import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.context.MessageSource;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * The answers of the JSON steps that a browser wallet flow calls (static/js/wallet.js): the step's result, or a
 * localized {@code error} with status 400 for anything the user can fix and 503 when the chain cannot be reached.
 */
@Component
public class WalletSteps {

    private final MessageSource messages;

    WalletSteps(MessageSource messages) {
        this.messages = messages;
    }

    /**
     * @param chainDownKey the message that says what did not happen while the chain is down ("nothing was bought")
     */
    public ResponseEntity<Map<String, Object>> answer(String chainDownKey, Supplier<Map<String, Object>> step) {
        try {
            return ResponseEntity.ok(step.get());
        } catch (UserFacingException e) {
            return ResponseEntity.badRequest().body(Map.of("error", e.localized(messages)));
        } catch (ChainUnavailableException e) {
            return ResponseEntity.status(503).body(Map.of("error",
                    new UserFacingException(null, chainDownKey).localized(messages)));
        }
    }
}
