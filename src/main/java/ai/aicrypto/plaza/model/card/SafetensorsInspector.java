package ai.aicrypto.plaza.model.card;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks that an uploaded weights file really is a well-formed
 * <a href="https://github.com/huggingface/safetensors">safetensors</a> file, reading only its header:
 * <ul>
 *   <li>8-byte little-endian header length N, with N &lt;= 100 MiB and 8 + N &lt;= file size;</li>
 *   <li>the header is a UTF-8 JSON object (starting with '{', maybe padded with trailing spaces);</li>
 *   <li>each tensor has a known dtype, a shape of non-negative integers and data_offsets [begin, end];</li>
 *   <li>shape product x dtype size == end - begin;</li>
 *   <li>sorted by offset, the tensors cover the data buffer exactly: no gaps, no overlaps, nothing after.</li>
 * </ul>
 * Errors use field {@code /weights} for file-level problems and {@code /weights/tensors/<name>/...} for a tensor.
 */
public final class SafetensorsInspector {

    /**
     * The header is parsed into a JSON tree, many times its size in memory, on any member's upload (review M12). The
     * reference implementation allows 100 MB; real checkpoints' headers are under 1 MiB (a tensor is about 100 bytes).
     */
    public static final long MAX_HEADER_BYTES = 4L * 1024 * 1024;
    static final String K = "model.card.error.safetensors.";
    static final String FIELD = "/weights";

