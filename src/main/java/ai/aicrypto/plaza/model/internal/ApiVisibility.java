package ai.aicrypto.plaza.model.internal;

import ai.aicrypto.plaza.platform.UserFacingException;

/** Who may ask a model for predictions, through its page ("try it") or the API, besides its owner. */
enum ApiVisibility {
    /** The owner alone. */
    PRIVATE,
    /** The owner and members holding a license of the model. */
    LICENSEES,
    /** Every member (of a published model). */
    PUBLIC;

    static ApiVisibility parse(String value) {
        for (ApiVisibility v : values()) {
            if (v.name().equals(value)) {
                return v;
            }
        }
        throw new UserFacingException("visibility", "model.api.error.visibility");
    }
}
