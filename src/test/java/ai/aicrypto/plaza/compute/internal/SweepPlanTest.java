package ai.aicrypto.plaza.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import ai.aicrypto.plaza.model.card.HyperparameterSpec;
import ai.aicrypto.plaza.model.card.HyperparameterSpec.Type;
import org.junit.jupiter.api.Test;

/** The trials a sweep draws from a card's ranges. */
class SweepPlanTest {

    private static final List<HyperparameterSpec> CARD = List.of(
            new HyperparameterSpec("optimizer", Type.CHOICE, "sgd", null, null, List.of("sgd", "adam"), null),
            new HyperparameterSpec("learningRate", Type.NUMBER, new BigDecimal("0.1"), new BigDecimal("0.001"), BigDecimal.ONE, null, "log"),
            new HyperparameterSpec("batchSize", Type.INTEGER, new BigDecimal("16"), BigDecimal.ONE, new BigDecimal("150"), null, null),
            new HyperparameterSpec("epochs", Type.INTEGER, new BigDecimal("100"), BigDecimal.ONE, new BigDecimal("1000"), null, null),
            new HyperparameterSpec("weightDecay", Type.NUMBER, BigDecimal.ZERO, BigDecimal.ZERO, new BigDecimal("0.1"), null, null),
            new HyperparameterSpec("seed", Type.INTEGER, new BigDecimal("7"), BigDecimal.ZERO, new BigDecimal("2147483647"), null, null));

    private static Map<String, Object> chosen() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("optimizer", "sgd");
        values.put("learningRate", new BigDecimal("0.1"));
        values.put("batchSize", new BigDecimal("16"));
        values.put("epochs", new BigDecimal("30"));
        values.put("weightDecay", BigDecimal.ZERO);
        values.put("seed", new BigDecimal("7"));
        return values;
    }

    @Test
    void aGridOfEightOverThreeSettingsIsTwoByTwoByTwoAndKeepsTheEpochsAndSeed() {
        List<Map<String, Object>> trials = SweepPlan.trials(CARD, chosen(), "epochs", SweepPlan.Search.GRID, 8, new Random(1));
        assertThat(trials).hasSize(8).allSatisfy(t -> assertThat(t).containsEntry("epochs", new BigDecimal("30"))
                .containsEntry("seed", new BigDecimal("7")).containsEntry("optimizer", "sgd"));
        assertThat(trials.stream().map(t -> t.get("learningRate") + " " + t.get("batchSize") + " " + t.get("weightDecay")).distinct())
                .hasSize(8).contains("0.001 1 0", "1 150 0.1");
    }

    @Test
    void aGridOfFiveOverThreeSettingsIsATwoByTwoGridOfTheFirstTwo() {
        List<Map<String, Object>> five = SweepPlan.trials(CARD, chosen(), "epochs", SweepPlan.Search.GRID, 5, new Random(1));
        assertThat(five).hasSize(4).allSatisfy(t -> assertThat(t).containsEntry("weightDecay", BigDecimal.ZERO));
        // a log scale's middle level is the geometric mean of its ends
        List<HyperparameterSpec> one = List.of(CARD.get(1));
        assertThat(SweepPlan.trials(one, Map.of(), "epochs", SweepPlan.Search.GRID, 3, new Random(1)))
                .extracting(t -> t.get("learningRate").toString()).containsExactly("0.001", "0.0316", "1");
    }

    @Test
    void aRandomSearchDrawsEveryVariedSettingWithinTheCardsRanges() {
        List<Map<String, Object>> trials = SweepPlan.trials(CARD, chosen(), "epochs", SweepPlan.Search.RANDOM, 6, new Random(42));
        assertThat(trials).hasSize(6);
        for (Map<String, Object> trial : trials) {
            for (HyperparameterSpec spec : CARD) {
                assertThat(spec.accepts(trial.get(spec.name()))).as(spec.name() + " in " + trial).isTrue();
            }
            assertThat(trial).containsEntry("epochs", new BigDecimal("30")).containsEntry("seed", new BigDecimal("7"));
        }
        assertThat(trials.stream().map(t -> t.get("learningRate")).distinct()).hasSizeGreaterThan(1);
    }

    @Test
    void aCardWithNothingToVaryBesidesItsEpochsGivesNoTrials() {
        List<HyperparameterSpec> epochsOnly = List.of(CARD.get(3), CARD.get(5));
        assertThat(SweepPlan.trials(epochsOnly, chosen(), "epochs", SweepPlan.Search.GRID, 4, new Random(1))).isEmpty();
        assertThat(SweepPlan.trials(epochsOnly, chosen(), "epochs", SweepPlan.Search.RANDOM, 4, new Random(1))).isEmpty();
    }
}
