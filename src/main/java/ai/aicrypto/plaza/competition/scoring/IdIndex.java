package ai.aicrypto.plaza.competition.scoring;

import java.util.Arrays;

/**
 * Ids to row indices, open addressing with linear probing. The ids' characters live back to back in one
 * {@code char[]}, and each table slot holds (hash, row) and (start, length) side by side, so a lookup of a
 * submission's id costs two cache misses (the slot, then the characters) where a {@code HashMap<String, Integer>}
 * costs four or five (bucket, node, key string, its bytes, boxed row): with a submission's rows in random order
 * those misses are most of the time spent scoring it. About a third of the memory of such a map, no boxing.
 * Read-only once built, so lookups may run on several threads.
 */
final class IdIndex {

    private char[] chars = new char[1024];
    private int charCount;
    private int[] starts; // row -> start of its id in chars; starts[size] = charCount
    private long[] table; // per slot: [hash << 32 | (row + 1), start << 32 | length]; 0 = empty
    private int size;

    IdIndex(int expected) {
        starts = new int[Math.max(16, expected) + 1];
        table = new long[2 * tableSize(expected)];
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
        int length = id.length();
        if (charCount + length > chars.length) {
            chars = Arrays.copyOf(chars, Math.max(charCount + length, chars.length + (chars.length >> 1)));
        }
        if (size + 1 == starts.length) {
            starts = Arrays.copyOf(starts, starts.length + (starts.length >> 1));
        }
        id.getChars(0, length, chars, charCount);
        starts[size] = charCount;
        table[slot] = (long) hash << 32 | ++size;
        table[slot + 1] = (long) charCount << 32 | length;
        charCount += length;
        starts[size] = charCount;
        if (size * 2 > table.length / 2) {
            rehash();
        }
        return -1;
    }

    /** The row of {@code id}, or -1. */
    int row(String id) {
        return (int) table[slot(id, id.hashCode())] - 1;
    }

    /**
     * The rows of {@code ids[0..count)} into {@code rows} (-1 for an unknown id), as {@link #row} would give them
     * in three passes: every id's first slot is read, then the first character the slot points to, then the ids
     * are compared. For ids in random order each of the first two passes is one cache miss per id, and the misses
     * of different ids overlap, where in one pass each id's second miss waits for its first (half the time for a
     * batch of a thousand ids, measured).
     */
    void rows(String[] ids, int count, int[] rows) {
        int mask = table.length - 1;
        int[] slots = new int[count];
        long[] entries = new long[count];
        for (int i = 0; i < count; i++) {
            int slot = (spread(ids[i].hashCode()) << 1) & mask;
            slots[i] = slot;
            entries[i] = table[slot];
        }
        char[] firstChars = new char[count];
        for (int i = 0; i < count; i++) {
            if (entries[i] != 0) {
                long where = table[slots[i] + 1];
                firstChars[i] = (int) where == 0 ? 0 : chars[(int) (where >>> 32)];
            }
        }
        for (int i = 0; i < count; i++) {
            String id = ids[i];
            if (entries[i] == 0) {
                rows[i] = -1;
            } else if (!id.isEmpty() && firstChars[i] != id.charAt(0) && table[(slots[i] + 2) & mask] == 0) {
                rows[i] = -1; // the first slot holds another id, and the next one is empty
            } else {
                rows[i] = (int) table[slot(id, id.hashCode(), slots[i])] - 1;
            }
        }
    }

    /** Whether row {@code row} has the id {@code id}, without building the row's id string. */
    boolean is(int row, String id) {
        int start = starts[row];
        return starts[row + 1] - start == id.length() && sameChars(id, start);
    }

    String id(int row) {
        return new String(chars, starts[row], starts[row + 1] - starts[row]);
    }

    int size() {
        return size;
    }

    /** The bytes its arrays take. */
    long bytes() {
        return 2L * chars.length + 4L * starts.length + 8L * table.length;
    }

    /** Drops unused capacity once all ids are in. */
    void trim() {
        chars = Arrays.copyOf(chars, charCount);
        starts = Arrays.copyOf(starts, size + 1);
    }

    /** The index in {@code table} of {@code id}'s slot, or of the empty slot where it would go. */
    private int slot(String id, int hash) {
        return slot(id, hash, (spread(hash) << 1) & (table.length - 1));
    }

    /** Like {@link #slot(String, int)}, probing from {@code slot}, the id's first slot. */
    private int slot(String id, int hash, int slot) {
        int mask = table.length - 1;
        while (true) {
            long entry = table[slot];
            if (entry == 0) {
                return slot;
            }
            if ((int) (entry >>> 32) == hash) {
                long where = table[slot + 1];
                if ((int) where == id.length() && sameChars(id, (int) (where >>> 32))) {
                    return slot;
                }
            }
            slot = (slot + 2) & mask;
        }
    }

    private boolean sameChars(String id, int start) {
        for (int i = 0, n = id.length(); i < n; i++) {
            if (chars[start + i] != id.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int spread(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private void rehash() {
        long[] old = table;
        table = new long[old.length * 2];
        int mask = table.length - 1;
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != 0) {
                int slot = (spread((int) (old[i] >>> 32)) << 1) & mask;
                while (table[slot] != 0) {
                    slot = (slot + 2) & mask;
                }
                table[slot] = old[i];
                table[slot + 1] = old[i + 1];
            }
        }
    }
}
