package ai.aicrypto.plaza.competition.scoring;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;

/** Test helpers: CSV text as streams. */
final class Csv {

    private Csv() {
    }

    static InputStream of(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A header and {@code n} lines made by {@code line}, each ending with a newline. */
    static String lines(String header, int n, IntFunction<String> line) {
        StringBuilder s = new StringBuilder(header).append('\n');
        for (int i = 0; i < n; i++) {
            s.append(line.apply(i)).append('\n');
        }
        return s.toString();
    }
}
