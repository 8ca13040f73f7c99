package ai.aicrypto.plaza.competition.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleSupplier;

import org.junit.jupiter.api.Test;

/** The radix sort ROC AUC uses orders scores exactly as {@link Arrays#sort(double[])} does. */
class ScoreSortTest {

    private final Random random = new Random(20261207);

    @Test
    void probabilitiesTiesAndRoundedValuesSortAsArraysSortDoes() {
        for (int n : new int[] {0, 1, 4095, 4096, 100_000}) {
            assertSortsLikeArrays(n, random::nextDouble);
            assertSortsLikeArrays(n, () -> Math.round(random.nextDouble() * 20) / 20.0); // many ties, 0.0 and 1.0
            assertSortsLikeArrays(n, () -> 0.5); // one value: every byte shared
        }
    }

    @Test
    void negativeTinyAndHugeValuesSortAsArraysSortDoes() {
        double[] specials = {-Double.MAX_VALUE, -1e300, -1, -Double.MIN_VALUE, 0.0, Double.MIN_VALUE, 1e-300, 1, 1e300,
                Double.MAX_VALUE};
        assertSortsLikeArrays(50_000, () -> random.nextBoolean() ? specials[random.nextInt(specials.length)]
                : random.nextGaussian() * Math.pow(10, random.nextInt(600) - 300));
    }

    private void assertSortsLikeArrays(int n, DoubleSupplier values) {
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            scores[i] = values.getAsDouble() + 0.0;
        }
        double[] expected = scores.clone();
        Arrays.sort(expected);
        ScoreSort.sort(scores);
        assertThat(scores).as("%d values", n).containsExactly(expected);
    }
}
