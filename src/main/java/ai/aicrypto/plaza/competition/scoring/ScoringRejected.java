package ai.aicrypto.plaza.competition.scoring;

import java.util.List;

/** A CSV was rejected; {@link #problems()} says exactly why, in a form the web layer can localize. */
public abstract sealed class ScoringRejected extends RuntimeException permits SubmissionRejected, SolutionRejected, TestInputsRejected {

    private final transient List<Problem> problems;

    ScoringRejected(List<Problem> problems) {
        super(problems.toString());
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a rejection needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** The problems in the order to show them; never empty. */
    public List<Problem> problems() {
        return problems;
    }
}
