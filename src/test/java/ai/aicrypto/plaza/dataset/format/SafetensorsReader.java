package ai.aicrypto.plaza.dataset.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Minimal independent safetensors reader for checking written shards. */
record SafetensorsReader(long headerLength, Map<String, Object> header, ByteBuffer data) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static SafetensorsReader read(Path file) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long n = all.getLong(0);
        String json = new String(all.array(), 8, (int) n, StandardCharsets.UTF_8);
        Map<String, Object> header = JSON.readValue(json, new TypeReference<Map<String, Object>>() { });
        ByteBuffer data = all.position(8 + (int) n).slice().order(ByteOrder.LITTLE_ENDIAN);
        return new SafetensorsReader(n, header, data);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> tensor(String name) {
        return (Map<String, Object>) header.get(name);
    }

    @SuppressWarnings("unchecked")
    Map<String, String> metadata() {
        return (Map<String, String>) header.get("__metadata__");
    }

    List<String> jsonList(String metadataKey) {
        return JSON.readValue(metadata().get(metadataKey), new TypeReference<List<String>>() { });
    }

    private int[] offsets(String name) {
        List<?> offsets = (List<?>) tensor(name).get("data_offsets");
        return new int[] {((Number) offsets.get(0)).intValue(), ((Number) offsets.get(1)).intValue()};
    }

    float[] floats(String name) {
        int[] range = offsets(name);
        float[] out = new float[(range[1] - range[0]) / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.getFloat(range[0] + i * 4);
        }
        return out;
    }

    long[] longs(String name) {
        int[] range = offsets(name);
        long[] out = new long[(range[1] - range[0]) / 8];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.getLong(range[0] + i * 8);
        }
        return out;
    }
}
