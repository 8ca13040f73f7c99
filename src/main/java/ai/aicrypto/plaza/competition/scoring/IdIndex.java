package ai.aicrypto.plaza.competition.scoring;

import java.util.Arrays;

/**
 * Ids to row indices, open addressing with linear probing: a {@code long[]} table of (hash, row + 1) beside the id
 * strings, about half the memory of a {@code HashMap<String, Integer>}, no boxing, and a probe only reads an id
 * string when its full hash matches (one cache miss fewer per probe).
 */
final class IdIndex {

    private String[] ids;
    private long[] table; // hash << 32 | (row + 1); 0 = empty
    private int size;

    IdIndex(int expected) {
        ids = new String[Math.max(16, expected)];
        table = new long[tableSize(expected)];
    }

    private static int tableSize(int entries) {
        return Integer.highestOneBit(Math.max(16, entries) * 2 - 1) * 2;
    }

    /** Adds {@code id} as the next row and returns -1, or returns the row it already has. */
    int add(String id) {
        int hash = id.hashCode();
        int slot = slot(id, hash);
        if (table[slot] != 0) {
            return (int) table[slot] - 1;
        }
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size + (size >> 1));
        }
        ids[size] = id;
        table[slot] = (long) hash << 32 | ++size;
        if (size * 2 > table.length) {
            rehash();
        }
        return -1;
    }

    /** The row of {@code id}, or -1. */
    int row(String id) {
        return (int) table[slot(id, id.hashCode())] - 1;
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

    private int slot(String id, int hash) {
        int mask = table.length - 1;
        int slot = spread(hash) & mask;
        while (true) {
            long entry = table[slot];
            if (entry == 0 || (int) (entry >>> 32) == hash && ids[(int) entry - 1].equals(id)) {
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
        table = new long[table.length * 2];
        int mask = table.length - 1;
        for (int row = 0; row < size; row++) {
            int hash = ids[row].hashCode();
            int slot = spread(hash) & mask;
            while (table[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            table[slot] = (long) hash << 32 | (row + 1);
        }
    }
}
