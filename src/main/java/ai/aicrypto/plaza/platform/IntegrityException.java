package ai.aicrypto.plaza.platform;

/**
 * Stored data failed its integrity check (e.g. an altered ciphertext). Never the user's fault:
 * it is answered with a 500 page that says so, and logged.
 */
public class IntegrityException extends RuntimeException {

    public IntegrityException(String message, Throwable cause) {
        super(message, cause);
    }
}
