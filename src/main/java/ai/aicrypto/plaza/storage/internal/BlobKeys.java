package ai.aicrypto.plaza.storage.internal;

import java.util.regex.Pattern;

/** A blob's key: the SHA-256 of its bytes in lower-case hex, the same in every store. */
final class BlobKeys {

    private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");

    private BlobKeys() {
    }

    /** Refuses anything but a key, so that no path or object name can be smuggled in. */
    static void check(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("Not a blob key: " + key);
        }
    }
}
