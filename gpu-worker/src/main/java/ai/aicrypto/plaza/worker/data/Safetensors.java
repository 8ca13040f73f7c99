package ai.aicrypto.plaza.worker.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the <a href="https://huggingface.co/docs/safetensors">safetensors</a> layout: an 8-byte
 * little-endian header length N, N bytes of JSON header (padded with spaces to a multiple of 8), then
 * little-endian tensor data. Only the dtypes the plaza uses are supported: F32 and I64.
 */
public final class Safetensors {

    static final ObjectMapper JSON = new ObjectMapper();
    /** Headers larger than this are rejected (the format's own reference limit is 100 MB). */
    static final long MAX_HEADER_BYTES = 100L << 20;

    private Safetensors() {
    }

    /** One tensor's entry in the header; offsets are absolute file positions. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
        public long elementCount() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }

        public int elementSize() {
            return switch (dtype) {
                case "F32" -> 4;
                case "I64" -> 8;
                default -> throw new IllegalStateException("unsupported dtype " + dtype);
            };
        }
    }

    /** The parsed header of a safetensors file. */
    public record Header(Map<String, Entry> tensors, Map<String, String> metadata, long dataStart) {
        public Entry require(String name) throws IOException {
            Entry e = tensors.get(name);
            if (e == null) throw new IOException("tensor '" + name + "' is missing");
            return e;
        }
    }

    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(ch, file);
        }
    }

    public static Header readHeader(SeekableByteChannel ch, Object file) throws IOException {
        long fileSize = ch.size();
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long n = lenBuf.getLong(0);
        if (n <= 1 || n > MAX_HEADER_BYTES || 8 + n > fileSize) {
            throw new IOException(file + ": invalid safetensors header length " + n);
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(ch, hb, 8);
        JsonNode root = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8).strip());
        if (root == null || !root.isObject()) throw new IOException(file + ": header is not a JSON object");
        long dataStart = 8 + n;
        Map<String, Entry> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode v = f.getValue();
            if (f.getKey().equals("__metadata__")) {
                v.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            String dtype = v.path("dtype").asText();
            JsonNode shapeNode = v.path("shape");
            JsonNode off = v.path("data_offsets");
            if (!shapeNode.isArray() || !off.isArray() || off.size() != 2) {
                throw new IOException(file + ": tensor '" + f.getKey() + "' has no shape or data_offsets");
            }
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).asLong();
            Entry e = new Entry(f.getKey(), dtype, shape, dataStart + off.get(0).asLong(), dataStart + off.get(1).asLong());
            if (!dtype.equals("F32") && !dtype.equals("I64")) {
                throw new IOException(file + ": tensor '" + e.name() + "' has unsupported dtype " + dtype);
            }
            if (e.end() - e.begin() != e.elementCount() * e.elementSize() || e.begin() < dataStart || e.end() > fileSize) {
                throw new IOException(file + ": tensor '" + e.name() + "' has inconsistent data_offsets");
            }
            tensors.put(e.name(), e);
        }
        return new Header(tensors, metadata, dataStart);
    }

    /** Reads an F32 tensor into a float array. */
    public static float[] readF32(SeekableByteChannel ch, Entry e) throws IOException {
        if (!e.dtype().equals("F32")) throw new IOException("tensor '" + e.name() + "' is " + e.dtype() + ", expected F32");
        long count = e.elementCount();
        if (count > Integer.MAX_VALUE - 8) throw new IOException("tensor '" + e.name() + "' is too large for one shard");
        float[] out = new float[(int) count];
        int chunkFloats = 1 << 20;
        // sized to the tensor: checkpoints are read whole, many small tensors at a time
        ByteBuffer buf = ByteBuffer.allocateDirect(Math.min(chunkFloats, out.length) * 4).order(ByteOrder.LITTLE_ENDIAN);
        long pos = e.begin();
        int done = 0;
        while (done < out.length) {
            int n = Math.min(chunkFloats, out.length - done);
            buf.clear().limit(n * 4);
            readFully(ch, buf, pos);
            buf.flip();
            buf.asFloatBuffer().get(out, done, n);
            done += n;
            pos += n * 4L;
        }
        return out;
    }

    /** Reads an I64 tensor into an int array (values must fit in an int). */
    public static int[] readI64AsInt(SeekableByteChannel ch, Entry e) throws IOException {
        if (!e.dtype().equals("I64")) throw new IOException("tensor '" + e.name() + "' is " + e.dtype() + ", expected I64");
        long count = e.elementCount();
        if (count > Integer.MAX_VALUE - 8) throw new IOException("tensor '" + e.name() + "' is too large");
        int[] out = new int[(int) count];
        int chunk = 1 << 19;
        ByteBuffer buf = ByteBuffer.allocateDirect(Math.min(chunk, out.length) * 8).order(ByteOrder.LITTLE_ENDIAN);
        long pos = e.begin();
        int done = 0;
        while (done < out.length) {
            int n = Math.min(chunk, out.length - done);
            buf.clear().limit(n * 8);
            readFully(ch, buf, pos);
            buf.flip();
            for (int i = 0; i < n; i++) {
                long v = buf.getLong();
                if (v < 0 || v > Integer.MAX_VALUE) throw new IOException("tensor '" + e.name() + "' holds out-of-range value " + v);
                out[done + i] = (int) v;
            }
            done += n;
            pos += n * 8L;
        }
        return out;
    }

    private static void readFully(SeekableByteChannel ch, ByteBuffer buf, long pos) throws IOException {
        ch.position(pos);
        while (buf.hasRemaining()) {
            int r = ch.read(buf);
            if (r < 0) throw new IOException("unexpected end of file");
            pos += r;
        }
    }

    /** Reads every F32 tensor of a file (e.g. exported weights), in header order. */
    public static Map<String, FloatTensor> readAllF32(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readAllF32(ch, file);
        }
    }

    /** Reads every F32 tensor of a safetensors file held in memory or on disk; {@code name} appears in errors. */
    public static Map<String, FloatTensor> readAllF32(SeekableByteChannel ch, Object name) throws IOException {
        Header h = readHeader(ch, name);
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (Entry e : h.tensors().values()) {
            out.put(e.name(), new FloatTensor(e.shape().clone(), readF32(ch, e)));
        }
        return out;
    }

    /** A tensor to write: F32 from a float array or I64 from an int/long array. */
    public record Out(String name, String dtype, long[] shape, Object data) {
        public static Out f32(String name, float[] data, long... shape) {
            return new Out(name, "F32", shape, data);
        }

        public static Out i64(String name, long[] data, long... shape) {
            return new Out(name, "I64", shape, data);
        }

        long byteSize() {
            return dtype.equals("F32") ? ((float[]) data).length * 4L : ((long[]) data).length * 8L;
        }
    }

    /** Writes tensors (in the given order) and string metadata. */
    public static void write(Path file, Iterable<Out> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        for (Out t : tensors) {
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", t.dtype());
            var shape = e.putArray("shape");
            long n = 1;
            for (long d : t.shape()) {
                shape.add(d);
                n *= d;
            }
            long len = t.byteSize();
            if (n * (t.dtype().equals("F32") ? 4 : 8) != len) {
                throw new IllegalArgumentException("tensor " + t.name() + ": data does not match its shape");
            }
            var off = e.putArray("data_offsets");
            off.add(offset);
            off.add(offset + len);
            offset += len;
        }
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(json);
            for (int i = json.length; i < padded; i++) out.write(' ');
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (Out t : tensors) {
                if (t.data() instanceof float[] f) {
                    for (float v : f) {
                        if (buf.remaining() < 8) flush(buf, out);
                        buf.putFloat(v);
                    }
                } else {
                    for (long v : (long[]) t.data()) {
                        if (buf.remaining() < 8) flush(buf, out);
                        buf.putLong(v);
                    }
                }
            }
            flush(buf, out);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static void flush(ByteBuffer buf, OutputStream out) throws IOException {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
    }

    /** Writes named float tensors (e.g. model weights) with metadata. */
    public static void writeF32(Path file, Map<String, FloatTensor> tensors, Map<String, String> metadata) throws IOException {
        java.util.List<Out> outs = new java.util.ArrayList<>();
        tensors.forEach((k, v) -> outs.add(Out.f32(k, v.data(), v.shape())));
        write(file, outs, metadata);
    }
}
