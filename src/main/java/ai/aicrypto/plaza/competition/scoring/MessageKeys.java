package ai.aicrypto.plaza.competition.scoring;

/**
 * Message keys of {@link Problem}s; each has an entry in {@code i18n/competition-scoring.properties} and
 * {@code i18n/competition-scoring_ko.properties}. Arguments are listed as {@code {n}: meaning}.
 */
public final class MessageKeys {

    private static final String SUBMISSION = "competition.scoring.submission.";
    private static final String SOLUTION = "competition.scoring.solution.";
    private static final String TEST_INPUTS = "competition.scoring.test-inputs.";

    /** Follows up to {@link Problems#EXAMPLES} problems of one key: {0}: how many more lines have it. */
    public static final String MORE = "competition.scoring.more";

    /** No bytes at all (or only a byte order mark). */
    public static final String SUBMISSION_EMPTY = SUBMISSION + "empty";
    /** {0}: the first line as found. */
    public static final String SUBMISSION_HEADER = SUBMISSION + "header";
    /** {0}: the number of test rows expected. */
    public static final String SUBMISSION_NO_ROWS = SUBMISSION + "no-rows";
    /** {0}: line. */
    public static final String SUBMISSION_ENCODING = SUBMISSION + "encoding";
    /** {0}: line. */
    public static final String SUBMISSION_MALFORMED = SUBMISSION + "malformed";
    /** {0}: line, {1}: the longest line allowed, in characters. */
    public static final String SUBMISSION_LINE_TOO_LONG = SUBMISSION + "line-too-long";
    /** {0}: line, {1}: values found. */
    public static final String SUBMISSION_RAGGED = SUBMISSION + "ragged";
    /** {0}: line, {1}: id, {2}: line where the id first appeared. */
    public static final String SUBMISSION_DUPLICATE_ID = SUBMISSION + "duplicate-id";
    /** {0}: line, {1}: id. */
    public static final String SUBMISSION_UNKNOWN_ID = SUBMISSION + "unknown-id";
    /** {0}: how many test ids have no row, {1}: the first of them (at most 10), comma-separated. */
    public static final String SUBMISSION_MISSING_IDS = SUBMISSION + "missing-ids";
    /** {0}: line, {1}: the prediction as found, {2}: id. */
    public static final String SUBMISSION_NOT_A_NUMBER = SUBMISSION + "not-a-number";
    /** {0}: line, {1}: the prediction as found, {2}: id. */
    public static final String SUBMISSION_NOT_FINITE = SUBMISSION + "not-finite";
    /** {0}: line, {1}: the prediction as found, {2}: id. */
    public static final String SUBMISSION_NOT_A_PROBABILITY = SUBMISSION + "not-a-probability";
    /** {0}: line, {1}: the prediction as found, {2}: id, {3}: the classes (at most 20), comma-separated. */
    public static final String SUBMISSION_UNKNOWN_LABEL = SUBMISSION + "unknown-label";
    /** {0}: data rows in the submission, {1}: rows in the test set. */
    public static final String SUBMISSION_ROW_COUNT = SUBMISSION + "row-count";

