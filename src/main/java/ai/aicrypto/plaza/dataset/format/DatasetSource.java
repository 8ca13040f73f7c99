package ai.aicrypto.plaza.dataset.format;

import java.nio.file.Path;

/**
 * The files of one dataset.
 *
 * @param primary     CSV/TSV file, or IDX images file
 * @param labels      IDX labels file (required for IDX), null for CSV/TSV
 * @param labelColumn name of the label column (required for CSV/TSV: unlabeled data is not accepted), null for IDX
 */
public record DatasetSource(DatasetFormat format, Path primary, Path labels, String labelColumn) {
}
