package ai.aicrypto.plaza.dataset.format;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.platform.StrictUtf8Reader;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Streams the records of a JSON Lines file ({@code .jsonl}): strict UTF-8, one JSON object per line, blank lines
 * ignored. The first object's fields, in its order, are the columns; a later object may leave a field out (a missing
 * value) but may not add one. Strings are values as they are (stripped), numbers and booleans their JSON text,
 * {@code null} missing; arrays and objects are refused. Errors name the line.
 */
final class JsonlRows implements TableRows {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final RecordSizeGuard guard;
    private final BufferedReader lines;
    private final List<String> header;
    private final Map<String, Integer> index = new HashMap<>();
    private long line;
    private JsonNode pending;

    private JsonlRows(RecordSizeGuard guard, int maxColumns) throws IOException {
        this.guard = guard;
        this.lines = new BufferedReader(guard);
        pending = nextObject();
        if (pending == null) {
            throw new DatasetFormatException(ErrorKeys.EMPTY);
        }
        if (pending.size() > maxColumns) {
            throw new DatasetFormatException(ErrorKeys.TOO_MANY_COLUMNS, pending.size(), maxColumns);
        }
        List<String> names = new ArrayList<>(pending.propertyNames());
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).isBlank()) {
                throw new DatasetFormatException(ErrorKeys.HEADER_BLANK, i + 1);
            }
            index.put(names.get(i), i);
        }
        this.header = List.copyOf(names);
    }

    static JsonlRows open(Path file, DatasetLimits limits, ReadProgress progress) throws IOException {
        RecordSizeGuard guard = new RecordSizeGuard(new StrictUtf8Reader(InputFiles.open(file, limits.maxDecompressedBytes(), progress)),
                CsvRows.MAX_RECORD_CHARS);
        try {
            return new JsonlRows(guard, limits.maxColumns());
        } catch (RuntimeException | IOException e) {
            guard.close();
            throw e;
        }
    }

    @Override
    public List<String> header() {
        return header;
    }

    @Override
    public String[] next() throws IOException {
        JsonNode object = pending != null ? pending : nextObject();
        pending = null;
        if (object == null) {
            return null;
        }
        String[] values = new String[header.size()];
        java.util.Arrays.fill(values, "");
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            Integer at = index.get(field.getKey());
            if (at == null) {
                throw new DatasetFormatException(ErrorKeys.JSONL_UNKNOWN_FIELD, line, field.getKey());
            }
            values[at] = value(field.getKey(), field.getValue());
        }
        return values;
    }

    private String value(String name, JsonNode node) {
        if (node.isArray() || node.isObject()) {
            throw new DatasetFormatException(ErrorKeys.JSONL_NESTED, line, name);
        }
        if (node.isNull()) {
            return "";
        }
        return (node.isString() ? node.stringValue() : node.toString()).strip();
    }

    /** The next non-blank line as an object, or null at the end of the file. */
    private JsonNode nextObject() throws IOException {
        String text;
        try {
            do {
                text = lines.readLine();
                if (text == null) {
                    return null;
                }
                line++;
                guard.recordEnded(line);
            } while (text.isBlank());
        } catch (StrictUtf8Reader.Failure e) {
            throw new DatasetFormatException(ErrorKeys.ENCODING, e.line());
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new DatasetFormatException(ErrorKeys.JSONL_MALFORMED, line);
        }
        if (node == null || !node.isObject()) {
            throw new DatasetFormatException(ErrorKeys.JSONL_NOT_OBJECT, line);
        }
        return node;
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
