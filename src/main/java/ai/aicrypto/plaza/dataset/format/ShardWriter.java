package ai.aicrypto.plaza.dataset.format;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Spreads a known number of rows over {@code shard-00000.safetensors}, {@code shard-00001.safetensors}, ... so
 * that no shard exceeds the byte limit (a single row larger than the limit still gets a shard of its own).
 */
final class ShardWriter implements Closeable {

    private final Path outDir;
    private final int featureCount;
    private final boolean regression;
    private final Map<String, String> metadata;
    private final long rowsPerShard;
    private final List<Shard> shards = new ArrayList<>();
    private long remaining;
    private SafetensorsFile current;

    ShardWriter(Path outDir, long totalRows, int featureCount, boolean regression, Map<String, String> metadata,
                long maxShardBytes) throws IOException {
        this.outDir = Files.createDirectories(outDir);
        this.featureCount = featureCount;
        this.regression = regression;
        this.metadata = new TreeMap<>(metadata); // sorted: identical input gives identical bytes
        this.remaining = totalRows;
        // the header for all rows is at least as long as the header of any shard (same keys, more digits)
        long headerBytes = Long.BYTES + SafetensorsFile.header(totalRows, featureCount, regression, metadata).length;
        long perRow = SafetensorsFile.bytesPerRow(featureCount, regression);
        this.rowsPerShard = Math.max(1, (maxShardBytes - headerBytes) / perRow);
    }

    void write(float[] features, long classIndex) throws IOException {
        next().writeFeatures(features);
        current.writeLabel(classIndex);
    }

    void writeTarget(float[] features, float target) throws IOException {
        next().writeFeatures(features);
        current.writeTarget(target);
    }

    private SafetensorsFile next() throws IOException {
        if (current != null && current.full()) {
            shards.add(current.finish());
            current = null;
        }
        if (current == null) {
            if (remaining == 0) {
                throw new IllegalStateException("more rows than the profile counted; did the file change?");
            }
            long rows = Math.min(rowsPerShard, remaining);
            remaining -= rows;
            Path file = outDir.resolve(String.format("shard-%05d.safetensors", shards.size()));
            current = new SafetensorsFile(file, rows, featureCount, regression, metadata);
        }
        return current;
    }

    List<Shard> finish() throws IOException {
        if (current != null) {
            shards.add(current.finish());
            current = null;
        }
        if (remaining != 0) {
            throw new IllegalStateException("fewer rows than the profile counted; did the file change?");
        }
        return List.copyOf(shards);
    }

    @Override
    public void close() throws IOException {
        if (current != null) {
            current.close();
        }
    }
}
