package ai.aicrypto.plaza.worker.data;

import java.util.List;

/** Training data held in memory (tests, benchmarks, small hold-out sets). */
public final class InMemoryData implements TrainingData {

    private final List<Shard> shards;
    private final List<String> classes;
    private final long rows;

    public InMemoryData(List<Shard> shards, List<String> classes) {
        if (shards.isEmpty()) throw new IllegalArgumentException("no shards");
        Shard first = shards.get(0);
        long n = 0;
        for (Shard s : shards) {
            if (s.featureCount() != first.featureCount() || s.task() != first.task()) {
                throw new IllegalArgumentException("shards disagree on feature count or task");
            }
            n += s.rows();
        }
        this.shards = List.copyOf(shards);
        this.classes = List.copyOf(classes);
        this.rows = n;
    }

    public static InMemoryData of(Shard shard, List<String> classes) {
        return new InMemoryData(List.of(shard), classes);
    }

    @Override
    public int featureCount() {
        return shards.get(0).featureCount();
    }

    @Override
    public Task task() {
        return shards.get(0).task();
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public long rows() {
        return rows;
    }

    @Override
    public int shardCount() {
        return shards.size();
    }

    @Override
    public int shardRows(int index) {
        return shards.get(index).rows();
    }

    @Override
    public Shard shard(int index) {
        return shards.get(index);
    }
}
