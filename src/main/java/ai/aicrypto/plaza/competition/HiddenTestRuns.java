package ai.aicrypto.plaza.competition;

import java.io.InputStream;
import java.util.function.Supplier;

import ai.aicrypto.plaza.competition.scoring.Solution;

/**
 * A member's own model run on hidden test inputs and scored against a hidden solution, exactly as a competition's code
 * submission is: for another part of the plaza that holds a hidden test set of its own (AI commissions). The model sees
 * only the test inputs, nobody but the plaza sees either file, and the run stops at the scoring time limit.
 */
public interface HiddenTestRuns {

    /**
     * Checks that {@code modelId} is the owner's runnable model and fits (it predicts what the metric scores; the test
     * inputs have every column it reads), runs it on every row of the test inputs and scores its answers on all rows.
     *
     * @param testInputs opens the test inputs (a CSV: {@code id} and the feature columns) each time it is called
     * @return the score of the solution's metric over all its rows
     * @throws ai.aicrypto.plaza.platform.UserFacingException why the model cannot be scored (field {@code modelId})
     */
    double score(Solution solution, Supplier<InputStream> testInputs, long ownerId, long modelId);
}
