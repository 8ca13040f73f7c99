package ai.aicrypto.plaza.worker.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes shards in the app's layout ({@code shard-00000.safetensors}, ...). The app produces the real shards;
 * the worker uses this for tests and benchmarks.
 */
public final class ShardWriter {

    private ShardWriter() {
    }

    /** Splits {@code data} into shards of at most {@code rowsPerShard} rows under {@code dir}. */
    public static List<Path> write(Path dir, Shard data, int rowsPerShard, List<String> classes, String sourceFormat) throws IOException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        for (int from = 0, i = 0; from < data.rows(); from += rowsPerShard, i++) {
            int to = Math.min(data.rows(), from + rowsPerShard);
            Shard s = data.slice(from, to);
            Path file = dir.resolve(String.format("shard-%05d.safetensors", i));
            writeShard(file, s, classes, sourceFormat);
            out.add(file);
        }
        return out;
    }

    public static void writeShard(Path file, Shard s, List<String> classes, String sourceFormat) throws IOException {
        List<Safetensors.Out> tensors = new ArrayList<>();
        tensors.add(Safetensors.Out.f32("features", s.features(), s.rows(), s.featureCount()));
        if (s.labels() != null) {
            long[] l = new long[s.rows()];
            for (int i = 0; i < l.length; i++) l[i] = s.labels()[i];
            tensors.add(Safetensors.Out.i64("labels", l, s.rows()));
        } else {
            tensors.add(Safetensors.Out.f32("targets", s.targets(), s.rows()));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "aiplaza-dataset-v1");
        meta.put("source_format", sourceFormat);
        meta.put("task", s.task().jsonName());
        meta.put("label_column", "label");
        meta.put("classes", Safetensors.JSON.writeValueAsString(classes));
        Safetensors.write(file, tensors, meta);
    }
}
