package ai.aicrypto.plaza.model.card;

import java.util.Arrays;
import java.util.Objects;

/**
 * One reason a model card (or its weights file) was rejected.
 *
 * @param field          JSON-pointer-like location of the offending value, e.g. {@code /architecture/hiddenSizes/0};
 *                       {@code /} stands for the document itself. For a missing property it is the path the
 *                       property should have had ({@code /task}); for an unexpected property, the path of that
 *                       property.
 * @param messageKey     key in {@code i18n/model-card*.properties}, e.g. {@code model.card.error.required}
 * @param args           {@link java.text.MessageFormat} arguments for the key's message
 * @param defaultMessage English message (from the schema validator where it applies), for logs and fallbacks
 */
public record CardFieldError(String field, String messageKey, Object[] args, String defaultMessage) {

    public CardFieldError {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(messageKey, "messageKey");
        args = args == null ? new Object[0] : args.clone();
        defaultMessage = defaultMessage == null ? messageKey : defaultMessage;
    }

    @Override
    public Object[] args() {
        return args.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CardFieldError other
                && field.equals(other.field)
                && messageKey.equals(other.messageKey)
                && Arrays.equals(args, other.args)
                && defaultMessage.equals(other.defaultMessage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(field, messageKey, Arrays.hashCode(args), defaultMessage);
    }

    @Override
    public String toString() {
        return field + ": " + messageKey + Arrays.toString(args) + " (" + defaultMessage + ")";
    }
}
