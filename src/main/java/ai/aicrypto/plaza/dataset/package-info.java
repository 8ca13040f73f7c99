/**
 * Datasets: upload (CSV/TSV with a header, MNIST-style IDX), schema detection, statistics, a
 * stable random preview, preprocessing into safetensors shards, and encrypted storage of both the
 * raw upload and the shards. File formats live in {@code dataset.format}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Datasets")
package ai.aicrypto.plaza.dataset;
