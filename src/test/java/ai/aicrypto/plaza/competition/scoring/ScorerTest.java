package ai.aicrypto.plaza.competition.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

class ScorerTest {

    /** 10 rows, truth = row number; predictions exact on public rows and off by 123.25 on private ones. */
    private static Scores publicPerfectPrivateOff() throws IOException {
        Solution solution = Solution.read(Csv.of(Csv.lines("id,y", 10, i -> "r" + i + "," + i)), Metric.RMSE, 5);
        StringBuilder submission = new StringBuilder("id,prediction\n");
        for (int i = 0; i < 10; i++) {
            double prediction = solution.isPublic("r" + i) ? i : i + 123.25;
            submission.append("r").append(i).append(',').append(prediction).append('\n');
        }
        return Scorer.score(solution, Csv.of(submission.toString()));
    }

    @Test
    void scoresPublicPrivateAndAllRowsSeparately() throws IOException {
        Scores scores = publicPerfectPrivateOff();
        assertThat(scores.metric()).isEqualTo(Metric.RMSE);
        assertThat(scores.publicScore()).isEqualTo(0.0);
        assertThat(scores.publicRows()).isEqualTo(3);
        Scores.Hidden hidden = scores.revealPrivate();
        assertThat(hidden.privateScore()).isCloseTo(123.25, within(1e-12));
        assertThat(hidden.privateRows()).isEqualTo(7);
        assertThat(hidden.overallScore()).isCloseTo(Math.sqrt(0.7) * 123.25, within(1e-12));
    }

