package ai.aicrypto.plaza.competition.scoring;

import java.util.Arrays;

/**
 * Ids to row indices, open addressing with linear probing: an {@code int[]} table beside the id strings, about half
 * the memory of a {@code HashMap<String, Integer>} and no boxing on lookup.
 */
final class IdIndex {

    private String[] ids;
    private int[] table; // row + 1, 0 = empty
    private int size;

    IdIndex(int expected) {
        ids = new String[Math.max(16, expected)];
        table = new int[tableSize(expected)];
    }

    private static int tableSize(int entries) {
        return Integer.highestOneBit(Math.max(16, entries) * 2 - 1) * 2;
    }

    /** Adds {@code id} as the next row and returns -1, or returns the row it already has. */
    int add(String id) {
        int slot = slot(id);
        if (table[slot] != 0) {
            return table[slot] - 1;
        }
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size + (size >> 1));
        }
        ids[size] = id;
        table[slot] = ++size;
        if (size * 2 > table.length) {
            rehash();
        }
        return -1;
    }

    /** The row of {@code id}, or -1. */
    int row(String id) {
        return table[slot(id)] - 1;
    }

    String id(int row) {
        return ids[row];
    }

    int size() {
        return size;
    }

    /** Drops unused capacity once all ids are in. */
    void trim() {
        ids = Arrays.copyOf(ids, size);
    }

    private int slot(String id) {
        int mask = table.length - 1;
        int slot = spread(id.hashCode()) & mask;
        while (true) {
            int entry = table[slot];
            if (entry == 0 || ids[entry - 1].equals(id)) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    private static int spread(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private void rehash() {
        table = new int[table.length * 2];
        int mask = table.length - 1;
        for (int row = 0; row < size; row++) {
            int slot = spread(ids[row].hashCode()) & mask;
            while (table[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            table[slot] = row + 1;
        }
    }
}
