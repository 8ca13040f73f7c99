package ai.aicrypto.plaza.compute;

/** Submitting training work; the Easy AI Builder calls this. */
public interface TrainingJobs {

    /**
     * Queues a job to train the model card of {@code modelId} on {@code datasetId}.
     *
     * @param hyperparametersJson the chosen hyperparameters, as a JSON object
     * @param minMemoryMb         the least GPU memory a worker must have
     * @return the job id
     */
    long submit(long requesterId, long datasetId, long modelId, String hyperparametersJson, int minMemoryMb);
}
