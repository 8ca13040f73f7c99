package ai.aicrypto.plaza.dataset.format;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * How a free-text value becomes hashed n-gram ids (fastText style, no vocabulary): the text is lower-cased
 * ({@link Locale#ROOT}) and cut into words at every character that is neither a letter nor a digit; its n-grams are
 * the words ({@code w:word}), the pairs of neighbouring words ({@code b:word1 word2}, when word n-grams go up to 2), and
 * the character n-grams of each word framed as {@code <word>} ({@code c:<wo}, ...) for every length from
 * {@code charMin} to {@code charMax}. Each n-gram's UTF-8 bytes are hashed with 32-bit FNV-1a into
 * {@code buckets} ({@code unsigned hash mod buckets}). A record keeps each id once, in that order (words, pairs,
 * character n-grams), at most {@code slots} of them.
 */
final class TextNgrams {

    private TextNgrams() {
    }

    /** The distinct bucket ids of the text, in n-gram order, at most {@code text.slots()} of them. */
    static int[] ids(String value, Preprocessing.Text text, int buckets) {
        Set<Integer> ids = new LinkedHashSet<>();
        ngrams(value, text, gram -> {
            ids.add(Integer.remainderUnsigned(Preprocessing.fnv1a(gram), buckets));
            return ids.size() < text.slots();
        });
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** How many n-grams (repeats counted) the text has, stopping at {@code cap}: what sizes a column's slots. */
    static int count(String value, Preprocessing.Text text, int cap) {
        List<String> words = words(value);
        long count = words.size();
        if (text.wordNgrams() >= 2) {
            count += Math.max(0, words.size() - 1);
        }
        for (String word : words) {
            int framed = word.codePointCount(0, word.length()) + 2;
            for (int n = text.charMin(); n <= text.charMax(); n++) {
                count += Math.max(0, framed - n + 1);
            }
            if (count >= cap) {
                return cap;
            }
        }
        return (int) Math.min(cap, count);
    }

    /** Hands the n-grams in order to {@code sink} until it answers false (a record's slots are full). */
    private static void ngrams(String value, Preprocessing.Text text, Predicate<String> sink) {
        List<String> words = words(value);
        for (String word : words) {
            if (!sink.test("w:" + word)) {
                return;
            }
        }
        if (text.wordNgrams() >= 2) {
            for (int i = 1; i < words.size(); i++) {
                if (!sink.test("b:" + words.get(i - 1) + " " + words.get(i))) {
                    return;
                }
            }
        }
        for (String word : words) {
            int[] cps = ("<" + word + ">").codePoints().toArray();
            for (int n = text.charMin(); n <= text.charMax(); n++) {
                for (int i = 0; i + n <= cps.length; i++) {
                    if (!sink.test("c:" + new String(cps, i, n))) {
                        return;
                    }
                }
            }
        }
    }

    static List<String> words(String value) {
        List<String> words = new ArrayList<>();
        String lower = value.toLowerCase(Locale.ROOT);
        int start = -1;
        for (int i = 0; i < lower.length(); ) {
            int cp = lower.codePointAt(i);
            boolean inWord = Character.isLetterOrDigit(cp);
            if (inWord && start < 0) {
                start = i;
            } else if (!inWord && start >= 0) {
                words.add(lower.substring(start, i));
                start = -1;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            words.add(lower.substring(start));
        }
        return words;
    }
}
