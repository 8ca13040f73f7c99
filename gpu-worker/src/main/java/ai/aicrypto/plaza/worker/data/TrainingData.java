package ai.aicrypto.plaza.worker.data;

import java.io.IOException;
import java.util.List;

/**
 * A dataset split into shards, read one shard at a time so that memory stays bounded by the largest shard
 * (plus one mini-batch). Shared by every training engine and the evaluator.
 */
public interface TrainingData {

    int featureCount();

    Task task();

    /** Class names (classification), empty for regression or when the shards do not list them. */
    List<String> classes();

    long rows();

    int shardCount();

    int shardRows(int index);

    /** Loads shard {@code index}; implementations may cache the most recent shard. */
    Shard shard(int index) throws IOException;
}
