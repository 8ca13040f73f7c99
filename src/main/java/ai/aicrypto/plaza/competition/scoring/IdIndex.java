package ai.aicrypto.plaza.competition.scoring;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * A solution's ids and their rows. The ids' characters live back to back in one {@code char[]} in row order (for
 * {@link #id} and {@link #is}, the sequential path of a submission in the test set's order). While the solution is
 * read, ids are {@linkplain #add added} to an open-addressing table that finds duplicates; {@link #seal} then lays
 * them out a second time ordered by the high bits of their {@linkplain #key key} (a directory of about one bucket per
 * id, then each entry's key, row and characters side by side, in bucket order) and drops the table.
 *
 * <p>That order is what makes {@link #rows} a radix-partitioned join: a shuffled submission's ids, partitioned by the
 * same high bits, meet their candidates one cache-sized stretch of this layout at a time, where looking each up in
 * the order read costs a few cache and TLB misses per id (three times the parse of the file, measured). Read-only
 * once sealed, so lookups may run on several threads.
 */
final class IdIndex {

    /**
     * Solution entries per partition of a join: the keys, rows and characters of this many ids (a few hundred
     * kilobytes) fit a core's L2 cache, and the partitions of a million ids are few enough (128) for the partitioning
     * pass to write to without thrashing the TLB (measured: 66 ns an id against 75 with 2,048 partitions).
     */
    private static final int ENTRIES_PER_PARTITION = 1 << 13;

    /** Ids of a join from which its partitions are joined on several threads (below, starting them costs more). */
    private static final int PARALLEL_FROM = 1 << 16;

    private char[] chars = new char[1024];
    private int charCount;
    private int[] starts; // row -> start of its id in chars; starts[size] = charCount
    private int size;

    /** While adding: per slot [key << 32 | (row + 1), start << 32 | length]; 0 = empty. Null once sealed. */
    private long[] table;

    // Once sealed, entry e (0 <= e < size) is the id with key keys[e], row rows[e], characters
    // keyedChars[keyedStarts[e] .. keyedStarts[e + 1]); the entries of bucket b = key >>> bucketShift are
    // bucketStarts[b] .. bucketStarts[b + 1].
    private int bucketShift;
    private int[] bucketStarts;
    private int[] keys;
    private int[] rows;
    private int[] keyedStarts;
    private char[] keyedChars;
    private Slice whole; // the sealed layout, for single lookups

    IdIndex(int expected) {
        starts = new int[Math.max(16, expected) + 1];
        table = new long[2 * tableSize(expected)];
    }

    private static int tableSize(int entries) {
        return Integer.highestOneBit(Math.max(16, entries) * 2 - 1) * 2;
    }

    /**
     * The key of an id: its {@link String#hashCode}, mixed so that its high bits (the bucket and partition) depend
     * on all of its bits. A bijection, so equal keys mean equal hash codes.
     */
    static int key(String id) {
        int h = id.hashCode() * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /** Adds {@code id} as the next row and returns -1, or returns the row it already has. Only before {@link #seal}. */
    int add(String id) {
        int key = key(id);
        int slot = slot(id, key);
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
        table[slot] = (long) key << 32 | ++size;
        table[slot + 1] = (long) charCount << 32 | length;
        charCount += length;
        starts[size] = charCount;
        if (size * 2 > table.length / 2) {
            rehash();
        }
        return -1;
    }

    /**
     * Once all ids are in: drops unused capacity and the table, and lays the ids out by key (a counting sort on the
     * bucket bits). After this, ids are looked up, never added.
     */
    void seal() {
        chars = Arrays.copyOf(chars, charCount);
        starts = Arrays.copyOf(starts, size + 1);
        int bucketBits = size <= 2 ? 1 : 32 - Integer.numberOfLeadingZeros(size - 1);
        bucketShift = 32 - bucketBits;
        bucketStarts = new int[(1 << bucketBits) + 1];
        keys = new int[size];
        rows = new int[size];
        for (int slot = 0; slot < table.length; slot += 2) {
            if (table[slot] != 0) {
                bucketStarts[((int) (table[slot] >>> 32) >>> bucketShift) + 1]++;
            }
        }
        for (int b = 1; b < bucketStarts.length; b++) {
            bucketStarts[b] += bucketStarts[b - 1];
        }
        int[] next = Arrays.copyOf(bucketStarts, bucketStarts.length - 1);
        for (int slot = 0; slot < table.length; slot += 2) {
            if (table[slot] != 0) {
                int key = (int) (table[slot] >>> 32);
                int e = next[key >>> bucketShift]++;
                keys[e] = key;
                rows[e] = (int) table[slot] - 1;
            }
        }
        table = null;
        keyedChars = new char[charCount];
        keyedStarts = new int[size + 1];
        for (int e = 0, at = 0; e < size; e++) {
            int row = rows[e];
            int length = starts[row + 1] - starts[row];
            System.arraycopy(chars, starts[row], keyedChars, at, length);
            keyedStarts[e] = at;
            at += length;
        }
        keyedStarts[size] = charCount;
        whole = Slice.whole(this);
    }

    /** The row of {@code id}, or -1. */
    int row(String id) {
        char[] chars = id.toCharArray();
        return whole.find(key(id), chars, 0, chars.length);
    }

    /** The row of id {@code i} of {@code batch}, or -1. */
    int row(IdBatch batch, int i) {
        return whole.find(batch.key(i), batch.chars(), batch.start(i), batch.length(i));
    }

    /**
     * The rows of the ids {@code which[0..count)} of {@code batch}, into {@code rows} at the same index (-1 for an id
     * not in the test set), as {@link #row} would give them: a radix-partitioned hash join. The ids are partitioned
     * by the high bits of their keys (keys and batch index into one array, their characters, each led by its length,
     * into another), so that each partition meets the stretch of the sealed layout with the same high bits, copied
     * out in one sequential read and then in cache while the candidates of every id of the partition are compared.
     * Only the final store of each row is at random, and stores do not wait.
     */
    void rows(IdBatch batch, int[] which, int count, int[] rows) {
        int partitionBits = Math.max(0, 32 - bucketShift - Integer.numberOfTrailingZeros(ENTRIES_PER_PARTITION));
        int partitionShift = 32 - partitionBits;
        int partitions = 1 << partitionBits;
        int[] counts = new int[partitions + 1];
        int[] charCounts = new int[partitions + 1];
        for (int k = 0; k < count; k++) {
            int i = which[k];
            int p = partition(batch.key(i), partitionShift);
            counts[p + 1]++;
            charCounts[p + 1] += 2 + batch.length(i);
        }
        for (int p = 1; p <= partitions; p++) {
            counts[p] += counts[p - 1];
            charCounts[p] += charCounts[p - 1];
        }
        int[] keyStarts = counts.clone(), charStarts = charCounts.clone(); // each partition's start, as counts move on
        long[] keyed = new long[count]; // key << 32 | batch index
        char[] keyedIds = new char[charCounts[partitions]]; // per id: its length (two chars), then its characters
        char[] source = batch.chars();
        for (int k = 0; k < count; k++) {
            int i = which[k];
            int key = batch.key(i);
            int p = partition(key, partitionShift);
            keyed[counts[p]++] = (long) key << 32 | i;
            int at = charCounts[p];
            int length = batch.length(i);
            keyedIds[at] = (char) (length >>> 16);
            keyedIds[at + 1] = (char) length;
            System.arraycopy(source, batch.start(i), keyedIds, at + 2, length);
            charCounts[p] = at + 2 + length;
        }
        // Partitions are independent (each writes the rows of its own ids): a large join takes them on every core.
        int tasks = count < PARALLEL_FROM ? 1 : Math.min(partitions, ForkJoinPool.getCommonPoolParallelism() + 1);
        IntStream.range(0, tasks).parallel().forEach(t -> join(partitions * t / tasks, partitions * (t + 1) / tasks,
                1 << (32 - bucketShift - partitionBits), keyStarts, charStarts, keyed, keyedIds, rows));
    }

    /**
     * Partitions {@code from} (inclusive) to {@code to} (exclusive) of a {@link #rows} join. Each partition's stretch of
     * the layout is copied out first: read in order, it streams into the cache, where the partition's ids then find
     * their candidates at random.
     */
    private void join(int from, int to, int bucketsPerPartition, int[] keyStarts, int[] charStarts, long[] keyed,
                      char[] keyedIds, int[] rows) {
        Slice slice = new Slice();
        for (int p = from; p < to; p++) {
            slice.copy(this, p * bucketsPerPartition, (p + 1) * bucketsPerPartition);
            int at = charStarts[p];
            for (int k = keyStarts[p], end = keyStarts[p + 1]; k < end; k++) {
                int length = keyedIds[at] << 16 | keyedIds[at + 1];
                rows[(int) keyed[k]] = slice.find((int) (keyed[k] >>> 32), keyedIds, at + 2, length);
                at += 2 + length;
            }
        }
    }

    private static int partition(int key, int partitionShift) {
        return partitionShift == 32 ? 0 : key >>> partitionShift;
    }

    /**
     * Buckets {@code firstBucket ..} of the sealed layout: their entries' keys, rows and characters, either the
     * layout's own arrays ({@link #whole}) or copies of a stretch of them, with the offsets of the copies.
     */
    private static final class Slice {
        int bucketShift;
        int firstBucket;
        int firstEntry;
        int firstChar;
        int[] bucketStarts = new int[0];
        int[] keys = new int[0];
        int[] rows = new int[0];
        int[] keyedStarts = new int[0];
        char[] keyedChars = new char[0];

        /** The whole layout of {@code index}, not copied. */
        static Slice whole(IdIndex index) {
            Slice all = new Slice();
            all.bucketShift = index.bucketShift;
            all.bucketStarts = index.bucketStarts;
            all.keys = index.keys;
            all.rows = index.rows;
            all.keyedStarts = index.keyedStarts;
            all.keyedChars = index.keyedChars;
            return all;
        }

        /** Copies buckets {@code from} (inclusive) to {@code to} (exclusive) of {@code index}. */
        void copy(IdIndex index, int from, int to) {
            bucketShift = index.bucketShift;
            firstBucket = from;
            firstEntry = index.bucketStarts[from];
            int entries = index.bucketStarts[to] - firstEntry;
            firstChar = index.keyedStarts[firstEntry];
            int chars = index.keyedStarts[firstEntry + entries] - firstChar;
            bucketStarts = copy(index.bucketStarts, from, to - from + 1, bucketStarts);
            keys = copy(index.keys, firstEntry, entries, keys);
            rows = copy(index.rows, firstEntry, entries, rows);
            keyedStarts = copy(index.keyedStarts, firstEntry, entries + 1, keyedStarts);
            if (keyedChars.length < chars) {
                keyedChars = new char[Math.max(chars, 2 * keyedChars.length)];
            }
            System.arraycopy(index.keyedChars, firstChar, keyedChars, 0, chars);
        }

        private static int[] copy(int[] source, int from, int length, int[] target) {
            int[] into = target.length >= length ? target : new int[Math.max(length, 2 * target.length)];
            System.arraycopy(source, from, into, 0, length);
            return into;
        }

        /** The row of the id {@code id[from .. from + length)} with key {@code key}, or -1. */
        int find(int key, char[] id, int from, int length) {
            int bucket = (key >>> bucketShift) - firstBucket;
            for (int e = bucketStarts[bucket] - firstEntry, end = bucketStarts[bucket + 1] - firstEntry; e < end; e++) {
                int start = keyedStarts[e] - firstChar;
                if (keys[e] == key && keyedStarts[e + 1] - firstChar - start == length
                        && Arrays.equals(keyedChars, start, start + length, id, from, from + length)) {
                    return rows[e];
                }
            }
            return -1;
        }
    }

    /** Whether row {@code row} has the id {@code id}, without building the row's id string. */
    boolean is(int row, String id) {
        int start = starts[row];
        return starts[row + 1] - start == id.length() && sameChars(id, chars, start);
    }

    /** Whether row {@code row} has id {@code i} of {@code batch}. */
    boolean is(int row, IdBatch batch, int i) {
        int start = starts[row];
        int length = starts[row + 1] - start;
        int from = batch.start(i);
        return length == batch.length(i)
                && Arrays.equals(chars, start, start + length, batch.chars(), from, from + length);
    }

    String id(int row) {
        return new String(chars, starts[row], starts[row + 1] - starts[row]);
    }

    int size() {
        return size;
    }

    /** The total length of the ids. */
    int charCount() {
        return charCount;
    }

    /** The bytes its arrays take. */
    long bytes() {
        long sealed = keys == null ? 0
                : 4L * (bucketStarts.length + keys.length + rows.length + keyedStarts.length) + 2L * keyedChars.length;
        return 2L * chars.length + 4L * starts.length + (table == null ? 0 : 8L * table.length) + sealed;
    }

    /** The index in {@code table} of {@code id}'s slot, or of the empty slot where it would go. */
    private int slot(String id, int key) {
        int mask = table.length - 1;
        int slot = (key << 1) & mask;
        while (true) {
            long entry = table[slot];
            if (entry == 0) {
                return slot;
            }
            if ((int) (entry >>> 32) == key) {
                long where = table[slot + 1];
                if ((int) where == id.length() && sameChars(id, chars, (int) (where >>> 32))) {
                    return slot;
                }
            }
            slot = (slot + 2) & mask;
        }
    }

    private static boolean sameChars(String id, char[] in, int start) {
        for (int i = 0, n = id.length(); i < n; i++) {
            if (in[start + i] != id.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void rehash() {
        long[] old = table;
        table = new long[old.length * 2];
        int mask = table.length - 1;
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != 0) {
                int slot = ((int) (old[i] >>> 32) << 1) & mask;
                while (table[slot] != 0) {
                    slot = (slot + 2) & mask;
                }
                table[slot] = old[i];
                table[slot + 1] = old[i + 1];
            }
        }
    }
}
