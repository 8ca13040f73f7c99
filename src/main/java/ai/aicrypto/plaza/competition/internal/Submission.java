package ai.aicrypto.plaza.competition.internal;

import java.time.Instant;

/**
 * A submission as its team (or the host, for a baseline) sees it. There is deliberately no private score here:
 * that is read only for the final leaderboard.
 */
/**
 * @param fileName the uploaded file's name, the submitted model's title for a code submission, the dataset's for a data one
 * @param modelId  the model of a code submission, else null (for a data submission: its trained model, once trained)
 * @param datasetId the dataset of a data submission, else null
 * @param trainingJobId a data submission's training job (the submitter's), else null
 * @param phaseId   the phase open when it was made
 */
public record Submission(long id, boolean baseline, String description, String fileName, Status status,
                         String failure, Double publicScore, boolean selected, Instant createdAt, Long modelId,
                         Long datasetId, Long trainingJobId, long phaseId) {

    /** TRAINING: a data submission whose model is being trained on the fleet, before it is QUEUED for scoring. */
    public enum Status { TRAINING, QUEUED, SCORING, SCORED, FAILED }

    public String scoreText() {
        return ScoreText.of(publicScore);
    }

    /** Waiting for or in training or scoring. */
    public boolean pending() {
        return status == Status.TRAINING || status == Status.QUEUED || status == Status.SCORING;
    }

    public boolean scored() {
        return status == Status.SCORED;
    }
}
