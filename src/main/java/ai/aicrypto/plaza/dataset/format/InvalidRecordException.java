package ai.aicrypto.plaza.dataset.format;

/** A raw record given to a model does not fit its input; the key names the problem in the user's language. */
public class InvalidRecordException extends DatasetFormatException {

    static final String UNKNOWN_COLUMN = "record.error.unknown-column";
    static final String MISSING_COLUMN = "record.error.missing-column";
    static final String NOT_A_NUMBER = "record.error.not-a-number";

    InvalidRecordException(String messageKey, Object... args) {
        super(messageKey, args);
    }
}