    /** No bytes at all (or only a byte order mark). */
    public static final String SOLUTION_EMPTY = SOLUTION + "empty";
    /** {0}: the first line as found. */
    public static final String SOLUTION_HEADER = SOLUTION + "header";
    /** {0}: line. */
    public static final String SOLUTION_ENCODING = SOLUTION + "encoding";
    /** {0}: line. */
    public static final String SOLUTION_MALFORMED = SOLUTION + "malformed";
    /** {0}: line, {1}: the longest line allowed, in characters. */
    public static final String SOLUTION_LINE_TOO_LONG = SOLUTION + "line-too-long";
    /** {0}: line, {1}: values found. */
    public static final String SOLUTION_RAGGED = SOLUTION + "ragged";
    /** {0}: line. */
    public static final String SOLUTION_BLANK_ID = SOLUTION + "blank-id";
    /** {0}: line, {1}: id, {2}: line where the id first appeared. */
    public static final String SOLUTION_DUPLICATE_ID = SOLUTION + "duplicate-id";
    /** {0}: line, {1}: id. */
    public static final String SOLUTION_BLANK_TARGET = SOLUTION + "blank-target";
    /** {0}: line, {1}: the target as found, {2}: id. */
    public static final String SOLUTION_NOT_A_NUMBER = SOLUTION + "not-a-number";
    /** {0}: rows found, {1}: rows needed. */
    public static final String SOLUTION_TOO_FEW_ROWS = SOLUTION + "too-few-rows";
    /** {0}: metric, {1}: number of classes found, {2}: the classes (at most 20), comma-separated. */
    public static final String SOLUTION_NOT_BINARY = SOLUTION + "not-binary";
    /** {0}: "public" or "private" part (0 or 1, a MessageFormat choice), {1}: the only class there, {2}: metric. */
    public static final String SOLUTION_SPLIT_SINGLE_CLASS = SOLUTION + "split-single-class";

    /** No bytes at all (or only a byte order mark). */
    public static final String TEST_INPUTS_EMPTY = TEST_INPUTS + "empty";
    /** {0}: the columns of the first line, comma-separated (at most 20). */
    public static final String TEST_INPUTS_HEADER = TEST_INPUTS + "header";
    /** {0}: the column named like the solution's target. */
    public static final String TEST_INPUTS_TARGET_COLUMN = TEST_INPUTS + "target-column";
    /** {0}: line. */
    public static final String TEST_INPUTS_ENCODING = TEST_INPUTS + "encoding";
    /** {0}: line. */
    public static final String TEST_INPUTS_MALFORMED = TEST_INPUTS + "malformed";
    /** {0}: line, {1}: the longest line allowed, in characters. */
    public static final String TEST_INPUTS_LINE_TOO_LONG = TEST_INPUTS + "line-too-long";
    /** {0}: line, {1}: values found, {2}: columns of the header. */
    public static final String TEST_INPUTS_RAGGED = TEST_INPUTS + "ragged";
    /** {0}: line. */
    public static final String TEST_INPUTS_BLANK_ID = TEST_INPUTS + "blank-id";
    /** {0}: line, {1}: id, {2}: line where the id first appeared. */
    public static final String TEST_INPUTS_DUPLICATE_ID = TEST_INPUTS + "duplicate-id";
    /** {0}: rows whose id the solution does not have, {1}: the first of those ids (at most 10), comma-separated. */
    public static final String TEST_INPUTS_EXTRA_IDS = TEST_INPUTS + "extra-ids";
    /** {0}: solution ids with no row, {1}: the first of them (at most 10), comma-separated. */
    public static final String TEST_INPUTS_MISSING_IDS = TEST_INPUTS + "missing-ids";
    /** {0}: image number in the ZIP, {1}: id, {2}: the number of the image that had it first. */
    public static final String TEST_INPUTS_DUPLICATE_IMAGE = TEST_INPUTS + "duplicate-image";
    /** {0}: images whose id the solution does not have, {1}: the first of those ids (at most 10), comma-separated. */
    public static final String TEST_INPUTS_EXTRA_IMAGES = TEST_INPUTS + "extra-images";
    /** {0}: solution ids with no image, {1}: the first of them (at most 10), comma-separated. */
    public static final String TEST_INPUTS_MISSING_IMAGES = TEST_INPUTS + "missing-images";

    /** {0}: ids of the fixed solution that the current one does not have, {1}: the first of them (at most 10). */
    public static final String FIXED_SOLUTION_EXTRA_IDS = SOLUTION + "fixed-extra-ids";
    /** {0}: ids of the current solution missing from the fixed one, {1}: the first of them (at most 10). */
    public static final String FIXED_SOLUTION_MISSING_IDS = SOLUTION + "fixed-missing-ids";

    private MessageKeys() {
    }
}
