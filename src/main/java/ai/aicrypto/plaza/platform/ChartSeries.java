package ai.aicrypto.plaza.platform;

import java.util.List;
import java.util.Map;

/**
 * A chart's data as static/js/usage-charts.js draws it (a page writes it as JSON into a {@code data-series}
 * attribute): the x axis as times in epoch seconds (a day's or an epoch's start), and one line per name with one
 * value per time.
 */
public record ChartSeries(List<Long> days, Map<String, List<Double>> values) {
}
