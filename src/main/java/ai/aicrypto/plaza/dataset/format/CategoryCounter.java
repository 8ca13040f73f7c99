package ai.aicrypto.plaza.dataset.format;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts distinct values up to a cap. Past the cap (or on an over-long value) it gives up, frees its memory and
 * reports {@link #overflowed()}, which keeps memory bounded on ID-like or free-text columns.
 */
final class CategoryCounter {

    static final int MAX_VALUE_LENGTH = 256;

    private Map<String, long[]> counts = new HashMap<>();
    private int cap;

    CategoryCounter(int cap) {
        this.cap = cap;
    }

    void raiseCap(int newCap) {
        cap = Math.max(cap, newCap);
    }

    void add(String value) {
        if (counts == null) {
            return;
        }
        long[] count = counts.get(value);
        if (count != null) {
            count[0]++;
        } else if (counts.size() >= cap || value.length() > MAX_VALUE_LENGTH) {
            counts = null;
        } else {
            counts.put(value, new long[] {1});
        }
    }

    boolean overflowed() {
        return counts == null;
    }

    int distinct() {
        return counts.size();
    }

    List<String> values() {
        return new ArrayList<>(counts.keySet());
    }

    /** The {@code limit} most frequent values, most frequent first; ties ordered by {@code tieOrder}. */
    Map<String, Long> top(int limit, Comparator<String> tieOrder) {
        Map<String, Long> top = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0])
                        .thenComparing(Map.Entry::getKey, tieOrder))
                .limit(limit)
                .forEach(e -> top.put(e.getKey(), e.getValue()[0]));
        return top;
    }
}
