package ai.aicrypto.plaza.dataset.format;

import java.nio.file.Path;

/**
 * The files of one dataset.
 *
 * @param primary     CSV/TSV file, or IDX images file
 * @param labels      IDX labels file (required for IDX), null for CSV/TSV
 * @param labelColumn name of the label column (required for CSV/TSV: unlabeled data is not accepted), null for IDX
 * @param classNames  IDX: the name of each label value (0, 1, ...); empty: the values name the classes
 * @param textColumns CSV/TSV/JSON Lines: columns the uploader says are free text (others are detected); else empty
 */
public record DatasetSource(DatasetFormat format, Path primary, Path labels, String labelColumn,
                            java.util.List<String> classNames, java.util.List<String> textColumns) {

    public DatasetSource {
        classNames = classNames == null ? java.util.List.of() : java.util.List.copyOf(classNames);
        textColumns = textColumns == null ? java.util.List.of() : java.util.List.copyOf(textColumns);
    }

    public DatasetSource(DatasetFormat format, Path primary, Path labels, String labelColumn,
                         java.util.List<String> classNames) {
        this(format, primary, labels, labelColumn, classNames, java.util.List.of());
    }

    public DatasetSource(DatasetFormat format, Path primary, Path labels, String labelColumn) {
        this(format, primary, labels, labelColumn, java.util.List.of());
    }
}
