package ai.aicrypto.plaza.platform;

import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.validation.Errors;

/**
 * Bad input that the user can fix: carries a message key (resolved in the user's language) and
 * its arguments, and optionally the form field it concerns.
 */
public class UserFacingException extends RuntimeException {

    private final String field;
    private final String messageKey;
    private final transient Object[] args;

    public UserFacingException(String field, String messageKey, Object... args) {
        super(messageKey);
        this.field = field;
        this.messageKey = messageKey;
        this.args = args;
    }

    /** The form field concerned, or null for the form as a whole. */
    public String field() {
        return field;
    }

    public String messageKey() {
        return messageKey;
    }

    /** The message in the language of the request being answered. */
    public String localized(MessageSource messages) {
        return messages.getMessage(messageKey, args, messageKey, LocaleContextHolder.getLocale());
    }

    public Object[] args() {
        return args.clone();
    }

    /** Shows this message on a form: at its field when the form has that field, else for the form as a whole. */
    public void rejectOn(Errors form) {
        if (field != null && form.getFieldType(field) != null) {
            form.rejectValue(field, messageKey, args, messageKey);
        } else {
            form.reject(messageKey, args, messageKey);
        }
    }
}
