package ai.aicrypto.plaza.reputation.internal;

import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

import ai.aicrypto.plaza.platform.ChartSeries;
import ai.aicrypto.plaza.reputation.internal.ReputationController.ScoreRow;

/** A member's scores over epochs as a chart: one line per contribution, so a profile shows what rose and what faded. */
final class ScoreChart {

    /** Lines a chart can tell apart by colour (usage-charts.js has eight); the rest stay in the table. */
    static final int MAX_LINES = 8;

    private ScoreChart() {
    }

    /**
     * The {@value #MAX_LINES} contributions with the most points over the rows' epochs, each one's score (in points)
     * at the start of every epoch any contribution scored in, 0 in an epoch it did not score in. Two contributions of
     * the same name are told apart by their ids.
     */
    static ChartSeries of(List<ScoreRow> rows, LongFunction<Instant> startOfEpoch) {
        List<Long> epochs = rows.stream().map(ScoreRow::epoch).distinct().sorted().toList();
        Map<String, Long> totals = rows.stream().collect(Collectors.groupingBy(ScoreChart::key, Collectors.summingLong(ScoreRow::score)));
        List<String> shown = totals.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .limit(MAX_LINES).map(Map.Entry::getKey).toList();
        Map<String, String> labels = labels(rows, shown);
        Map<String, double[]> lines = new LinkedHashMap<>();
        shown.forEach(key -> lines.put(key, new double[epochs.size()]));
        for (ScoreRow r : rows) {
            double[] line = lines.get(key(r));
            if (line != null) {
                line[epochs.indexOf(r.epoch())] = r.score() / 1000.0;
            }
        }
        Map<String, List<Double>> values = new LinkedHashMap<>();
        lines.forEach((key, line) -> values.put(labels.get(key), Arrays.stream(line).boxed().toList()));
        return new ChartSeries(epochs.stream().map(e -> startOfEpoch.apply(e).getEpochSecond()).toList(), values);
    }

    private static String key(ScoreRow r) {
        return r.type() + ":" + r.id();
    }

    private static Map<String, String> labels(List<ScoreRow> rows, List<String> shown) {
        Map<String, String> names = new LinkedHashMap<>();
        rows.forEach(r -> names.putIfAbsent(key(r), r.name() != null ? r.name() : "#" + r.id()));
        Set<String> seen = new HashSet<>(), repeated = new HashSet<>();
        shown.forEach(key -> {
            if (!seen.add(names.get(key))) {
                repeated.add(names.get(key));
            }
        });
        Map<String, String> labels = new LinkedHashMap<>();
        for (String key : shown) {
            String name = names.get(key);
            labels.put(key, repeated.contains(name) ? name + " (#" + key.substring(key.indexOf(':') + 1) + ")" : name);
        }
        return labels;
    }
}
