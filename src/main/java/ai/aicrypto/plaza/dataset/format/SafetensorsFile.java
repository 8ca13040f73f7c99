package ai.aicrypto.plaza.dataset.format;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/**
 * Writes one safetensors file with a {@code features} F32 [rows, featureCount] tensor followed by either
 * {@code labels} I64 [rows] (classification) or {@code targets} F32 [rows] (regression). The row count is fixed
 * up front, so the header is written first and both tensors are streamed to their own regions of the file.
 */
final class SafetensorsFile implements Closeable {

    static final String FEATURES = "features";
    static final String LABELS = "labels";
    static final String TARGETS = "targets";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int BUFFER = 1 << 16;

    private final Path path;
    private final long rows;
    private final int featureCount;
    private final FileChannel channel;
    private final Region features;
    private final Region labels;
    private long written;

    SafetensorsFile(Path path, long rows, int featureCount, boolean regression, Map<String, String> metadata)
            throws IOException {
        this.path = path;
        this.rows = rows;
        this.featureCount = featureCount;
        byte[] header = header(rows, featureCount, regression, metadata);
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        ByteBuffer prefix = ByteBuffer.allocate(Long.BYTES + header.length).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(header.length).put(header).flip();
        channel.write(prefix, 0);
        long dataStart = prefix.capacity();
        this.features = new Region(dataStart);
        this.labels = new Region(dataStart + featureBytes(rows, featureCount));
    }

    /** The JSON header padded with spaces to a multiple of 8 bytes, as the format recommends. */
    static byte[] header(long rows, int featureCount, boolean regression, Map<String, String> metadata) {
        long featureEnd = featureBytes(rows, featureCount);
        long labelEnd = featureEnd + rows * (regression ? Float.BYTES : Long.BYTES);
        Map<String, Object> header = new LinkedHashMap<>();
        header.put(FEATURES, tensor("F32", List.of(rows, (long) featureCount), 0, featureEnd));
        header.put(regression ? TARGETS : LABELS,
                tensor(regression ? "F32" : "I64", List.of(rows), featureEnd, labelEnd));
        header.put("__metadata__", metadata);
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    static long bytesPerRow(int featureCount, boolean regression) {
        return (long) featureCount * Float.BYTES + (regression ? Float.BYTES : Long.BYTES);
    }

    private static long featureBytes(long rows, int featureCount) {
        return rows * featureCount * Float.BYTES;
    }

    private static Map<String, Object> tensor(String dtype, List<Long> shape, long begin, long end) {
        Map<String, Object> tensor = new LinkedHashMap<>();
        tensor.put("dtype", dtype);
        tensor.put("shape", shape);
        tensor.put("data_offsets", List.of(begin, end));
        return tensor;
    }

    void writeFeatures(float[] values) throws IOException {
        for (float value : values) {
            features.ensure(Float.BYTES).putFloat(value);
        }
    }

    void writeLabel(long classIndex) throws IOException {
        labels.ensure(Long.BYTES).putLong(classIndex);
        written++;
    }

    void writeTarget(float target) throws IOException {
        labels.ensure(Float.BYTES).putFloat(target);
        written++;
    }

    boolean full() {
        return written == rows;
    }

    Shard finish() throws IOException {
        features.flush();
        labels.flush();
        if (written != rows || features.position != labels.start) {
            throw new IllegalStateException("shard " + path + " expected " + rows + " rows of " + featureCount
                    + " features, got " + written + " rows");
        }
        long size = channel.size();
        channel.close();
        return new Shard(path, rows, size);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** A buffered writer for one contiguous byte range of the file. */
    private final class Region {
        private final long start;
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
        private long position;

        Region(long start) {
            this.start = start;
            this.position = start;
        }

        ByteBuffer ensure(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                flush();
            }
            return buffer;
        }

        void flush() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
            buffer.clear();
        }
    }
}
