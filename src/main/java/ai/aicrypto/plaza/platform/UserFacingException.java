package ai.aicrypto.plaza.platform;

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

    public Object[] args() {
        return args.clone();
    }
}
