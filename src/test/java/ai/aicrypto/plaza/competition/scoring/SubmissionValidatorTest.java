package ai.aicrypto.plaza.competition.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

import org.junit.jupiter.api.Test;

class SubmissionValidatorTest {

    private static Solution numeric() throws IOException {
        return Solution.read(Csv.of("id,y\na,1\nb,2\nc,3\nd,4\n"), Metric.RMSE, 1);
    }

    private static Solution binary() throws IOException {
        return Solution.read(Csv.of(Csv.lines("id,y", 20, i -> "p" + i + "," + (i % 2))), Metric.LOG_LOSS, 1);
    }

    private static Solution labels() throws IOException {
        return Solution.read(Csv.of("id,animal\n1,cat\n2,dog\n3,bird\n"), Metric.ACCURACY, 1);
    }

    private static List<Problem> problems(Solution solution, InputStream submission) {
        List<Problem> found = new ArrayList<>();
        assertThatThrownBy(() -> SubmissionValidator.validate(solution, submission))
                .isInstanceOfSatisfying(SubmissionRejected.class, e -> found.addAll(e.problems()));
        return found;
    }

    private static List<Problem> problems(Solution solution, String submission) {
        return problems(solution, Csv.of(submission));
    }

    @Test
    void alignsPredictionsWithTheSolutionRowsWhateverTheirOrder() throws IOException {
        Predictions p = SubmissionValidator.validate(numeric(), Csv.of("id,prediction\nd,40\nb,20\na,10\nc,30\n"));
        assertThat(p.size()).isEqualTo(4);
        assertThat(p.metric()).isEqualTo(Metric.RMSE);
        assertThat(p.values()).containsExactly(10, 20, 30, 40);

        Predictions l = SubmissionValidator.validate(labels(), Csv.of("id,prediction\n3,cat\n1,cat\n2,dog\n"));
        assertThat(l.labels()).containsExactly(1, 2, 1); // classes sorted: bird, cat, dog
    }

    /**
     * A large shuffled submission leaves the sequential fast path and resolves its ids in batches: rows still land
     * on their own ids, also ids sharing one String hash code ("Aa" and "BB" do, and so do their concatenations),
     * and duplicate and unknown ids are still reported with their lines.
     */
    @Test
    void shuffledSubmissionsResolveEveryIdExactly() throws IOException {
        List<String> ids = new ArrayList<>(List.of("Aa", "BB", "AaAa", "AaBB", "BBAa", "BBBB"));
        for (int i = 0; ids.size() < 20_000; i++) {
            ids.add("r" + i);
        }
        StringBuilder solutionCsv = new StringBuilder("id,y\n");
        for (int row = 0; row < ids.size(); row++) {
            solutionCsv.append(ids.get(row)).append(',').append(row).append('\n');
        }
        Solution solution = Solution.read(Csv.of(solutionCsv.toString()), Metric.MAE, 1);
        List<Integer> order = new ArrayList<>();
        for (int row = 0; row < ids.size(); row++) {
            order.add(row);
        }
        java.util.Collections.shuffle(order, new java.util.Random(3));
        StringBuilder submission = new StringBuilder("id,prediction\n");
        for (int row : order) {
            submission.append(ids.get(row)).append(',').append(row * 10).append('\n');
        }
        Predictions p = SubmissionValidator.validate(solution, Csv.of(submission.toString()));
        for (int row = 0; row < ids.size(); row++) {
            assertThat(p.values()[row]).as(ids.get(row)).isEqualTo(row * 10.0);
        }

        // Lines 15,002 and 18,002 (rows 15,000 and 18,000 of the shuffled order) become a duplicate of line 2's id
        // and an unknown id that collides with a known one.
        String[] lines = submission.toString().split("\n");
        String firstId = lines[1].split(",")[0];
        String dropped = lines[15_001].split(",")[0];
        String droppedToo = lines[18_001].split(",")[0];
        lines[15_001] = firstId + ",1";
        lines[18_001] = "BBBBAa,1"; // hash code of "AaAaAa", not a test id
        assertThat(problems(solution, String.join("\n", lines) + "\n")).extracting(Problem::key, Problem::args)
                .containsExactly(
                        tuple(MessageKeys.SUBMISSION_DUPLICATE_ID, List.of(15_002L, firstId, 2L)),
                        tuple(MessageKeys.SUBMISSION_UNKNOWN_ID, List.of(18_002L, "BBBBAa")),
                        tuple(MessageKeys.SUBMISSION_MISSING_IDS, List.of(2, String.join(", ",
                                ids.indexOf(dropped) < ids.indexOf(droppedToo) ? List.of(dropped, droppedToo)
                                        : List.of(droppedToo, dropped)))));
    }

