package ai.aicrypto.plaza.search.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import ai.aicrypto.plaza.platform.UserFacingException;

/**
 * The sort values of a page's last hit (e.g. score and id), as an opaque URL-safe string: the next
 * page starts strictly after them.
 */
final class SearchCursor {

    private static final String SEPARATOR = "\u001f";

    private SearchCursor() {
    }

    static String encode(List<String> sortValues) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(String.join(SEPARATOR, sortValues).getBytes(StandardCharsets.UTF_8));
    }

    static List<String> decode(String cursor, int expectedValues) {
        try {
            List<String> values = Arrays.asList(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8)
                    .split(SEPARATOR, -1));
            if (values.size() != expectedValues) {
                throw new IllegalArgumentException("wrong arity");
            }
            return values;
        } catch (IllegalArgumentException e) {
            throw new UserFacingException("after", "listing.error.bad-cursor");
        }
    }
}
