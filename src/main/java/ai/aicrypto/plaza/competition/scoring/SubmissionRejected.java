package ai.aicrypto.plaza.competition.scoring;

import java.util.List;

/** The predictions CSV does not count: it is not a valid submission for this competition's solution. */
public final class SubmissionRejected extends ScoringRejected {

    public SubmissionRejected(List<Problem> problems) {
        super(problems);
    }
}