    @Test
    void acceptsByteOrderMarkCrLfBlankLinesQuotesAndNoFinalNewline() throws IOException {
        byte[] bom = "\uFEFFid,prediction\r\na,1\r\n\r\n\"b\",\"2.5\"\r\nc,-3e-1\r\nd,+4".getBytes(StandardCharsets.UTF_8);
        Predictions p = SubmissionValidator.validate(numeric(), new ByteArrayInputStream(bom));
        assertThat(p.values()).containsExactly(1, 2.5, -0.3, 4);
    }

    @Test
    void emptyFile() throws IOException {
        assertThat(problems(numeric(), "")).extracting(Problem::key).containsExactly(MessageKeys.SUBMISSION_EMPTY);
        assertThat(problems(numeric(), "\n\n")).extracting(Problem::key).containsExactly(MessageKeys.SUBMISSION_EMPTY);
    }

    @Test
    void headerMustBeExactlyIdPrediction() throws IOException {
        for (String header : List.of("id,target", "ID,prediction", "id, prediction", "id", "id,prediction,extra",
                "a,1")) {
            assertThat(problems(numeric(), header + "\na,1\n")).as(header)
                    .extracting(Problem::key, Problem::args)
                    .containsExactly(tuple(MessageKeys.SUBMISSION_HEADER, List.of(header)));
        }
    }

    @Test
    void headerWithoutRows() throws IOException {
        assertThat(problems(numeric(), "id,prediction\n")).extracting(Problem::key, Problem::args)
                .containsExactly(tuple(MessageKeys.SUBMISSION_NO_ROWS, List.of(4)));
    }

    @Test
    void duplicateIdNamesBothLines() throws IOException {
        assertThat(problems(numeric(), "id,prediction\na,1\nb,2\nc,3\nd,4\nb,5\n"))
                .extracting(Problem::key, Problem::args).containsExactly(
                        tuple(MessageKeys.SUBMISSION_ROW_COUNT, List.of(5L, 4)),
                        tuple(MessageKeys.SUBMISSION_DUPLICATE_ID, List.of(6L, "b", 3L)));
    }

    @Test
    void unknownAndMissingIds() throws IOException {
        assertThat(problems(numeric(), "id,prediction\na,1\nx,2\nc,3\nA,4\n"))
                .extracting(Problem::key, Problem::args).containsExactly(
                        tuple(MessageKeys.SUBMISSION_UNKNOWN_ID, List.of(3L, "x")),
                        tuple(MessageKeys.SUBMISSION_UNKNOWN_ID, List.of(5L, "A")),
                        tuple(MessageKeys.SUBMISSION_MISSING_IDS, List.of(2, "b, d")));
    }

    @Test
    void wrongRowCount() throws IOException {
        assertThat(problems(numeric(), "id,prediction\na,1\nb,2\n"))
                .extracting(Problem::key, Problem::args).containsExactly(
                        tuple(MessageKeys.SUBMISSION_ROW_COUNT, List.of(2L, 4)),
                        tuple(MessageKeys.SUBMISSION_MISSING_IDS, List.of(2, "c, d")));
    }

