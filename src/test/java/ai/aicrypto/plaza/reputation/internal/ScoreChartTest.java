package ai.aicrypto.plaza.reputation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import ai.aicrypto.plaza.platform.ChartSeries;
import ai.aicrypto.plaza.reputation.internal.ReputationController.ScoreRow;
import org.junit.jupiter.api.Test;

class ScoreChartTest {

    private static Instant startOf(long epoch) {
        return Instant.parse("2026-11-02T00:00:00Z").plusSeconds(3600 * (epoch - 1));
    }

    @Test
    void eachContributionIsALineOverEveryScoredEpochInPointsWithZeroWhereItDidNotScore() {
        List<ScoreRow> rows = List.of( // newest first, as the profile's table lists them
                new ScoreRow("LISTING", 7, "Harbour tides", 3, 1500, 1),
                new ScoreRow("GPU_OFFER", 2, "RTX box", 3, 1000, 2),
                new ScoreRow("LISTING", 7, "Harbour tides", 1, 500, 1));

        ChartSeries chart = ScoreChart.of(rows, ScoreChartTest::startOf);

        assertThat(chart.days()).containsExactly(startOf(1).getEpochSecond(), startOf(3).getEpochSecond());
        assertThat(chart.values()).containsOnlyKeys("Harbour tides", "RTX box");
        assertThat(chart.values().get("Harbour tides")).containsExactly(0.5, 1.5);
        assertThat(chart.values().get("RTX box")).containsExactly(0.0, 1.0);
    }

    @Test
    void onlyTheContributionsWithTheMostPointsAreDrawnAndNamesAlikeAreToldApartByTheirIds() {
        List<ScoreRow> rows = new ArrayList<>();
        for (int id = 1; id <= ScoreChart.MAX_LINES + 2; id++) {
            rows.add(new ScoreRow("LISTING", id, id <= 2 ? "Wine" : "Set " + id, 1, 1000L * id, 1));
        }

        ChartSeries chart = ScoreChart.of(rows, ScoreChartTest::startOf);

        assertThat(chart.values()).hasSize(ScoreChart.MAX_LINES).containsKeys("Set 10", "Set 3")
                .doesNotContainKeys("Wine (#1)", "Wine (#2)", "Wine");
        assertThat(ScoreChart.of(rows.subList(0, 2), ScoreChartTest::startOf).values()).containsOnlyKeys("Wine (#1)", "Wine (#2)");
    }
}
