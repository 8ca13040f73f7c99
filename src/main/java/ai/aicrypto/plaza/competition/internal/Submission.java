package ai.aicrypto.plaza.competition.internal;

import java.time.Instant;

/**
 * A submission as its team (or the host, for a baseline) sees it. There is deliberately no private score here:
 * that is read only for the final leaderboard.
 */
/**
 * @param fileName the uploaded file's name, or the submitted model's title for a code submission
 * @param modelId  the model of a code submission, else null
 */
public record Submission(long id, boolean baseline, String description, String fileName, Status status,
                         String failure, Double publicScore, boolean selected, Instant createdAt, Long modelId) {

    public enum Status { QUEUED, SCORING, SCORED, FAILED }

    public String scoreText() {
        return ScoreText.of(publicScore);
    }

    /** Waiting for or in scoring. */
    public boolean pending() {
        return status == Status.QUEUED || status == Status.SCORING;
    }

    public boolean scored() {
        return status == Status.SCORED;
    }
}