    @Test
    void raggedRows() throws IOException {
        assertThat(problems(numeric(), "id,prediction\na,1\nb\nc,3,4\nd,4\nb,2\n"))
                .extracting(Problem::key, Problem::args).containsExactly(
                        tuple(MessageKeys.SUBMISSION_ROW_COUNT, List.of(5L, 4)),
                        tuple(MessageKeys.SUBMISSION_RAGGED, List.of(3L, 1)),
                        tuple(MessageKeys.SUBMISSION_RAGGED, List.of(4L, 3)),
                        tuple(MessageKeys.SUBMISSION_MISSING_IDS, List.of(1, "c")));
    }

    @Test
    void nonNumericAndNonFinitePredictions() throws IOException {
        assertThat(problems(numeric(), "id,prediction\na,one\nb,NaN\nc,-Infinity\nd, 4\n"))
                .extracting(Problem::key, Problem::args).containsExactly(
                        tuple(MessageKeys.SUBMISSION_NOT_A_NUMBER, List.of(2L, "one", "a")),
                        tuple(MessageKeys.SUBMISSION_NOT_A_NUMBER, List.of(5L, " 4", "d")),
                        tuple(MessageKeys.SUBMISSION_NOT_FINITE, List.of(3L, "NaN", "b")),
                        tuple(MessageKeys.SUBMISSION_NOT_FINITE, List.of(4L, "-Infinity", "c")));
        assertThat(problems(numeric(), "id,prediction\na,\nb,0x1p3\nc,1d\nd,1e999\n"))
                .extracting(Problem::key, Problem::args).containsExactly(
                        tuple(MessageKeys.SUBMISSION_NOT_A_NUMBER, List.of(2L, "", "a")),
                        tuple(MessageKeys.SUBMISSION_NOT_A_NUMBER, List.of(3L, "0x1p3", "b")),
                        tuple(MessageKeys.SUBMISSION_NOT_A_NUMBER, List.of(4L, "1d", "c")),
                        tuple(MessageKeys.SUBMISSION_NOT_FINITE, List.of(5L, "1e999", "d")));
    }

    @Test
    void probabilitiesMustBeBetweenZeroAndOne() throws IOException {
        String ok = Csv.lines("id,prediction", 20, i -> "p" + i + "," + (i == 3 ? "1.5" : i == 7 ? "-0.01" : "0.5"));
        assertThat(problems(binary(), ok)).extracting(Problem::key, Problem::args).containsExactly(
                tuple(MessageKeys.SUBMISSION_NOT_A_PROBABILITY, List.of(5L, "1.5", "p3")),
                tuple(MessageKeys.SUBMISSION_NOT_A_PROBABILITY, List.of(9L, "-0.01", "p7")));
        Solution rocAuc = Solution.read(Csv.of(Csv.lines("id,y", 20, i -> "p" + i + "," + (i % 2))), Metric.ROC_AUC, 1);
        assertThat(problems(rocAuc, ok)).extracting(Problem::key)
                .containsOnly(MessageKeys.SUBMISSION_NOT_A_PROBABILITY).hasSize(2);
        String edges = Csv.lines("id,prediction", 20, i -> "p" + i + "," + (i % 2 == 0 ? "0" : "1.0"));
        assertThat(SubmissionValidator.validate(binary(), Csv.of(edges)).size()).isEqualTo(20);
    }

    @Test
    void labelsMustBeClassesOfTheSolution() throws IOException {
        assertThat(problems(labels(), "id,prediction\n1,cat\n2,Dog\n3,fish\n"))
                .extracting(Problem::key, Problem::args).containsExactly(
                        tuple(MessageKeys.SUBMISSION_UNKNOWN_LABEL, List.of(3L, "Dog", "2", "bird, cat, dog")),
                        tuple(MessageKeys.SUBMISSION_UNKNOWN_LABEL, List.of(4L, "fish", "3", "bird, cat, dog")));
    }

