package ai.aicrypto.plaza.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The baselines a verified result must beat, against values worked out by hand. */
class HeldOutBaselineTest {

    @Test
    void theMajorityShareIsTheMostFrequentClasssShare() {
        assertThat(HeldOutBaseline.majorityShare(new long[] {2, 0, 2, 1, 2, 0, 2, 2})).isEqualTo(5.0 / 8);
        assertThat(HeldOutBaseline.majorityShare(new long[] {7})).isEqualTo(1.0);
        assertThat(HeldOutBaseline.majorityShare(new long[0])).isZero();
    }

    @Test
    void theMarginIsTwoStandardErrorsOfTheShareAndAtLeastOnePercent() {
        // p = 0.5 on 100 rows: 2 * sqrt(0.25 / 100) = 0.1
        assertThat(HeldOutBaseline.margin(0.5, 100)).isCloseTo(0.1, within(1e-12));
        // p = 0.1 on 10,000 rows: 2 * sqrt(0.09 / 10000) = 0.006, raised to the floor
        assertThat(HeldOutBaseline.margin(0.1, 10_000)).isEqualTo(HeldOutBaseline.MIN_MARGIN);
        assertThat(HeldOutBaseline.margin(0.5, 0)).isEqualTo(1.0);
    }

    @Test
    void predictingTheMeanCostsTheTargetsVariance() {
        // one column 1, 2, 3, 6: mean 3, squared deviations 4 + 1 + 0 + 9 = 14, over 4 values
        assertThat(HeldOutBaseline.constantPredictionMse(new float[] {1, 2, 3, 6}, 4)).isCloseTo(3.5, within(1e-9));
        // two columns (row-major): (1, 10), (3, 10): column means 2 and 10; deviations 1 + 1 + 0 + 0 over 4 values
        assertThat(HeldOutBaseline.constantPredictionMse(new float[] {1, 10, 3, 10}, 2)).isCloseTo(0.5, within(1e-9));
        assertThat(HeldOutBaseline.constantPredictionMse(new float[0], 0)).isZero();
    }
}