    /** Element size in bytes per safetensors dtype. */
    public static final Map<String, Integer> DTYPE_SIZES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1),
            Map.entry("F8_E5M2", 1), Map.entry("F8_E4M3", 1), Map.entry("F8_E8M0", 1),
            Map.entry("I16", 2), Map.entry("U16", 2), Map.entry("F16", 2), Map.entry("BF16", 2),
            Map.entry("I32", 4), Map.entry("U32", 4), Map.entry("F32", 4),
            Map.entry("I64", 8), Map.entry("U64", 8), Map.entry("F64", 8));

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private SafetensorsInspector() {
    }

    public static SafetensorsSummary inspect(Path file) throws InvalidModelCardException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return inspect(ch, ch.size());
        } catch (IOException e) {
            throw fail(FIELD, "unreadable", "the weights file could not be read: " + e.getMessage(),
                    String.valueOf(e.getMessage()));
        }
    }

    private static SafetensorsSummary inspect(FileChannel ch, long fileSize) throws IOException {
        if (fileSize < 8) {
            throw fail(FIELD, "too-small", "the file has only " + fileSize + " bytes, too small for safetensors",
                    fileSize);
        }
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, prefix, 0);
        prefix.flip();
        long headerLen = prefix.getLong(0);
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > fileSize - 8) {
            // Only now look for another format's magic bytes: a legitimate length prefix can look like one.
            String magic = sniff(prefix.duplicate());
            if (magic != null) {
                throw fail(FIELD, "other-format", "this is a " + magic + " file, not safetensors", magic);
            }
            // A negative value is an unsigned length beyond 2^63: equally impossible.
            String shown = Long.toUnsignedString(headerLen);
            throw fail(FIELD, "header-length",
                    "header length " + shown + " is impossible for a file of " + fileSize
                            + " bytes (at most " + MAX_HEADER_BYTES + " and the file size minus 8); not a safetensors file?",
                    shown, fileSize, MAX_HEADER_BYTES);
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        readFully(ch, headerBuf, 8);
        byte[] headerBytes = headerBuf.array();
        if (headerBytes[0] != '{') {
            String magic = sniff(prefix.duplicate());
            if (magic != null) {
                throw fail(FIELD, "other-format", "this is a " + magic + " file, not safetensors", magic);
            }
            throw fail(FIELD, "not-safetensors", "the header does not start with '{': not a safetensors file");
        }
        String headerText;
        try {
            headerText = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(headerBytes)).toString();
        } catch (CharacterCodingException e) {
            throw fail(FIELD, "header-encoding", "the header is not valid UTF-8");
        }
        JsonNode header;
        try {
            header = MAPPER.readTree(headerText.stripTrailing());
        } catch (JacksonException e) {
            var loc = e.getLocation();
            long column = loc == null ? -1 : loc.getColumnNr();
            throw fail(FIELD, "header-json", "the header is not valid JSON at column " + column + ": "
                    + e.getOriginalMessage(), column, String.valueOf(e.getOriginalMessage()));
        }
        if (header == null || !header.isObject()) {
            throw fail(FIELD, "header-json", "the header is not a JSON object", -1, "not an object");
        }
        return checkHeader(header, headerLen, fileSize - 8 - headerLen);
    }

    private static SafetensorsSummary checkHeader(JsonNode header, long headerLen, long dataLen) {
        List<CardFieldError> errors = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, SafetensorsSummary.TensorInfo> tensors = new LinkedHashMap<>();

        for (var entry : header.properties()) {
            String name = entry.getKey();
            JsonNode node = entry.getValue();
            if ("__metadata__".equals(name)) {
                readMetadata(node, metadata, errors);
                continue;
            }
            String base = FIELD + "/tensors/" + name.replace("~", "~0").replace("/", "~1");
            SafetensorsSummary.TensorInfo info = readTensor(name, base, node, errors);
            if (info != null) {
                tensors.put(name, info);
            }
        }
        if (errors.isEmpty()) {
            checkLayout(tensors, dataLen, errors);
        }
        if (!errors.isEmpty()) {
            throw new InvalidModelCardException(errors);
        }
        return new SafetensorsSummary(headerLen, tensors, metadata);
    }

    private static void readMetadata(JsonNode node, Map<String, String> metadata, List<CardFieldError> errors) {
        if (!node.isObject()) {
            errors.add(error(FIELD + "/metadata", "metadata", "__metadata__ must be an object of strings"));
            return;
        }
        for (var m : node.properties()) {
            if (!m.getValue().isString()) {
                errors.add(error(FIELD + "/metadata/" + m.getKey(), "metadata",
                        "__metadata__ must be an object of strings"));
            } else {
                metadata.put(m.getKey(), m.getValue().stringValue());
            }
        }
    }

    private static SafetensorsSummary.TensorInfo readTensor(String name, String base, JsonNode node,
                                                            List<CardFieldError> errors) {
        if (!node.isObject()) {
            errors.add(error(base, "tensor-entry", "tensor '" + name + "' must be an object with dtype, shape"
                    + " and data_offsets", name));
            return null;
        }
        for (String key : node.propertyNames()) {
            if (!List.of("dtype", "shape", "data_offsets").contains(key)) {
                errors.add(error(base + "/" + key, "tensor-entry", "tensor '" + name
                        + "' has an unexpected key '" + key + "'", name));
                return null;
            }
        }
        JsonNode dtypeNode = node.get("dtype");
        String dtype = dtypeNode != null && dtypeNode.isString() ? dtypeNode.stringValue() : null;
        if (dtype == null || !DTYPE_SIZES.containsKey(dtype)) {
            errors.add(error(base + "/dtype", "dtype", "tensor '" + name + "' has unknown dtype "
                    + (dtypeNode == null ? "(none)" : dtypeNode.toString()), name,
                    dtypeNode == null ? "" : dtypeNode.asString(dtypeNode.toString())));
            return null;
        }
        JsonNode shapeNode = node.get("shape");
        List<Long> shape = new ArrayList<>();
        boolean shapeOk = shapeNode != null && shapeNode.isArray();
        if (shapeOk) {
            for (JsonNode d : shapeNode.values()) {
                if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
                    shapeOk = false;
                    break;
                }
                shape.add(d.longValue());
            }
        }
        if (!shapeOk) {
            errors.add(error(base + "/shape", "shape", "tensor '" + name
                    + "' needs a shape of non-negative integers", name));
            return null;
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()
                || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()
                || offsets.get(0).longValue() < 0 || offsets.get(1).longValue() < offsets.get(0).longValue()) {
            errors.add(error(base + "/data_offsets", "offsets", "tensor '" + name
                    + "' needs data_offsets [begin, end] with 0 <= begin <= end", name));
            return null;
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        long expected;
        try {
            expected = DTYPE_SIZES.get(dtype);
            for (long d : shape) {
                expected = Math.multiplyExact(expected, d);
            }
        } catch (ArithmeticException e) {
            errors.add(error(base + "/shape", "shape", "tensor '" + name + "' is impossibly large", name));
            return null;
        }
        if (expected != end - begin) {
            errors.add(error(base + "/data_offsets", "byte-length",
                    "tensor '" + name + "' (" + dtype + " " + shape + ") needs " + expected + " bytes but its offsets span "
                            + (end - begin), name, expected, end - begin));
            return null;
        }
        return new SafetensorsSummary.TensorInfo(dtype, shape, begin, end);
    }

    private static void checkLayout(Map<String, SafetensorsSummary.TensorInfo> tensors, long dataLen,
                                    List<CardFieldError> errors) {
        List<Map.Entry<String, SafetensorsSummary.TensorInfo>> byOffset = new ArrayList<>(tensors.entrySet());
        byOffset.sort(Comparator.comparingLong((Map.Entry<String, SafetensorsSummary.TensorInfo> e) -> e.getValue().begin())
                .thenComparingLong(e -> e.getValue().end()));
        long cursor = 0;
        for (var e : byOffset) {
            var t = e.getValue();
            String field = FIELD + "/tensors/" + e.getKey().replace("~", "~0").replace("/", "~1") + "/data_offsets";
            if (t.begin() != cursor) {
                errors.add(error(field, "not-contiguous", "tensor '" + e.getKey() + "' starts at byte " + t.begin()
                        + " but the previous tensor ends at " + cursor, e.getKey(), cursor, t.begin()));
                return;
            }
            cursor = t.end();
        }
        if (cursor > dataLen) {
            errors.add(error(FIELD, "truncated", "the tensors need " + cursor + " data bytes but the file has only "
                    + dataLen + " after the header (truncated upload?)", cursor, dataLen));
        } else if (cursor < dataLen) {
            errors.add(error(FIELD, "trailing-bytes", "the file has " + (dataLen - cursor)
                    + " bytes after the last tensor", dataLen - cursor));
        }
    }

    /** Recognises a few common non-safetensors model formats by their first bytes. */
    private static String sniff(ByteBuffer first8) {
        byte[] b = new byte[8];
        first8.get(b);
        if (b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4) {
            return "ZIP (e.g. PyTorch .pt/.pth)";
        }
        if ((b[0] & 0xff) == 0x80 && b[1] >= 2 && b[1] <= 5) {
            return "Python pickle";
        }
        if ((b[0] & 0xff) == 0x89 && b[1] == 'H' && b[2] == 'D' && b[3] == 'F') {
            return "HDF5 (e.g. Keras .h5)";
        }
        if (b[0] == 'G' && b[1] == 'G' && b[2] == 'U' && b[3] == 'F') {
            return "GGUF";
        }
        return null;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    private static CardFieldError error(String field, String key, String message, Object... args) {
        return new CardFieldError(field, K + key, args, message);
    }

    private static InvalidModelCardException fail(String field, String key, String message, Object... args) {
        return new InvalidModelCardException(error(field, key, message, args));
    }
}
