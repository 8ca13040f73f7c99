package ai.aicrypto.plaza.compute.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Rows of a dataset shard in memory, in the layout of {@code dataset.format}: {@code features} F32
 * [rows, featureCount], then {@code labels} I64 [rows] (classification) or {@code targets} F32
 * [rows] (regression), and the string {@code __metadata__} (class names among it). Reads the
 * shards the dataset module wrote (authenticated by their decryption) and writes the training and
 * validation splits in the same layout, which the worker reads.
 */
record ShardTensors(int rows, int featureCount, float[] features, long[] labels, float[] targets,
                    Map<String, String> metadata) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    boolean regression() {
        return targets != null;
    }

    /** The bytes its arrays take. */
    long bytes() {
        return 4L * features.length + (labels == null ? 0 : 8L * labels.length) + (targets == null ? 0 : 4L * targets.length);
    }

    static ShardTensors parse(byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = buf.getLong(0);
        if (headerLength < 2 || headerLength > bytes.length - 8) {
            throw new IOException("not a safetensors shard");
        }
        JsonNode header = JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
        int dataStart = 8 + (int) headerLength;
        JsonNode features = header.required("features");
        int rows = features.get("shape").get(0).asInt();
        int featureCount = features.get("shape").get(1).asInt();
        float[] f = floats(buf, dataStart + features.get("data_offsets").get(0).asInt(), rows * featureCount);
        Map<String, String> metadata = new LinkedHashMap<>();
        header.path("__metadata__").properties().forEach(e -> metadata.put(e.getKey(), e.getValue().asString()));
        JsonNode labels = header.get("labels");
        if (labels != null) {
            long[] l = new long[rows];
            buf.position(dataStart + labels.get("data_offsets").get(0).asInt());
            buf.asLongBuffer().get(l);
            return new ShardTensors(rows, featureCount, f, l, null, metadata);
        }
        JsonNode targets = header.required("targets");
        return new ShardTensors(rows, featureCount, f, null,
                floats(buf, dataStart + targets.get("data_offsets").get(0).asInt(), rows), metadata);
    }

    private static float[] floats(ByteBuffer buf, int offset, int count) {
        float[] out = new float[count];
        buf.position(offset);
        buf.asFloatBuffer().get(out);
        return out;
    }

    /** Class names from the metadata; empty for regression. */
    List<String> classes() {
        String classes = metadata.get("classes");
        return classes == null ? List.of() : JSON.readValue(classes, new TypeReference<List<String>>() {
        });
    }

    /** The rows whose index {@code keep} marks, as a new shard with the same metadata. */
    ShardTensors select(boolean[] keep) {
        int n = 0;
        for (boolean k : keep) {
            n += k ? 1 : 0;
        }
        float[] f = new float[n * featureCount];
        long[] l = labels == null ? null : new long[n];
        float[] t = targets == null ? null : new float[n];
        int out = 0;
        for (int row = 0; row < rows; row++) {
            if (keep[row]) {
                System.arraycopy(features, row * featureCount, f, out * featureCount, featureCount);
                if (l != null) l[out] = labels[row];
                if (t != null) t[out] = targets[row];
                out++;
            }
        }
        return new ShardTensors(n, featureCount, f, l, t, metadata);
    }

    /** This shard followed by {@code next}'s rows. */
    ShardTensors append(ShardTensors next) {
        float[] f = Arrays.copyOf(features, features.length + next.features.length);
        System.arraycopy(next.features, 0, f, features.length, next.features.length);
        long[] l = null;
        float[] t = null;
        if (labels != null) {
            l = Arrays.copyOf(labels, rows + next.rows);
            System.arraycopy(next.labels, 0, l, rows, next.rows);
        } else {
            t = Arrays.copyOf(targets, rows + next.rows);
            System.arraycopy(next.targets, 0, t, rows, next.rows);
        }
        return new ShardTensors(rows + next.rows, featureCount, f, l, t, metadata);
    }

    byte[] toBytes() {
        long featureEnd = (long) rows * featureCount * Float.BYTES;
        long labelEnd = featureEnd + (long) rows * (labels != null ? Long.BYTES : Float.BYTES);
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("features", Map.of("dtype", "F32", "shape", List.of(rows, featureCount), "data_offsets", List.of(0, featureEnd)));
        header.put(labels != null ? "labels" : "targets", Map.of("dtype", labels != null ? "I64" : "F32",
                "shape", List.of(rows), "data_offsets", List.of(featureEnd, labelEnd)));
        header.put("__metadata__", metadata);
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded + labelEnd)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        out.asFloatBuffer().put(features);
        out.position(out.position() + features.length * Float.BYTES);
        if (labels != null) {
            out.asLongBuffer().put(labels);
        } else {
            out.asFloatBuffer().put(targets);
        }
        return out.array();
    }
}
