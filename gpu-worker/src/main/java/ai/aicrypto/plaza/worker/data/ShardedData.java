package ai.aicrypto.plaza.worker.data;

import java.io.IOException;
import java.util.List;

/**
 * Training data kept in shards that are loaded on demand: what every such source knows up front
 * (shard sizes, feature count, task, classes), and a cache of the most recently loaded shard, let go
 * before the next one is loaded so that at most one shard's memory is held at a time.
 */
public abstract class ShardedData implements TrainingData {

    private final int[] shardRows;
    private final int featureCount;
    private final Task task;
    private final List<String> classes;
    private final long rows;
    private int cachedIndex = -1;
    private Shard cached;

    protected ShardedData(int[] shardRows, int featureCount, Task task, List<String> classes) {
        this.shardRows = shardRows.clone();
        this.featureCount = featureCount;
        this.task = task;
        this.classes = List.copyOf(classes);
        long n = 0;
        for (int r : shardRows) n += r;
        this.rows = n;
    }

    /** Reads shard {@code index} from wherever it lives. */
    protected abstract Shard load(int index) throws IOException;

    @Override
    public final int featureCount() {
        return featureCount;
    }

    @Override
    public final Task task() {
        return task;
    }

    @Override
    public final List<String> classes() {
        return classes;
    }

    @Override
    public final long rows() {
        return rows;
    }

    @Override
    public final int shardCount() {
        return shardRows.length;
    }

    @Override
    public final int shardRows(int index) {
        return shardRows[index];
    }

    @Override
    public final synchronized Shard shard(int index) throws IOException {
        if (index != cachedIndex) {
            cached = null; // let the previous shard go before loading the next one
            Shard shard = load(index);
            if (shard.featureCount() != featureCount || shard.task() != task || shard.rows() != shardRows[index]) {
                throw new IOException("shard " + index + " disagrees with the others (features, task or rows)");
            }
            cached = shard;
            cachedIndex = index;
        }
        return cached;
    }
}
