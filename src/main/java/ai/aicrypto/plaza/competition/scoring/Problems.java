package ai.aicrypto.plaza.competition.scoring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects problems: at most {@link #EXAMPLES} of each key, in the order found, then one {@link MessageKeys#MORE}
 * with the count of the rest. Summary problems ({@link #addFirst}) come before all others.
 */
final class Problems {

    static final int EXAMPLES = 10;

    private final List<Problem> first = new ArrayList<>();
    private final Map<String, List<Problem>> byKey = new LinkedHashMap<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();

    void add(String key, Object... args) {
        int count = counts.merge(key, 1, Integer::sum);
        if (count <= EXAMPLES) {
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(Problem.of(key, args));
        }
    }

    void addFirst(String key, Object... args) {
        first.add(Problem.of(key, args));
    }

    boolean isEmpty() {
        return first.isEmpty() && counts.isEmpty();
    }

    List<Problem> list() {
        List<Problem> all = new ArrayList<>(first);
        byKey.forEach((key, examples) -> {
            all.addAll(examples);
            int rest = counts.get(key) - examples.size();
            if (rest > 0) {
                all.add(Problem.of(MessageKeys.MORE, rest));
            }
        });
        return all;
    }

    /** The first {@link #EXAMPLES} of {@code items}, comma-separated. */
    static String examples(Iterable<String> items, int limit) {
        StringBuilder s = new StringBuilder();
        int n = 0;
        for (String item : items) {
            if (n++ == limit) {
                break;
            }
            if (s.length() > 0) {
                s.append(", ");
            }
            s.append(item);
        }
        return s.toString();
    }
}
