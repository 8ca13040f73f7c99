package ai.aicrypto.plaza.competition.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class SolutionTest {

    private static String numbers(int n) {
        return Csv.lines("id,target", n, i -> "r" + i + "," + i);
    }

    private static List<String> publicIds(Solution solution) {
        List<String> ids = new ArrayList<>();
        for (int row : solution.publicRows()) {
            ids.add(solution.ids().id(row));
        }
        Collections.sort(ids);
        return ids;
    }

    private static List<Problem> problems(ThrowingCallable read) {
        List<Problem> found = new ArrayList<>();
        assertThatThrownBy(read).isInstanceOfSatisfying(SolutionRejected.class, e -> found.addAll(e.problems()));
        return found;
    }

    @Test
    void readsNumericTargetsAndIds() throws IOException {
        Solution s = Solution.read(Csv.of("id,price\na,1.5\nb,-2\nc,3e2\n"), Metric.RMSE, 1);
        assertThat(s.size()).isEqualTo(3);
        assertThat(s.targetColumn()).isEqualTo("price");
        assertThat(s.classes()).isEmpty();
        assertThat(s.values()).containsExactly(1.5, -2, 300);
        assertThat(s.ids().row("b")).isEqualTo(1);
        assertThat(s.ids().row("zz")).isEqualTo(-1);
        assertThat(s.publicSize() + s.privateSize()).isEqualTo(3);
        assertThat(s.split()).isEqualTo(new Solution.Split(0.30, 1));
    }

    @Test
    void classesAreSortedAndTheLastIsThePositiveOne() throws IOException {
        Solution s = Solution.read(Csv.of("id,label\n1,spam\n2,ham\n3,ham\n4,spam\n"), Metric.LOG_LOSS, 3);
        assertThat(s.classes()).containsExactly("ham", "spam");
        assertThat(s.labels()).containsExactly(1, 0, 0, 1);
        assertThat(s.classIndex("spam")).isEqualTo(1);
        assertThat(s.classIndex("eggs")).isEqualTo(-1);

        Solution multi = Solution.read(Csv.of("id,y\na,cat\nb,dog\nc,bird\nd,cat\n"), Metric.ACCURACY, 3);
        assertThat(multi.classes()).containsExactly("bird", "cat", "dog");
        assertThat(multi.labels()).containsExactly(1, 2, 0, 1);
    }

    @Test
    void supportsMetricsWithTheSameKindOfTarget() throws IOException {
        Solution binary = Solution.read(Csv.of(Csv.lines("id,y", 100, i -> i + "," + (i % 2))), Metric.ROC_AUC, 5);
        assertThat(binary.supports(Metric.LOG_LOSS)).isTrue();
        assertThat(binary.supports(Metric.ACCURACY)).isTrue();
        assertThat(binary.supports(Metric.RMSE)).isFalse();
        Solution multi = Solution.read(Csv.of("id,y\na,x\nb,y\nc,z\n"), Metric.MACRO_F1, 5);
        assertThat(multi.supports(Metric.ACCURACY)).isTrue();
        assertThat(multi.supports(Metric.LOG_LOSS)).isFalse();
        Solution numeric = Solution.read(Csv.of(numbers(10)), Metric.MAE, 5);
        assertThat(numeric.supports(Metric.RMSE)).isTrue();
        assertThat(numeric.supports(Metric.ACCURACY)).isFalse();
    }

    @Test
    void splitHasExactlyRoundedFractionOfPublicRows() throws IOException {
        assertThat(Solution.read(Csv.of(numbers(1000)), Metric.RMSE, 42).publicSize()).isEqualTo(300);
        assertThat(Solution.read(Csv.of(numbers(1000)), Metric.RMSE, 42).privateSize()).isEqualTo(700);
        assertThat(Solution.read(Csv.of(numbers(5)), Metric.RMSE, 42).publicSize()).isEqualTo(2); // round(1.5)
        assertThat(Solution.read(Csv.of(numbers(11)), Metric.RMSE, 42).publicSize()).isEqualTo(3); // round(3.3)
        assertThat(Solution.read(Csv.of(numbers(1001)), Metric.RMSE, new Solution.Split(0.5, 9)).publicSize())
                .isEqualTo(501); // round(500.5)
        assertThat(Solution.read(Csv.of(numbers(10)), Metric.RMSE, new Solution.Split(0.01, 9)).publicSize())
                .isEqualTo(1); // at least one row on each side
        assertThat(Solution.read(Csv.of(numbers(10)), Metric.RMSE, new Solution.Split(0.99, 9)).publicSize())
                .isEqualTo(9);
        for (long seed = 0; seed < 20; seed++) {
            Solution s = Solution.read(Csv.of(numbers(997)), Metric.RMSE, seed);
            assertThat(s.publicSize()).isEqualTo(299);
            assertThat(s.publicRows()).isSorted().doesNotHaveDuplicates();
            assertThat(s.privateRows()).isSorted().doesNotHaveDuplicates().doesNotContain(s.publicRows());
        }
        assertThatThrownBy(() -> new Solution.Split(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Solution.Split(1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Solution.Split(Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void splitIsDeterministicPerSeedAndIndependentOfRowOrder() throws IOException {
        Solution a = Solution.read(Csv.of(numbers(2000)), Metric.RMSE, 7);
        Solution b = Solution.read(Csv.of(numbers(2000)), Metric.RMSE, 7);
        assertThat(publicIds(a)).isEqualTo(publicIds(b));

        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            lines.add("r" + i + "," + i);
        }
        Collections.shuffle(lines, new Random(1));
        Solution shuffled = Solution.read(Csv.of("id,target\n" + String.join("\n", lines)), Metric.RMSE, 7);
        assertThat(publicIds(shuffled)).isEqualTo(publicIds(a));

        Solution otherSeed = Solution.read(Csv.of(numbers(2000)), Metric.RMSE, 8);
        assertThat(publicIds(otherSeed)).isNotEqualTo(publicIds(a));
        // About 30% of the other seed's public rows are public under seed 7 too: the seeds are independent.
        List<String> overlap = new ArrayList<>(publicIds(otherSeed));
        overlap.retainAll(publicIds(a));
        assertThat(overlap.size()).isBetween(120, 240);
    }

    @Test
    void splitIsFixedAcrossRunsAndJvms() throws IOException {
        // Pinned values: the hash and the selection are specified by this code, not by the JDK.
        assertThat(Solution.key("r0", 0)).isEqualTo(Solution.key("r0", 0));
        assertThat(Solution.key("r0", 0)).isNotEqualTo(Solution.key("r0", 1));
        Solution s = Solution.read(Csv.of(numbers(10)), Metric.RMSE, 2024);
        assertThat(publicIds(s)).containsExactlyElementsOf(PINNED_2024);
    }

    private static final List<String> PINNED_2024 = List.of("r3", "r4", "r7");

    @Test
    void splitIsSpreadOverTheFileNotItsStart() throws IOException {
        Solution s = Solution.read(Csv.of(numbers(10_000)), Metric.RMSE, 3);
        int firstHalf = 0;
        for (int row : s.publicRows()) {
            firstHalf += row < 5000 ? 1 : 0;
        }
        assertThat(firstHalf).isBetween(1350, 1650); // 3,000 public rows, about half in each half of the file
    }

    @Test
    void rocAucSolutionNeedsBothClassesInEachPart() {
        // 9 negatives and 1 positive: one part has only negatives.
        List<Problem> found = problems(() -> Solution.read(Csv.of(Csv.lines("id,y", 10, i -> i + "," + (i == 0 ? 1 : 0))),
                Metric.ROC_AUC, 1));
        assertThat(found).hasSize(1);
        assertThat(found.get(0).key()).isEqualTo(MessageKeys.SOLUTION_SPLIT_SINGLE_CLASS);
        assertThat(found.get(0).args()).element(1).isEqualTo("0");
        assertThat(found.get(0).args()).element(2).isEqualTo("ROC_AUC");
    }

    @Test
    void binaryMetricNeedsExactlyTwoClasses() {
        List<Problem> found = problems(() -> Solution.read(Csv.of("id,y\na,x\nb,y\nc,z\n"), Metric.LOG_LOSS, 1));
        assertThat(found).extracting(Problem::key, Problem::args)
                .containsExactly(tuple(MessageKeys.SOLUTION_NOT_BINARY, List.of("LOG_LOSS", 3, "x, y, z")));
    }

    @Test
    void rejectsEveryRowProblemWithItsLine() {
        String csv = "id,y\n"
                + "a,1\n"          // 2
                + "b,2,3\n"        // 3 ragged
                + ",4\n"           // 4 blank id
                + "a,5\n"          // 5 duplicate of line 2
                + "c,five\n"       // 6 not a number
                + "d,NaN\n"        // 7 not finite
                + "e,Infinity\n";  // 8 not finite
        List<Problem> found = problems(() -> Solution.read(Csv.of(csv), Metric.RMSE, 1));
        assertThat(found).extracting(Problem::key, Problem::args).containsExactly(
                tuple(MessageKeys.SOLUTION_RAGGED, List.of(3L, 3)),
                tuple(MessageKeys.SOLUTION_BLANK_ID, List.of(4L)),
                tuple(MessageKeys.SOLUTION_DUPLICATE_ID, List.of(5L, "a", 2L)),
                tuple(MessageKeys.SOLUTION_NOT_A_NUMBER, List.of(6L, "five", "c")),
                tuple(MessageKeys.SOLUTION_NOT_A_NUMBER, List.of(7L, "NaN", "d")),
                tuple(MessageKeys.SOLUTION_NOT_A_NUMBER, List.of(8L, "Infinity", "e")));
        assertThat(problems(() -> Solution.read(Csv.of("id,y\na,x\nb,\n"), Metric.ACCURACY, 1)))
                .extracting(Problem::key, Problem::args)
                .containsExactly(tuple(MessageKeys.SOLUTION_BLANK_TARGET, List.of(3L, "b")));
    }

    @Test
    void rejectsFileLevelProblems() {
        assertThat(problems(() -> Solution.read(Csv.of(""), Metric.RMSE, 1)))
                .extracting(Problem::key).containsExactly(MessageKeys.SOLUTION_EMPTY);
        assertThat(problems(() -> Solution.read(Csv.of("ID,y\na,1\n"), Metric.RMSE, 1)))
                .extracting(Problem::key, Problem::args).containsExactly(tuple(MessageKeys.SOLUTION_HEADER, List.of("ID,y")));
        assertThat(problems(() -> Solution.read(Csv.of("id,y,z\na,1,2\n"), Metric.RMSE, 1)))
                .extracting(Problem::key, Problem::args).containsExactly(tuple(MessageKeys.SOLUTION_HEADER, List.of("id,y,z")));
        assertThat(problems(() -> Solution.read(Csv.of("id,y\na,1\n"), Metric.RMSE, 1)))
                .extracting(Problem::key, Problem::args).containsExactly(tuple(MessageKeys.SOLUTION_TOO_FEW_ROWS, List.of(1, 2)));
        byte[] latin1 = {'i', 'd', ',', 'y', '\n', 'a', ',', '1', '\n', 'b', ',', (byte) 0xE9, '\n'};
        assertThat(problems(() -> Solution.read(new ByteArrayInputStream(latin1), Metric.ACCURACY, 1)))
                .extracting(Problem::key, Problem::args).containsExactly(tuple(MessageKeys.SOLUTION_ENCODING, List.of(3L)));
        assertThat(problems(() -> Solution.read(Csv.of("id,y\na,1\nb,\"2\n"), Metric.RMSE, 1)))
                .extracting(Problem::key, Problem::args).containsExactly(tuple(MessageKeys.SOLUTION_MALFORMED, List.of(3L)));
    }

    @Test
    void holdsAMillionRowsCompactly() throws IOException {
        int n = 1_000_000;
        StringBuilder csv = new StringBuilder(n * 16).append("id,y\n");
        for (int i = 0; i < n; i++) {
            csv.append("row").append(i).append(',').append(i % 3).append('\n');
        }
        Solution s = Solution.read(Csv.of(csv.toString()), Metric.MACRO_F1, 11);
        assertThat(s.size()).isEqualTo(n);
        assertThat(s.publicSize()).isEqualTo(300_000);
        assertThat(s.ids().row("row999999")).isEqualTo(999_999);
        assertThat(s.labels()).hasSize(n);
        assertThat(s.classes()).containsExactly("0", "1", "2");
    }
}
