package ai.aicrypto.plaza.dataset.format;

import java.nio.file.Path;

/** One written safetensors file with the number of examples in it and its size. */
public record Shard(Path file, long rows, long bytes) {
}
