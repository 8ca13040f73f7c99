package ai.aicrypto.plaza.serving;

import ai.aicrypto.plaza.platform.UserFacingException;

/** A paid call the caller's credit does not cover (or that cannot be paid here at all); answered with 402. */
public class InsufficientCreditException extends UserFacingException {

    public InsufficientCreditException(String messageKey, Object... args) {
        super(null, messageKey, args);
    }
}
