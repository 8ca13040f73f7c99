package ai.aicrypto.plaza.dataset.format;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Uniform random sample of at most {@code capacity} items from a stream of unknown length (Algorithm R).
 * Deterministic for a given seed and stream. Callers ask {@link #slotFor} first so that they only build the
 * (possibly expensive) item when it is kept.
 */
final class Reservoir<T> {

    private final int capacity;
    private final SplittableRandom random;
    private final List<T> items = new ArrayList<>();
    private final List<Long> indices = new ArrayList<>();
    private long seen;

    Reservoir(int capacity, long seed) {
        this.capacity = capacity;
        this.random = new SplittableRandom(seed);
    }

    /** Registers the next stream item; returns the slot to {@link #put} it in, or -1 if it is not sampled. */
    int slotFor() {
        long index = seen++;
        if (index < capacity) {
            return (int) index;
        }
        long slot = random.nextLong(index + 1);
        return slot < capacity ? (int) slot : -1;
    }

    /** Stores the item registered by the last {@link #slotFor} call. */
    void put(int slot, T item) {
        long index = seen - 1;
        if (slot == items.size()) {
            items.add(item);
            indices.add(index);
        } else {
            items.set(slot, item);
            indices.set(slot, index);
        }
    }

    /** The sample in stream order. */
    List<T> items() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparing(indices::get));
        return order.stream().map(items::get).toList();
    }
}