    @Test
    void labelsTheSolutionLacksAreWrongAnswersWhenAModelGaveThem() throws IOException {
        Solution truth = Solution.read(Csv.of("id,animal\n1,cat\n2,dog\n3,bird\n4,cat\n"), Metric.MACRO_F1, 1);
        String answers = "id,prediction\n1,cat\n2,fish\n3,bird\n4,fish\n";
        assertThat(problems(truth, answers)).extracting(Problem::key).containsOnly(MessageKeys.SUBMISSION_UNKNOWN_LABEL);

        Predictions predictions = SubmissionValidator.validate(truth, Csv.of(answers), SubmissionValidator.UnknownLabels.WRONG);
        assertThat(Metric.ACCURACY.score(truth.labels(), predictions.labels())).isEqualTo(0.5);
        // scikit-learn's f1_score(truth, answers, average="macro") over bird, cat, dog and fish: (1 + 2/3 + 0 + 0) / 4
        assertThat(Metric.MACRO_F1.score(truth.labels(), predictions.labels())).isCloseTo(5.0 / 12, within(1e-12));
    }

    @Test
    void invalidUtf8NamesItsLine() throws IOException {
        byte[] bytes = "id,prediction\na,1\nb,2\nc,3\u00FF\nd,4\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(problems(numeric(), new ByteArrayInputStream(bytes)))
                .extracting(Problem::key, Problem::args)
                .containsExactly(tuple(MessageKeys.SUBMISSION_ENCODING, List.of(4L)));
        // Far into the file: the line count carries across decoder buffers.
        StringBuilder big = new StringBuilder("id,prediction\n");
        for (int i = 0; i < 50_000; i++) {
            big.append("zz").append(i).append(",1\n");
        }
        byte[] prefix = big.toString().getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[prefix.length + 4];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        all[prefix.length] = 'q';
        all[prefix.length + 1] = ',';
        all[prefix.length + 2] = (byte) 0xC3; // a lead byte without its continuation
        all[prefix.length + 3] = '\n';
        assertThat(problems(numeric(), new ByteArrayInputStream(all)))
                .extracting(Problem::key, Problem::args)
                .containsExactly(tuple(MessageKeys.SUBMISSION_ENCODING, List.of(50_002L)));
    }

    @Test
    void brokenQuotingNamesTheLineItStartsOn() throws IOException {
        assertThat(problems(numeric(), "id,prediction\na,1\nb,\"2\nc,3\n"))
                .extracting(Problem::key, Problem::args)
                .containsExactly(tuple(MessageKeys.SUBMISSION_MALFORMED, List.of(3L)));
        assertThat(problems(numeric(), "id,prediction\na,1\nb,\"2\"x\n"))
                .extracting(Problem::key, Problem::args)
                .containsExactly(tuple(MessageKeys.SUBMISSION_MALFORMED, List.of(3L)));
    }

    @Test
    void lineNumbersStayRightAfterAQuotedMultiLineValue() throws IOException {
        assertThat(problems(numeric(), "id,prediction\n\"a\nb\",1\nb,2\nzz,3\n"))
                .extracting(Problem::key, Problem::args).containsExactly(
                        tuple(MessageKeys.SUBMISSION_ROW_COUNT, List.of(3L, 4)),
                        tuple(MessageKeys.SUBMISSION_UNKNOWN_ID, List.of(2L, "a\nb")),
                        tuple(MessageKeys.SUBMISSION_UNKNOWN_ID, List.of(5L, "zz")),
                        tuple(MessageKeys.SUBMISSION_MISSING_IDS, List.of(3, "a, c, d")));
    }

    @Test
    void overlongLine() throws IOException {
        String submission = "id,prediction\na,1\nb," + "1".repeat(CsvLines.MAX_LINE_LENGTH) + "\n";
        assertThat(problems(numeric(), submission)).extracting(Problem::key, Problem::args)
                .containsExactly(tuple(MessageKeys.SUBMISSION_LINE_TOO_LONG, List.of(3L, CsvLines.MAX_LINE_LENGTH)));
    }

