package ai.aicrypto.plaza.compute;

/** The whitepaper's training records: which node trained which model on which dataset. */
public interface TrainingRecords {

    /** Whether the model listing was produced by a verified training job here. */
    boolean isTrainedModel(long modelListingId);
}
