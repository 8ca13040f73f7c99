package ai.aicrypto.plaza.dataset.format;

import java.util.List;

/**
 * What {@link DatasetProcessor#profile} learned about a dataset. Pass it back to
 * {@link DatasetProcessor#preprocess}, which derives the feature encoding from it.
 *
 * @param rowCount     number of examples (CSV/TSV: data rows, including rows whose label is missing)
 * @param columns      all columns in file order, the label column included
 * @param classes      classification: the distinct label values, sorted (numerically for numeric labels);
 *                     regression: empty
 * @param featureCount number of float32 features per example in the preprocessed shards
 * @param imageShape   IDX and grey image folders: {@code [rows, cols]}; RGB image folders: {@code [3, rows, cols]};
 *                     CSV/TSV: null
 * @param preview      a seeded uniform random sample of examples, ordered by row index
 * @param preprocessing how records became the shards' features; profiles stored before it existed get the
 *                      version 1 encoding they were written with
 */
public record DatasetProfile(DatasetFormat format, long rowCount, List<ColumnProfile> columns, String labelColumn,
                             List<String> classes, int featureCount, List<Integer> imageShape,
                             List<PreviewRecord> preview, Preprocessing preprocessing) {

    public DatasetProfile {
        if (preprocessing == null) {
            preprocessing = Preprocessing.legacy(format, columns, labelColumn, classes, imageShape);
        }
    }

    /** True when the label is a continuous number and shards carry F32 {@code targets} instead of I64 {@code labels}. */
    public boolean regression() {
        return classes.isEmpty();
    }

    ColumnProfile column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }
}