    @Test
    void aLargeShuffledSubmissionScoresAsTheSameRowsInOrder() throws IOException {
        // 200,000 ids: their lookup is joined by partitions on several threads (SubmissionValidator, IdIndex.rows).
        int n = 200_000;
        Solution solution = Solution.read(Csv.of(Csv.lines("id,y", n, i -> "id-" + i + "," + (i % 2))), Metric.ROC_AUC, 11);
        SplittableRandom random = new SplittableRandom(5);
        double[] predictions = random.doubles(n).toArray();
        String[] lines = new String[n];
        for (int i = 0; i < n; i++) {
            lines[i] = "id-" + i + "," + predictions[i];
        }
        Scores inOrder = Scorer.score(solution, Csv.of("id,prediction\n" + String.join("\n", lines) + "\n"));
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            String swap = lines[i];
            lines[i] = lines[j];
            lines[j] = swap;
        }
        Scores shuffled = Scorer.score(solution, Csv.of("id,prediction\n" + String.join("\n", lines) + "\n"));
        assertThat(shuffled.publicScore()).isEqualTo(inOrder.publicScore());
        assertThat(shuffled.revealPrivate().overallScore()).isEqualTo(inOrder.revealPrivate().overallScore());
    }

    @Test
    void logLossOfTheScikitLearnExampleThroughCsvFiles() throws IOException {
        Solution solution = Solution.read(Csv.of("id,label\n1,spam\n2,ham\n3,ham\n4,spam\n"), Metric.LOG_LOSS, 0);
        Scores scores = Scorer.score(solution, Csv.of("id,prediction\n1,0.9\n2,0.1\n3,0.2\n4,0.65\n"));
        assertThat(scores.revealPrivate().overallScore()).isCloseTo(0.21616, within(1e-5));
    }

    @Test
    void binaryMetricsThroughCsvFilesUseTheSortedLastClassAsPositive() throws IOException {
        Solution solution = Solution.read(Csv.of("id,y\na,0\nb,0\nc,1\nd,1\n"), Metric.LOG_LOSS, 3);
        Scores scores = Scorer.score(solution, Metric.LOG_LOSS,
                Csv.of("id,prediction\na,0.1\nb,0.4\nc,0.35\nd,0.8\n"));
        assertThat(scores.revealPrivate().overallScore())
                .isCloseTo(-(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4, within(1e-12));
        Solution big = Solution.read(Csv.of(Csv.lines("id,y", 40, i -> "k" + i + "," + (i % 2))), Metric.ROC_AUC, 3);
        String submission = Csv.lines("id,prediction", 40, i -> "k" + i + "," + (i % 2 == 1 ? 0.8 : 0.2));
        Scores perfect = Scorer.score(big, Csv.of(submission));
        assertThat(perfect.publicScore()).isEqualTo(1.0);
        assertThat(perfect.revealPrivate().privateScore()).isEqualTo(1.0);
        assertThat(perfect.revealPrivate().overallScore()).isEqualTo(1.0);
    }

    @Test
    void everyMetricOnEachPartEqualsTheMetricOnThatPartsRows() throws IOException {
        SplittableRandom random = new SplittableRandom(99);
        int n = 500;
        int[] classes = new int[n];
        double[] numbers = new double[n];
        double[] probabilities = new double[n];
        int[] predictedClasses = new int[n];
        for (int i = 0; i < n; i++) {
            classes[i] = random.nextInt(3);
            numbers[i] = random.nextDouble() * 10;
            probabilities[i] = random.nextInt(20) / 19.0;
            predictedClasses[i] = random.nextInt(4) == 0 ? random.nextInt(3) : classes[i];
        }
        for (Metric metric : Metric.values()) {
            boolean binary = metric.binary();
            StringBuilder solutionCsv = new StringBuilder("id,y\n");
            StringBuilder submission = new StringBuilder("id,prediction\n");
            for (int i = n - 1; i >= 0; i--) { // submission order differs from solution order below
                submission.append("id").append(i).append(',').append(switch (metric.predictionKind()) {
                    case LABEL -> "c" + predictedClasses[i];
                    case PROBABILITY -> Double.toString(probabilities[i]);
                    case NUMBER -> Double.toString(numbers[i] + (i % 7) - 3);
                }).append('\n');
            }
            for (int i = 0; i < n; i++) {
                solutionCsv.append("id").append(i).append(',').append(switch (metric.predictionKind()) {
                    case LABEL -> "c" + classes[i];
                    case PROBABILITY -> Integer.toString(classes[i] % 2);
                    case NUMBER -> Double.toString(numbers[i]);
                }).append('\n');
            }
            Solution solution = Solution.read(Csv.of(solutionCsv.toString()), metric, 17);
            Scores scores = Scorer.score(solution, metric, Csv.of(submission.toString()));
            double[] expected = new double[3];
            int[][] parts = {solution.publicRows(), solution.privateRows(), null};
            for (int p = 0; p < 3; p++) {
                int[] rows = parts[p] == null ? java.util.stream.IntStream.range(0, n).toArray() : parts[p];
                int[] t = Arrays.stream(rows).map(r -> binary ? classes[r] % 2 : classes[r]).toArray();
                expected[p] = switch (metric.predictionKind()) {
                    case LABEL -> metric.score(t, Arrays.stream(rows).map(r -> predictedClasses[r]).toArray());
                    case PROBABILITY -> metric.score(t, Arrays.stream(rows).mapToDouble(r -> probabilities[r]).toArray());
                    case NUMBER -> metric.score(Arrays.stream(rows).mapToDouble(r -> numbers[r]).toArray(),
                            Arrays.stream(rows).mapToDouble(r -> numbers[r] + (r % 7) - 3).toArray());
                };
            }
            assertThat(scores.publicScore()).as(metric + " public").isCloseTo(expected[0], within(1e-9));
            assertThat(scores.revealPrivate().privateScore()).as(metric + " private").isCloseTo(expected[1], within(1e-9));
            assertThat(scores.revealPrivate().overallScore()).as(metric + " all").isCloseTo(expected[2], within(1e-9));
            assertThat(scores.publicScore()).as(metric.name()).isNotEqualTo(scores.revealPrivate().privateScore());
        }
    }

    @Test
    void rejectedSubmissionIsNotScored() throws IOException {
        Solution solution = Solution.read(Csv.of("id,y\na,1\nb,2\n"), Metric.MAE, 1);
        assertThatThrownBy(() -> Scorer.score(solution, Csv.of("id,prediction\na,1\n")))
                .isInstanceOf(SubmissionRejected.class);
    }

    @Test
    void privateScoreDoesNotLeakThroughToStringOrAccessors() throws IOException {
        Scores scores = publicPerfectPrivateOff();
        String hiddenPrivate = "123.25";
        String hiddenOverall = Double.toString(scores.revealPrivate().overallScore()).substring(0, 6);

        assertThat(scores.toString()).contains("public=0.0").contains("private=hidden")
                .doesNotContain(hiddenPrivate).doesNotContain(hiddenOverall);
        assertThat(scores.publicPart().toString()).contains("0.0")
                .doesNotContain(hiddenPrivate).doesNotContain(hiddenOverall);

        // Every public no-argument method except revealPrivate() gives nothing derived from the private rows.
        for (Method method : Scores.class.getMethods()) {
            if (method.getDeclaringClass() != Scores.class || method.getParameterCount() > 0
                    || Modifier.isStatic(method.getModifiers()) || method.getName().equals("revealPrivate")) {
                continue;
            }
            String value;
            try {
                value = String.valueOf(method.invoke(scores));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            assertThat(value).as(method.getName()).doesNotContain(hiddenPrivate).doesNotContain(hiddenOverall);
            assertThat(method.getName()).doesNotStartWith("get").doesNotStartWith("is");
        }
        assertThat(Arrays.stream(Scores.class.getMethods()).map(Method::getReturnType))
                .filteredOn(type -> type == Scores.Hidden.class).hasSize(1);
    }

    @Test
    void jsonOfScoresAndOfThePublicPartHoldsNoPrivateScore() throws IOException {
        Scores scores = publicPerfectPrivateOff();
        JsonMapper mapper = JsonMapper.builder().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS).build();
        String json = mapper.writeValueAsString(scores);
        assertThat(json).doesNotContain("123.25").doesNotContain("103.1");
        String publicJson = mapper.writeValueAsString(scores.publicPart());
        assertThat(publicJson).contains("\"score\":0.0").contains("\"rows\":3").contains("RMSE")
                .doesNotContain("123.25").doesNotContain("103.1");
        assertThat(mapper.writeValueAsString(scores.revealPrivate())).contains("123.25");
    }
}
