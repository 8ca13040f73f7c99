package ai.aicrypto.plaza.worker.gpu;

/** A CUDA device as reported by the driver. */
public record GpuDevice(int ordinal, String name, long totalMemoryBytes, int computeMajor, int computeMinor) {

    public String computeCapability() {
        return computeMajor + "." + computeMinor;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "GPU %d: %s, %.1f GiB, compute capability %s", ordinal, name,
                totalMemoryBytes / (double) (1L << 30), computeCapability());
    }
}
