package ai.aicrypto.plaza.search.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

import ai.aicrypto.plaza.platform.UserFacingException;

/**
 * The sort values of a page's last hit (e.g. score and id), and the backend that produced them, as
 * an opaque URL-safe string: the next page starts strictly after them. Sort values only mean
 * something to the backend that issued them.
 */
final class SearchCursor {

    private static final String SEPARATOR = "\u001f";

    private SearchCursor() {
    }

    static String encode(String backend, List<String> sortValues) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                (backend + SEPARATOR + String.join(SEPARATOR, sortValues)).getBytes(StandardCharsets.UTF_8));
    }

    /** The name of the backend that issued the cursor (a broken cursor names none). */
    static String backendOf(String cursor) {
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(SEPARATOR, -1)[0];
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /**
     * A sort value read as its backend needs it; anything {@code parse} refuses (throws on) is a broken cursor,
     * told to the visitor like a malformed one (review L12), never a server error nor an Elasticsearch failure.
     */
    static <T> T value(String text, Function<String, T> parse) {
        try {
            return parse.apply(text);
        } catch (RuntimeException e) {
            throw new UserFacingException("after", "listing.error.bad-cursor");
        }
    }

    /** A number either backend can compare: not NaN, nor past a double's range. */
    static double finite(String text) {
        double value = Double.parseDouble(text);
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("not a finite number");
        }
        return value;
    }

    static List<String> decode(String cursor, String backend, int expectedValues) {
        try {
            List<String> parts = Arrays.asList(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8)
                    .split(SEPARATOR, -1));
            if (parts.size() != expectedValues + 1 || !parts.get(0).equals(backend)) {
                throw new IllegalArgumentException("not a cursor of " + backend);
            }
            List<String> values = parts.subList(1, parts.size());
            values.forEach(v -> {
                if (v.isEmpty()) {
                    throw new IllegalArgumentException("empty sort value");
                }
            });
            return values;
        } catch (IllegalArgumentException e) {
            throw new UserFacingException("after", "listing.error.bad-cursor");
        }
    }
}
