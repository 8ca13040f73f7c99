package ai.aicrypto.plaza.dataset.format;

import java.util.Arrays;

/**
 * The uploaded data is invalid. Carries a message key from {@code i18n/dataset-format.properties} and its
 * {@link java.text.MessageFormat} arguments so the web layer can show a localized message.
 */
public class DatasetFormatException extends RuntimeException {

    private final String messageKey;
    private final Object[] args;

    public DatasetFormatException(String messageKey, Object... args) {
        super(messageKey + Arrays.toString(args));
        this.messageKey = messageKey;
        this.args = args.clone();
    }

    public String messageKey() {
        return messageKey;
    }

    public Object[] args() {
        return args.clone();
    }
}
