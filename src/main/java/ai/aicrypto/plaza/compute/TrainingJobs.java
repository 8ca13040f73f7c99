package ai.aicrypto.plaza.compute;

import java.math.BigDecimal;
import java.util.Optional;

/** Submitting training work; the Easy AI Builder calls this. */
public interface TrainingJobs {

    /**
     * Queues a job to train the model card of {@code modelId} on {@code datasetId}, for any worker.
     *
     * @param hyperparametersJson the chosen hyperparameters, as a JSON object
     * @param minMemoryMb         the least GPU memory a worker must have
     * @return the job id
     */
    default long submit(long requesterId, long datasetId, long modelId, String hyperparametersJson, int minMemoryMb) {
        return submit(new JobRequest(requesterId, datasetId, modelId, hyperparametersJson, minMemoryMb, null, null));
    }

    /** Queues a job as requested; the caller has checked that the requester may use the dataset and model. */
    long submit(JobRequest request);

    /**
     * Cancels a job of this requester that awaits its deposit, is queued or is leased; a leased worker learns it when its next
     * renewal or progress report is refused.
     *
     * @throws ai.aicrypto.plaza.platform.NotFoundException when the job is not the requester's
     * @throws ai.aicrypto.plaza.platform.UserFacingException when it has already ended
     */
    void cancel(long requesterId, long jobId);

    /**
     * Where a job of this requester stands, for a module that submitted it on the requester's behalf (a data
     * competition); empty when it is not the requester's job.
     */
    Optional<JobOutcome> outcome(long requesterId, long jobId);

    /**
     * @param ended          whether the job has ended (succeeded, failed or cancelled)
     * @param trainedModelId the requester's trained model once the job succeeded and its weights were handed over, else null
     * @param failureReason  why a job that ended undelivered did (in English, from the fleet or the verification), else null
     */
    record JobOutcome(boolean ended, Long trainedModelId, String failureReason) {

        public boolean succeeded() {
            return trainedModelId != null;
        }
    }

    /**
     * @param offerId   the only offer whose workers may lease the job, or null for any
     * @param budgetAic the most the requester accepts to pay, or null for no cap
     * @param parentModelId the trained model whose weights training starts from (fine-tuning), or null
     */
    record JobRequest(long requesterId, long datasetId, long modelId, String hyperparametersJson, int minMemoryMb,
                      Long offerId, BigDecimal budgetAic, Long parentModelId) {

        /** A job that trains from a seeded network. */
        public JobRequest(long requesterId, long datasetId, long modelId, String hyperparametersJson, int minMemoryMb,
                          Long offerId, BigDecimal budgetAic) {
            this(requesterId, datasetId, modelId, hyperparametersJson, minMemoryMb, offerId, budgetAic, null);
        }
    }
}
