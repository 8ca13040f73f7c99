package ai.aicrypto.plaza.serving;

/** A serving worker's answer disagreed with the plaza's own forward pass of the same model and rows. */
public record ServingWorkerRejected(long workerId, long modelId, String reason) {
}
