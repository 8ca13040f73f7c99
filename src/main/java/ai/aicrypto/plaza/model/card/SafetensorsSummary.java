package ai.aicrypto.plaza.model.card;

import java.util.List;
import java.util.Map;

/**
 * What {@link SafetensorsInspector} found in a valid safetensors file.
 *
 * @param headerBytes length of the JSON header (the 8-byte length prefix not included)
 * @param tensors     tensors by name, in header order
 * @param metadata    the optional {@code __metadata__} string map (empty when absent)
 */
public record SafetensorsSummary(long headerBytes, Map<String, TensorInfo> tensors, Map<String, String> metadata) {

    public SafetensorsSummary {
        tensors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tensors));
        metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
    }

    /**
     * @param begin offset of the tensor's first byte, relative to the start of the data buffer (after the header)
     * @param end   exclusive end offset, same origin
     */
    public record TensorInfo(String dtype, List<Long> shape, long begin, long end) {

        public TensorInfo {
            shape = List.copyOf(shape);
        }

        public long byteLength() {
            return end - begin;
        }

        public long elementCount() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /** Total number of parameters (elements) over all tensors. */
    public long parameterCount() {
        return tensors.values().stream().mapToLong(TensorInfo::elementCount).sum();
    }

    /** Size of the data buffer, i.e. the file size minus 8 minus {@link #headerBytes()}. */
    public long dataBytes() {
        return tensors.values().stream().mapToLong(TensorInfo::end).max().orElse(0L);
    }
}
