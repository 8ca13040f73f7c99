package ai.aicrypto.plaza.chain.internal;

/** A log from one of the plaza's contracts whose values the plaza cannot act on; it is quarantined. */
class UnusableLogException extends Exception {

    UnusableLogException(String reason) {
        super(reason, null, false, false);
    }
}
