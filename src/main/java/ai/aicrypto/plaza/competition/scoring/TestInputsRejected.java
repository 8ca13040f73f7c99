package ai.aicrypto.plaza.competition.scoring;

import java.util.List;

/** The test inputs the host uploaded do not fit the solution: other ids, duplicates, labels among the columns. */
public final class TestInputsRejected extends ScoringRejected {

    public TestInputsRejected(List<Problem> problems) {
        super(problems);
    }
}
