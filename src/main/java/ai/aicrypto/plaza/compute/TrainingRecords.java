package ai.aicrypto.plaza.compute;

/** The whitepaper's training records: which node trained which model on which dataset. */
public interface TrainingRecords {

    /** Whether the model listing was produced by a verified training job here. */
    boolean isTrainedModel(long modelListingId);

    /** Training records (verified jobs) made in [from, to), oldest first. */
    java.util.List<VerifiedTraining> verifiedBetween(java.time.Instant from, java.time.Instant to);

    /**
     * A verified job: the requester trained {@code baseModelId} on {@code datasetId} on the provider's
     * offer, producing {@code trainedModelId}, starting from the weights of {@code parentModelId} when it fine-tuned one
     * (else it and its owner are null). Owners are the listings' owners now.
     *
     * @param payingWallet the wallet whose JobEscrow deposit paid the job, from its confirmed JobFunded log: the
     *                     requester's, for the job or its sweep. Null for a job a training pool paid (its depositor is
     *                     the pool's owner, who sponsors the submitters' jobs: the requester paid nothing) and a job
     *                     paid off-chain
     */
    record VerifiedTraining(long jobId, long requesterId, long datasetId, long datasetOwnerId, long baseModelId,
                            long baseModelOwnerId, long offerId, long providerId, java.time.Instant at, Long parentModelId,
                            Long parentModelOwnerId, String payingWallet) {
    }
}
