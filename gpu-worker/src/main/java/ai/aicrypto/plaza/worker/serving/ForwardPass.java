package ai.aicrypto.plaza.worker.serving;

/** A loaded model's inference: rows of encoded inputs in, the family's outputs out. Not thread-safe: callers lock it. */
public interface ForwardPass extends AutoCloseable {

    /** @return {@code rows x outputWidth()} floats, row-major */
    float[] predict(float[] x, int rows);

    int outputWidth();

    /** Memory it holds (weights and buffers), for the cache's bound. */
    long bytes();

    @Override
    void close();
}
