package ai.aicrypto.plaza.search.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Marks the words of a hit's title and description that the Elasticsearch query matches, with the
 * {@link Highlights} marks, and cuts the description's snippet around the first match. The words
 * match as the query does: equal, or within Elasticsearch's AUTO fuzziness (no edit up to 2
 * characters, 1 up to 5, else 2; insertions, deletions, substitutions and transpositions) with the
 * first character equal, or starting with the query's last word (still being typed).
 *
 * <p>Done here rather than by Elasticsearch's highlighter: for fuzzy queries that highlighter builds
 * Levenshtein automata for every hit and field, and took 90% of each search's time (about 250 ms
 * of 280 for a misspelt two-word query over a million listings, measured with the profile API),
 * where this takes microseconds for a page of hits.
 */
final class MatchMarker {

    static final int SNIPPET_LENGTH = 240;
    /**
     * Longer words are marked only when equal: the edit distance allocates (length + 1)² ints, and a listing may
     * hold words of thousands of letters (review M6). No real word is this long.
     */
    static final int MAX_FUZZY_WORD = 40;
    private static final int CONTEXT_BEFORE = 60;

    private final List<String> words;
    private final String lastWord;

    MatchMarker(String query) {
        words = new ArrayList<>();
        forEachWord(query, (start, end) -> {
            words.add(query.substring(start, end).toLowerCase(Locale.ROOT));
            return true;
        });
        lastWord = words.isEmpty() ? null : words.get(words.size() - 1);
    }

    /** {@code text} with every matching word marked. */
    String mark(String text) {
        var marked = new StringBuilder(text.length() + 16);
        int[] copied = {0};
        forEachWord(text, (start, end) -> {
            if (matches(text.substring(start, end).toLowerCase(Locale.ROOT))) {
                marked.append(text, copied[0], start).append(Highlights.START).append(text, start, end)
                        .append(Highlights.END);
                copied[0] = end;
            }
            return true;
        });
        return marked.append(text, copied[0], text.length()).toString();
    }

    /** About {@link #SNIPPET_LENGTH} characters of {@code text} from shortly before its first match, marked. */
    String snippet(String text) {
        int[] first = {-1};
        // A description may be 20,000 characters long: stop at the first match.
        forEachWord(text, (start, end) -> {
            if (matches(text.substring(start, end).toLowerCase(Locale.ROOT))) {
                first[0] = start;
                return false;
            }
            return true;
        });
        int from = first[0] <= CONTEXT_BEFORE ? 0 : wordStartAfter(text, first[0] - CONTEXT_BEFORE);
        int to = Math.min(text.length(), from + SNIPPET_LENGTH);
        if (to < text.length()) {
            int space = text.lastIndexOf(' ', to);
            to = space > from ? space : to;
        }
        return (from > 0 ? "… " : "") + mark(text.substring(from, to)) + (to < text.length() ? " …" : "");
    }

    private boolean matches(String word) {
        for (String queryWord : words) {
            if (word.equals(queryWord)) {
                return true;
            }
            int edits = fuzziness(queryWord);
            if (edits > 0 && queryWord.length() <= MAX_FUZZY_WORD && word.charAt(0) == queryWord.charAt(0)
                    && Math.abs(word.length() - queryWord.length()) <= edits && distance(word, queryWord) <= edits) {
                return true;
            }
        }
        return lastWord != null && word.startsWith(lastWord);
    }

    /** Elasticsearch's AUTO fuzziness for a term of this length. */
    private static int fuzziness(String word) {
        return word.length() <= 2 ? 0 : word.length() <= 5 ? 1 : 2;
    }

    /** Optimal string alignment distance: Levenshtein plus transpositions of adjacent characters, as Lucene's. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static int wordStartAfter(String text, int index) {
        int space = text.indexOf(' ', index);
        return space < 0 ? index : space + 1;
    }

    private interface WordVisitor {
        /** Returns whether to go on to the next word. */
        boolean word(int start, int end);
    }

    /** Words as Elasticsearch's standard analyzer roughly sees them: runs of letters and digits. */
    private static void forEachWord(String text, WordVisitor visitor) {
        int i = 0;
        while (i < text.length()) {
            int c = text.codePointAt(i);
            if (!Character.isLetterOrDigit(c)) {
                i += Character.charCount(c);
                continue;
            }
            int start = i;
            while (i < text.length() && Character.isLetterOrDigit(text.codePointAt(i))) {
                i += Character.charCount(text.codePointAt(i));
            }
            if (!visitor.word(start, i)) {
                return;
            }
        }
    }
}
