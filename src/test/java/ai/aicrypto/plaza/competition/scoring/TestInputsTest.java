package ai.aicrypto.plaza.competition.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Test inputs against the solution's ids, the sample submission made from them, and a fixed solution's ids. */
class TestInputsTest {

    private static Solution classes(int n) throws IOException {
        return Solution.read(Csv.of(Csv.lines("id,animal", n, i -> "r" + i + "," + (i % 3 == 0 ? "dog" : "cat"))), Metric.ACCURACY, 7);
    }

    private static List<Problem> problems(Class<? extends ScoringRejected> type, ThrowingCallable check) {
        List<Problem> found = new ArrayList<>();
        assertThatThrownBy(check).isInstanceOfSatisfying(type, e -> found.addAll(e.problems()));
        return found;
    }

    @Test
    void acceptsTheSameIdsInAnyOrderAndAnyColumn() throws IOException {
        Solution solution = classes(5);
        TestInputs inputs = TestInputs.check(solution, Csv.of("x,id,y\n1,r4,2\n3,r0,4\n5,r2,6\n7,r1,8\n9,r3,0\n"));
        assertThat(inputs.columns()).isEqualTo(3);
        assertThat(inputs.rows()).isEqualTo(5);
        assertThat(inputs.rowOrder()).containsExactly(4, 0, 2, 1, 3);
    }

    @Test
    void reportsMissingExtraAndDuplicateIdsWithCountsAndTheFirstOfEach() throws IOException {
        Solution solution = classes(30);
        StringBuilder csv = new StringBuilder("id,pixel\n");
        for (int i = 0; i < 30; i++) {
            if (i < 14) { // r14..r29 missing: 16 of them
                csv.append("r").append(i).append(",0\n");
            }
        }
        for (int i = 0; i < 12; i++) {
            csv.append("x").append(i).append(",0\n"); // 12 the solution does not have
        }
        csv.append("r3,1\n"); // line 28
        List<Problem> found = problems(TestInputsRejected.class, () -> TestInputs.check(solution, Csv.of(csv.toString())));
        assertThat(found).extracting(Problem::key, Problem::args).containsExactly(
                tuple(MessageKeys.TEST_INPUTS_EXTRA_IDS, List.of(12L, "x0, x1, x2, x3, x4, x5, x6, x7, x8, x9")),
                tuple(MessageKeys.TEST_INPUTS_MISSING_IDS, List.of(16L, "r14, r15, r16, r17, r18, r19, r20, r21, r22, r23")),
                tuple(MessageKeys.TEST_INPUTS_DUPLICATE_ID, List.of(28L, "r3", 5L)));
    }

    @Test
    void refusesAHeaderWithoutIdsOrFeaturesOrWithTheLabels() throws IOException {
        Solution solution = classes(3);
        assertThat(problems(TestInputsRejected.class, () -> TestInputs.check(solution, Csv.of("key,x\nr0,1\n"))))
                .extracting(Problem::key).containsExactly(MessageKeys.TEST_INPUTS_HEADER);
        assertThat(problems(TestInputsRejected.class, () -> TestInputs.check(solution, Csv.of("id\nr0\nr1\nr2\n"))))
                .extracting(Problem::key).containsExactly(MessageKeys.TEST_INPUTS_HEADER);
        assertThat(problems(TestInputsRejected.class, () -> TestInputs.check(solution,
                Csv.of("id,x,Animal\nr0,1,cat\nr1,1,cat\nr2,1,dog\n"))))
                .extracting(Problem::key, Problem::args)
                .containsExactly(tuple(MessageKeys.TEST_INPUTS_TARGET_COLUMN, List.of("Animal")));
        assertThat(problems(TestInputsRejected.class, () -> TestInputs.check(solution, Csv.of(""))))
                .extracting(Problem::key).containsExactly(MessageKeys.TEST_INPUTS_EMPTY);
        assertThat(problems(TestInputsRejected.class, () -> TestInputs.check(solution,
                Csv.of("id,x\nr0,1\nr1\n,2\nr2,3\n"))))
                .extracting(Problem::key, Problem::args).containsExactly(
                        tuple(MessageKeys.TEST_INPUTS_MISSING_IDS, List.of(1L, "r1")),
                        tuple(MessageKeys.TEST_INPUTS_RAGGED, List.of(3L, 1, 2)),
                        tuple(MessageKeys.TEST_INPUTS_BLANK_ID, List.of(4L)));
    }

    @Test
    void theSampleSubmissionIsValidInTheTestInputsOrderAndTellsNothing() throws IOException {
        Solution solution = classes(5);
        TestInputs inputs = TestInputs.check(solution, Csv.of("id,x\nr4,1\nr0,1\nr2,1\nr1,1\nr3,1\n"));
        String sample = sample(solution, inputs);
        assertThat(sample).isEqualTo("id,prediction\nr4,cat\nr0,cat\nr2,cat\nr1,cat\nr3,cat\n");
        assertThat(Scorer.score(solution, Csv.of(sample)).publicScore()).isBetween(0.0, 1.0);

        // Without test inputs the ids are sorted, never in the solution's order (which may follow the labels).
        Solution byLabel = Solution.read(Csv.of("id,y\nb,1\nd,1\na,0\nc,0\n"), Metric.LOG_LOSS, 3);
        assertThat(sample(byLabel, null)).isEqualTo("id,prediction\na,0.5\nb,0.5\nc,0.5\nd,0.5\n");
        Solution numbers = Solution.read(Csv.of("id,v\n\"q,1\",2.5\nq2,3\n"), Metric.RMSE, 1);
        String quoted = sample(numbers, null);
        assertThat(quoted).isEqualTo("id,prediction\n\"q,1\",0\nq2,0\n");
        SubmissionValidator.validate(numbers, Csv.of(quoted));
    }

    @Test
    void aFixedSolutionMustNameTheSameIds() throws IOException {
        Solution current = classes(12);
        current.requireSameIds(Solution.read(Csv.of(Csv.lines("id,animal", 12, i -> "r" + (11 - i) + ",cat")), Metric.ACCURACY, 7));
        Solution other = Solution.read(Csv.of(Csv.lines("id,animal", 12, i -> (i < 10 ? "r" : "z") + i + ",dog")), Metric.ACCURACY, 7);
        assertThat(problems(SolutionRejected.class, () -> current.requireSameIds(other)))
                .extracting(Problem::key, Problem::args).containsExactly(
                        tuple(MessageKeys.FIXED_SOLUTION_EXTRA_IDS, List.of(2L, "z10, z11")),
                        tuple(MessageKeys.FIXED_SOLUTION_MISSING_IDS, List.of(2L, "r10, r11")));
    }

    private static String sample(Solution solution, TestInputs inputs) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SampleSubmission.write(solution, inputs, out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
