package ai.aicrypto.plaza.competition.scoring;

import java.util.Arrays;

/**
 * The ids of a run of submission rows, in the order read: their characters back to back in one {@code char[]} and
 * each id's {@linkplain IdIndex#key key}, so that an {@link IdIndex} can look them up together
 * ({@link IdIndex#rows}) without holding a {@code String} per row.
 */
final class IdBatch {

    private char[] chars;
    private int[] starts; // id -> start of its characters; starts[size] = charCount
    private int[] keys;
    private int charCount;
    private int size;

    IdBatch(int expectedIds, int expectedChars) {
        chars = new char[Math.max(16, expectedChars)];
        starts = new int[Math.max(16, expectedIds) + 1];
        keys = new int[Math.max(16, expectedIds)];
    }

    /** Makes room for {@code ids} ids of {@code chars} characters in all, keeping none of those added. */
    void reserve(int ids, int chars) {
        if (keys.length < ids) {
            keys = new int[ids];
            starts = new int[ids + 1];
        }
        if (this.chars.length < chars) {
            this.chars = new char[chars];
        }
        clear();
    }

    void clear() {
        size = 0;
        charCount = 0;
    }

    /** Appends {@code id}. */
    void add(String id) {
        int length = id.length();
        if (charCount + length > chars.length) {
            chars = Arrays.copyOf(chars, Math.max(charCount + length, chars.length * 2));
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            starts = Arrays.copyOf(starts, size * 2 + 1);
        }
        id.getChars(0, length, chars, charCount);
        keys[size] = IdIndex.key(id);
        starts[size++] = charCount;
        charCount += length;
        starts[size] = charCount;
    }

    int size() {
        return size;
    }

    /** The characters of all ids so far. */
    int charCount() {
        return charCount;
    }

    String id(int i) {
        return new String(chars, starts[i], length(i));
    }

    int key(int i) {
        return keys[i];
    }

    int start(int i) {
        return starts[i];
    }

    int length(int i) {
        return starts[i + 1] - starts[i];
    }

    char[] chars() {
        return chars;
    }
}
