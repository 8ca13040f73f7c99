package ai.aicrypto.plaza.dataset.format;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One streaming pass over a CSV/TSV file computing column types, statistics, classes and the preview. */
final class CsvProfiler {

    static final int MAX_CLASSES = 1_000;
    static final int MAX_PREVIEW_CHARS = 200;
    /** Distinct values tracked over all feature columns of a file: bounds the heap of a wide CSV. */
    static final int DISTINCT_BUDGET = 1_000_000;

    private CsvProfiler() {
    }

    static DatasetProfile profile(DatasetSource source, int previewSize, long seed, DatasetLimits limits)
            throws IOException {
        String labelColumn = requireLabelColumn(source);
        try (TableRows rows = TableRows.open(source, limits)) {
            List<String> header = rows.header();
            int labelIndex = labelIndex(header, labelColumn);
            List<String> textColumns = requireTextColumns(source, header, labelColumn);
            int featureCap = featureDistinctCap(header.size());
            ColumnAccumulator[] columns = header.stream()
                    .map(name -> name.equals(labelColumn)
                            ? new ColumnAccumulator(name, ColumnAccumulator.CATEGORICAL_DISTINCT_CAP, ColumnAccumulator.TextRule.NEVER)
                            : new ColumnAccumulator(name, featureCap, textColumns.contains(name)
                                    ? ColumnAccumulator.TextRule.ALWAYS : ColumnAccumulator.TextRule.DETECT))
                    .toArray(ColumnAccumulator[]::new);
            Reservoir<PreviewRecord> preview = new Reservoir<>(previewSize, seed);
            long rowCount = 0;
            for (String[] row = rows.next(); row != null; row = rows.next()) {
                for (int i = 0; i < row.length; i++) {
                    columns[i].add(row[i]);
                }
                int slot = preview.slotFor();
                if (slot >= 0) {
                    preview.put(slot, previewRecord(rowCount, row, row[labelIndex]));
                }
                rowCount++;
                limits.checkRows(rowCount);
            }
            if (rowCount == 0) {
                throw new DatasetFormatException(ErrorKeys.EMPTY);
            }
            for (ColumnAccumulator column : columns) {
                if (textColumns.contains(column.name()) && column.present() == 0) {
                    throw new DatasetFormatException(ErrorKeys.TEXT_EMPTY, column.name());
                }
            }
            return summarize(source.format(), rowCount, columns, columns[labelIndex], preview.items(), limits.textBuckets());
        }
    }

    /**
     * Distinct values a feature column counts before it is deemed high-cardinality: at most
     * {@value ColumnAccumulator#CATEGORICAL_DISTINCT_CAP}, less in wide files so that all columns together track at
     * most {@value #DISTINCT_BUDGET} values (never fewer than {@value ColumnAccumulator#NUMERIC_DISTINCT_CAP} each).
     */
    /** Reads only the header: the column count and names, the label column and the text columns named. */
    static void inspect(DatasetSource source, DatasetLimits limits) throws IOException {
        String labelColumn = requireLabelColumn(source);
        try (TableRows rows = TableRows.open(source, limits)) {
            labelIndex(rows.header(), labelColumn);
            requireTextColumns(source, rows.header(), labelColumn);
        }
    }

    private static int labelIndex(List<String> header, String labelColumn) {
        int labelIndex = header.indexOf(labelColumn);
        if (labelIndex < 0) {
            throw new DatasetFormatException(ErrorKeys.LABEL_MISSING, labelColumn, String.join(", ", header));
        }
        return labelIndex;
    }

    static int featureDistinctCap(int columns) {
        return Math.max(ColumnAccumulator.NUMERIC_DISTINCT_CAP,
                Math.min(ColumnAccumulator.CATEGORICAL_DISTINCT_CAP, DISTINCT_BUDGET / Math.max(1, columns)));
    }

    /** The columns the uploader named as text: each must exist and not be the label. */
    private static List<String> requireTextColumns(DatasetSource source, List<String> header, String labelColumn) {
        for (String name : source.textColumns()) {
            if (!header.contains(name)) {
                throw new DatasetFormatException(ErrorKeys.TEXT_COLUMN_MISSING, name, String.join(", ", header));
            }
            if (name.equals(labelColumn)) {
                throw new DatasetFormatException(ErrorKeys.TEXT_COLUMN_LABEL, name);
            }
        }
        return source.textColumns();
    }

    private static String requireLabelColumn(DatasetSource source) {
        String labelColumn = source.labelColumn() == null ? "" : source.labelColumn().strip();
        if (labelColumn.isEmpty()) {
            throw new DatasetFormatException(ErrorKeys.LABEL_REQUIRED);
        }
        return labelColumn;
    }

    private static DatasetProfile summarize(DatasetFormat format, long rowCount, ColumnAccumulator[] columns,
                                            ColumnAccumulator label, List<PreviewRecord> preview, int textBuckets) {
        List<String> classes = classes(label);
        List<ColumnProfile> profiles = new ArrayList<>();
        for (ColumnAccumulator column : columns) {
            profiles.add(column.toProfile(column == label && !classes.isEmpty()));
        }
        Preprocessing preprocessing = Preprocessing.learnTabular(columns, label, classes, textBuckets);
        if (preprocessing.featureCount() == 0) {
            throw new DatasetFormatException(ErrorKeys.NO_FEATURES);
        }
        return new DatasetProfile(format, rowCount, profiles, label.name(), classes, preprocessing.featureCount(),
                null, preview, preprocessing);
    }

    /**
     * Categorical labels are classes. Numeric labels are classes when they take at most
     * {@value ColumnAccumulator#NUMERIC_DISTINCT_CAP} distinct values, otherwise the task is regression (empty list).
     */
    private static List<String> classes(ColumnAccumulator label) {
        if (label.present() == 0) {
            throw new DatasetFormatException(ErrorKeys.NO_LABELS, label.name());
        }
        boolean categorical = label.type() == ColumnType.CATEGORICAL;
        if (!label.countedAll()) {
            if (categorical) {
                throw new DatasetFormatException(ErrorKeys.TOO_MANY_CLASSES, label.name(), MAX_CLASSES);
            }
            return List.of();
        }
        if (label.distinct() > MAX_CLASSES) {
            throw new DatasetFormatException(ErrorKeys.TOO_MANY_CLASSES, label.name(), MAX_CLASSES);
        }
        return label.sortedValues();
    }

    private static PreviewRecord previewRecord(long rowIndex, String[] row, String label) {
        List<String> values = Arrays.stream(row).map(CsvProfiler::shorten).toList();
        return new PreviewRecord(rowIndex, values, Values.isMissing(label) ? null : label, null);
    }

    private static String shorten(String value) {
        return value.length() <= MAX_PREVIEW_CHARS ? value : value.substring(0, MAX_PREVIEW_CHARS - 1) + "\u2026";
    }
}
