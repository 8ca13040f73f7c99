package ai.aicrypto.plaza.dataset.internal;

import java.util.Collections;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.dataset.format.ColumnProfile;
import ai.aicrypto.plaza.dataset.format.DatasetProfile;

/** One bar of the class histogram on a dataset page, scaled so the largest class is full width. */
record HistogramBar(String label, long count, long widthPx) {

    private static final int FULL_WIDTH_PX = 300;

    /** Bars for the label column's classes; empty when it has none (e.g. a regression target). */
    static List<HistogramBar> ofLabel(DatasetProfile profile) {
        Map<String, Long> counts = profile.columns().stream()
                .filter(c -> c.name().equals(profile.labelColumn()))
                .map(ColumnProfile::histogram)
                .filter(h -> h != null && !h.isEmpty())
                .findFirst().orElse(Map.of());
        if (counts.isEmpty()) {
            return List.of();
        }
        long top = Collections.max(counts.values());
        // Class i of the profile is named by class i of the preprocessing (IDX labels may have names).
        List<String> names = profile.preprocessing().label().classes();
        return counts.entrySet().stream()
                // Largest class first; JSONB does not keep the profile's key order.
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(e -> {
                    int index = profile.classes().indexOf(e.getKey());
                    String label = index >= 0 && index < names.size() ? names.get(index) : e.getKey();
                    return new HistogramBar(label, e.getValue(), Math.max(1, e.getValue() * FULL_WIDTH_PX / top));
                })
                .toList();
    }
}
