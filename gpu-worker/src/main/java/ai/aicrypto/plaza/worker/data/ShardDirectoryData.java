package ai.aicrypto.plaza.worker.data;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The app's preprocessed dataset: a directory of {@code shard-NNNNN.safetensors} files with {@code features}
 * F32 [rows, featureCount] and {@code labels} I64 [rows] or {@code targets} F32 [rows]. Only the headers are
 * read when opening; shard data is loaded on demand and only the most recently loaded shard is kept.
 */
public final class ShardDirectoryData extends ShardedData {

    private final List<Path> files;

    private ShardDirectoryData(List<Path> files, int[] shardRows, int featureCount, Task task, List<String> classes) {
        super(shardRows, featureCount, task, classes);
        this.files = files;
    }

    /** Opens a directory of shards (or a single shard file). */
    public static ShardDirectoryData open(Path dirOrFile) throws IOException {
        List<Path> files;
        if (Files.isDirectory(dirOrFile)) {
            try (Stream<Path> s = Files.list(dirOrFile)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            }
        } else {
            files = List.of(dirOrFile);
        }
        if (files.isEmpty()) throw new IOException("no .safetensors shards in " + dirOrFile);
        int[] shardRows = new int[files.size()];
        int featureCount = -1;
        Task task = null;
        List<String> classes = List.of();
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            Safetensors.Header h = Safetensors.readHeader(f);
            Safetensors.Entry features = h.require("features");
            if (!features.dtype().equals("F32") || features.shape().length != 2) {
                throw new IOException(f + ": features must be F32 [rows, featureCount]");
            }
            Safetensors.Entry label = h.tensors().get("labels");
            Task t = Task.CLASSIFICATION;
            if (label == null) {
                label = h.require("targets");
                t = Task.REGRESSION;
            }
            String expected = t == Task.CLASSIFICATION ? "I64" : "F32";
            if (!label.dtype().equals(expected) || label.shape().length != 1 || label.shape()[0] != features.shape()[0]) {
                throw new IOException(f + ": " + label.name() + " must be " + expected + " [rows]");
            }
            if (features.shape()[0] > Integer.MAX_VALUE || features.shape()[1] > Integer.MAX_VALUE) {
                throw new IOException(f + ": shard too large");
            }
            int fc = (int) features.shape()[1];
            if (i == 0) {
                featureCount = fc;
                task = t;
                String cls = h.metadata().get("classes");
                if (cls != null && !cls.isBlank()) {
                    JsonNode arr = Safetensors.JSON.readTree(cls);
                    List<String> names = new ArrayList<>();
                    arr.forEach(n -> names.add(n.asText()));
                    classes = List.copyOf(names);
                }
            } else if (fc != featureCount || t != task) {
                throw new IOException(f + ": shard disagrees with " + files.get(0).getFileName() + " on feature count or task");
            }
            shardRows[i] = (int) features.shape()[0];
        }
        return new ShardDirectoryData(List.copyOf(files), shardRows, featureCount, task, classes);
    }

    /** Reads one shard file completely. */
    public static Shard readShard(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readShard(ch, file);
        }
    }

    /** Reads one shard completely from a channel (a file, or decrypted bytes in memory); {@code source} names it in errors. */
    public static Shard readShard(java.nio.channels.SeekableByteChannel ch, Object source) throws IOException {
        Safetensors.Header h = Safetensors.readHeader(ch, source);
        Safetensors.Entry fe = h.require("features");
        int rows = (int) fe.shape()[0];
        int fc = (int) fe.shape()[1];
        float[] features = Safetensors.readF32(ch, fe);
        Safetensors.Entry le = h.tensors().get("labels");
        if (le != null) return new Shard(rows, fc, features, Safetensors.readI64AsInt(ch, le), null);
        return new Shard(rows, fc, features, null, Safetensors.readF32(ch, h.require("targets")));
    }

    public List<Path> files() {
        return files;
    }

    @Override
    protected Shard load(int index) throws IOException {
        return readShard(files.get(index));
    }
}
