package ai.aicrypto.plaza.dataset.format;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns CSV/TSV cells into float32 features, using only what the profile recorded so preprocessing needs no
 * extra pass: numeric columns as their value (missing -> column mean); categorical columns as the rank of the
 * value in the column histogram (0 = most frequent), values outside the histogram share the next code, missing
 * is -1; high-cardinality columns and the label column are not features.
 */
final class CsvFeatures {

    private final int[] sourceColumns;
    private final Encoder[] encoders;
    private final List<String> names;

    private CsvFeatures(List<Integer> sourceColumns, List<Encoder> encoders, List<String> names) {
        this.sourceColumns = sourceColumns.stream().mapToInt(Integer::intValue).toArray();
        this.encoders = encoders.toArray(Encoder[]::new);
        this.names = List.copyOf(names);
    }

    static CsvFeatures of(List<ColumnProfile> columns, String labelColumn) {
        List<Integer> sources = new ArrayList<>();
        List<Encoder> encoders = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            ColumnProfile column = columns.get(i);
            if (column.name().equals(labelColumn) || column.highCardinality()) {
                continue;
            }
            sources.add(i);
            names.add(column.name());
            encoders.add(column.type() == ColumnType.CATEGORICAL
                    ? categorical(column.histogram())
                    : numeric(column.mean()));
        }
        return new CsvFeatures(sources, encoders, names);
    }

    int count() {
        return encoders.length;
    }

    List<String> names() {
        return names;
    }

    void encode(String[] row, float[] out) {
        for (int f = 0; f < encoders.length; f++) {
            out[f] = encoders[f].encode(row[sourceColumns[f]]);
        }
    }

    private interface Encoder {
        float encode(String value);
    }

    private static Encoder numeric(double mean) {
        float fill = (float) mean;
        return value -> Values.isMissing(value) ? fill : Float.parseFloat(value);
    }

    private static Encoder categorical(Map<String, Long> histogram) {
        Map<String, Integer> codes = new HashMap<>();
        for (String value : histogram.keySet()) {
            codes.put(value, codes.size());
        }
        int other = codes.size();
        return value -> Values.isMissing(value) ? -1f : codes.getOrDefault(value, other);
    }
}
