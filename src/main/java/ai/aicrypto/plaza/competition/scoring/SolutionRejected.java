package ai.aicrypto.plaza.competition.scoring;

import java.util.List;

/** The answer key the competition host uploaded is not usable with the chosen metric and split. */
public final class SolutionRejected extends ScoringRejected {

    public SolutionRejected(List<Problem> problems) {
        super(problems);
    }
}