    @Test
    void reportsTenOfEachKindThenHowManyMore() throws IOException {
        String submission = Csv.lines("id,prediction", 25, i -> "u" + i + ",1") + "a,1\nb,2\nc,3\nd,4\n";
        List<Problem> found = problems(numeric(), submission);
        assertThat(found).hasSize(12);
        assertThat(found.get(0)).isEqualTo(new Problem(MessageKeys.SUBMISSION_ROW_COUNT, List.of(29L, 4)));
        assertThat(found.get(1)).isEqualTo(new Problem(MessageKeys.SUBMISSION_UNKNOWN_ID, List.of(2L, "u0")));
        assertThat(found.get(10)).isEqualTo(new Problem(MessageKeys.SUBMISSION_UNKNOWN_ID, List.of(11L, "u9")));
        assertThat(found.get(11)).isEqualTo(new Problem(MessageKeys.MORE, List.of(15)));

        Solution many = Solution.read(Csv.of(Csv.lines("id,y", 30, i -> "m" + i + "," + i)), Metric.MAE, 1);
        List<Problem> missing = problems(many, "id,prediction\nm3,1\n");
        assertThat(missing.get(1)).isEqualTo(new Problem(MessageKeys.SUBMISSION_MISSING_IDS,
                List.of(29, "m0, m1, m2, m4, m5, m6, m7, m8, m9, m10")));
    }

    /**
     * A shuffled submission is read in runs: the first ids one by one, until the sequential guess has failed too
     * often, then runs of the test set's size whose ids are joined together. Problems are still reported in the order
     * of their lines, whichever run found them: a ragged row in the first run, an invalid prediction, an unknown id
     * and duplicates (beyond the test set's size) in the joined one.
     */
    @Test
    void problemsOfAShuffledSubmissionStayInLineOrderAcrossRuns() throws IOException {
        int n = 5_000;
        Solution solution = Solution.read(Csv.of(Csv.lines("id,y", n, i -> "s" + i + "," + i)), Metric.MAE, 1);
        List<Integer> order = new ArrayList<>();
        for (int row = 0; row < n; row++) {
            order.add(row);
        }
        java.util.Collections.shuffle(order, new java.util.Random(5));
        List<String> lines = new ArrayList<>(List.of("id,prediction"));
        order.forEach(row -> lines.add("s" + row + "," + row));
        lines.set(500, "s" + order.get(499) + ",1,2"); // ragged: its id counts as missing
        lines.set(3_000, "s" + order.get(2_999) + ",x");
        lines.set(4_000, "nobody,1"); // unknown: s<order 3,999> is missing
        lines.add("s" + order.get(0) + ",1"); // line 5,002, in the second run
        lines.add("s" + order.get(1) + ",1");

        assertThat(problems(solution, String.join("\n", lines) + "\n")).extracting(Problem::key, Problem::args)
                .containsExactly(
                        tuple(MessageKeys.SUBMISSION_ROW_COUNT, List.of((long) n + 2, n)),
                        tuple(MessageKeys.SUBMISSION_RAGGED, List.of(501L, 3)),
                        tuple(MessageKeys.SUBMISSION_NOT_A_NUMBER, List.of(3_001L, "x", "s" + order.get(2_999))),
                        tuple(MessageKeys.SUBMISSION_UNKNOWN_ID, List.of(4_001L, "nobody")),
                        tuple(MessageKeys.SUBMISSION_DUPLICATE_ID, List.of(5_002L, "s" + order.get(0), 2L)),
                        tuple(MessageKeys.SUBMISSION_DUPLICATE_ID, List.of(5_003L, "s" + order.get(1), 3L)),
                        tuple(MessageKeys.SUBMISSION_MISSING_IDS, List.of(2, String.join(", ",
                                order.get(499) < order.get(3_999)
                                        ? List.of("s" + order.get(499), "s" + order.get(3_999))
                                        : List.of("s" + order.get(3_999), "s" + order.get(499))))));
    }

    @Test
    void metricTheSolutionCannotScoreIsRefused() {
        assertThatThrownBy(() -> SubmissionValidator.validate(numeric(), Metric.ACCURACY, Csv.of("id,prediction\n")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stopsWhenInterrupted() throws IOException {
        Solution solution = numeric();
        String submission = Csv.lines("id,prediction", 200_000, i -> "x" + i + ",1");
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> SubmissionValidator.validate(solution, Csv.of(submission)))
                    .isInstanceOf(CancellationException.class);
        } finally {
            Thread.interrupted();
        }
    }
}
