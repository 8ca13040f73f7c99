package ai.aicrypto.plaza.compute.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

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
        Header header = Header.parse(bytes, 8, (int) headerLength);
        int dataStart = 8 + (int) headerLength;
        int rows = header.rows();
        float[] f = floats(buf, dataStart + header.featuresAt(), rows * header.featureCount());
        if (!header.regression()) {
            long[] l = new long[rows];
            buf.position(dataStart + header.labelsAt());
            buf.asLongBuffer().get(l);
            return new ShardTensors(rows, header.featureCount(), f, l, null, header.metadata());
        }
        return new ShardTensors(rows, header.featureCount(), f, null, floats(buf, dataStart + header.labelsAt(), rows),
                header.metadata());
    }

    /**
     * A shard to be read from {@code in} a buffer at a time rather than whole (review M12): its header is read now, its
     * rows by {@link Splitter#writeTraining}. {@code heldOut} marks rows by their index in this shard.
     */
    static Splitter splitter(InputStream in, IntPredicate heldOut) throws IOException {
        byte[] prefix = in.readNBytes(Long.BYTES);
        long headerLength = prefix.length == Long.BYTES ? ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong() : -1;
        if (headerLength < 2 || headerLength > Integer.MAX_VALUE) {
            throw new IOException("not a safetensors shard");
        }
        byte[] json = in.readNBytes((int) headerLength); // read as it arrives: a false length takes no more than the stream
        if (json.length != headerLength) {
            throw new IOException("not a safetensors shard");
        }
        return new Splitter(in, Header.parse(json, 0, json.length), heldOut);
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
        byte[] header = new Header(rows, featureCount, regression(), metadata, 0, 0).toBytes();
        long labelEnd = (long) rows * featureCount * Float.BYTES + (long) rows * (labels != null ? Long.BYTES : Float.BYTES);
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(header.length + labelEnd)).order(ByteOrder.LITTLE_ENDIAN);
        out.put(header);
        out.asFloatBuffer().put(features);
        out.position(out.position() + features.length * Float.BYTES);
        if (labels != null) {
            out.asLongBuffer().put(labels);
        } else {
            out.asFloatBuffer().put(targets);
        }
        return out.array();
    }

    /** A shard's header: its shape, task and metadata, and where its two tensors start in the data after it. */
    private record Header(int rows, int featureCount, boolean regression, Map<String, String> metadata, int featuresAt,
                          int labelsAt) {

        static Header parse(byte[] bytes, int offset, int length) {
            JsonNode header = JSON.readTree(new String(bytes, offset, length, StandardCharsets.UTF_8));
            JsonNode features = header.required("features");
            Map<String, String> metadata = new LinkedHashMap<>();
            header.path("__metadata__").properties().forEach(e -> metadata.put(e.getKey(), e.getValue().asString()));
            JsonNode labels = header.get("labels");
            return new Header(features.get("shape").get(0).asInt(), features.get("shape").get(1).asInt(), labels == null,
                    metadata, features.get("data_offsets").get(0).asInt(),
                    (labels == null ? header.required("targets") : labels).get("data_offsets").get(0).asInt());
        }

        /** The length, then the JSON padded with spaces to a multiple of 8 bytes. */
        byte[] toBytes() {
            long featureEnd = (long) rows * featureCount * Float.BYTES;
            long labelEnd = featureEnd + (long) rows * (regression ? Float.BYTES : Long.BYTES);
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("features", Map.of("dtype", "F32", "shape", List.of(rows, featureCount), "data_offsets", List.of(0, featureEnd)));
            header.put(regression ? "targets" : "labels", Map.of("dtype", regression ? "F32" : "I64",
                    "shape", List.of(rows), "data_offsets", List.of(featureEnd, labelEnd)));
            header.put("__metadata__", metadata);
            byte[] json = JSON.writeValueAsBytes(header);
            int padded = (json.length + 7) / 8 * 8;
            ByteBuffer out = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(padded).put(json);
            while (out.hasRemaining()) {
                out.put((byte) ' ');
            }
            return out.array();
        }
    }

    /**
     * Splits one shard as it is read: memory holds a buffer of about {@value #BUFFER} bytes (or one row, if larger) and the
     * held-out rows, whatever the shard's size.
     */
    static final class Splitter {

        private static final int BUFFER = 1 << 20;

        private final InputStream in;
        private final Header header;
        private final IntPredicate heldOut;
        private final int heldRows;
        private ShardTensors held;

        private Splitter(InputStream in, Header header, IntPredicate heldOut) throws IOException {
            // The layout the dataset module writes, which lets both tensors be read in one pass.
            if (header.featuresAt() != 0 || header.labelsAt() != (long) header.rows() * header.featureCount() * Float.BYTES) {
                throw new IOException("not a shard of features followed by labels");
            }
            this.in = in;
            this.header = header;
            this.heldOut = heldOut;
            this.heldRows = (int) IntStream.range(0, header.rows()).filter(heldOut).count();
        }

        int rows() {
            return header.rows();
        }

        int trainingRows() {
            return header.rows() - heldRows;
        }

        /**
         * Reads the rest of the shard and writes its training rows to {@code training} as a shard of their own, the bytes
         * {@link ShardTensors#toBytes} would write for them; keeps the held-out rows for {@link #heldOut}.
         */
        void writeTraining(OutputStream training) throws IOException {
            int featureCount = header.featureCount();
            float[] features = new float[heldRows * featureCount];
            long[] labels = header.regression() ? null : new long[heldRows];
            float[] targets = header.regression() ? new float[heldRows] : null;
            training.write(new Header(trainingRows(), featureCount, header.regression(), header.metadata(), 0, 0).toBytes());
            copy(featureCount * Float.BYTES, training,
                    (rows, row, at) -> rows.asFloatBuffer().get(row * featureCount, features, at * featureCount, featureCount));
            if (labels != null) {
                copy(Long.BYTES, training, (rows, row, at) -> labels[at] = rows.getLong(row * Long.BYTES));
            } else {
                copy(Float.BYTES, training, (rows, row, at) -> targets[at] = rows.getFloat(row * Float.BYTES));
            }
            if (in.read() != -1) { // read to its end, so that a decrypting stream has checked all of it
                throw new IOException("the shard goes on after its tensors");
            }
            held = new ShardTensors(heldRows, featureCount, features, labels, targets, header.metadata());
        }

        /** The held-out rows, once {@link #writeTraining} has read them. */
        ShardTensors heldOut() {
            return held;
        }

        /** Reads one tensor, {@code width} bytes a row: writes the training rows' bytes, hands each held-out row to keep. */
        private void copy(int width, OutputStream training, HeldRow keep) throws IOException {
            int perBuffer = Math.max(1, BUFFER / Math.max(1, width));
            ByteBuffer rows = ByteBuffer.allocate(perBuffer * width).order(ByteOrder.LITTLE_ENDIAN);
            byte[] bytes = rows.array();
            int heldSoFar = 0;
            for (int first = 0; first < header.rows(); first += perBuffer) {
                int n = Math.min(perBuffer, header.rows() - first);
                if (in.readNBytes(bytes, 0, n * width) != n * width) {
                    throw new IOException("the shard ends before its " + header.rows() + " rows");
                }
                int end = 0; // the training rows read so far are moved together at the start of the buffer
                for (int row = 0; row < n; row++) {
                    if (heldOut.test(first + row)) {
                        keep.accept(rows, row, heldSoFar++);
                    } else {
                        System.arraycopy(bytes, row * width, bytes, end, width);
                        end += width;
                    }
                }
                training.write(bytes, 0, end);
            }
        }

        private interface HeldRow {
            /** Row {@code row} of the buffer {@code rows} is the held-out row number {@code at} of this shard. */
            void accept(ByteBuffer rows, int row, int at);
        }
    }
}
