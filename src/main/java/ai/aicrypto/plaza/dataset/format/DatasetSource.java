package ai.aicrypto.plaza.dataset.format;

import java.nio.file.Path;

/**
 * The files of one dataset.
 *
 * @param primary     CSV/TSV file, IDX images file, or ZIP of image folders
 * @param labels      IDX labels file (required for IDX), null for CSV/TSV
 * @param labelColumn name of the label column (required for CSV/TSV: unlabeled data is not accepted), null for IDX
 * @param classNames  IDX: the name of each label value (0, 1, ...); empty: the values name the classes
 * @param textColumns CSV/TSV/JSON Lines: columns the uploader says are free text (others are detected); else empty
 * @param imageOptions image folders: the size and colour the images are brought to
 * @param progress     told how much of the files each pass has read
 */
public record DatasetSource(DatasetFormat format, Path primary, Path labels, String labelColumn,
                            java.util.List<String> classNames, java.util.List<String> textColumns,
                            ImageFolderOptions imageOptions, ReadProgress progress) {

    public DatasetSource {
        classNames = classNames == null ? java.util.List.of() : java.util.List.copyOf(classNames);
        textColumns = textColumns == null ? java.util.List.of() : java.util.List.copyOf(textColumns);
        imageOptions = imageOptions == null ? ImageFolderOptions.FROM_DATA : imageOptions;
        progress = progress == null ? ReadProgress.NONE : progress;
    }

    public DatasetSource(DatasetFormat format, Path primary, Path labels, String labelColumn,
                         java.util.List<String> classNames, java.util.List<String> textColumns,
                         ImageFolderOptions imageOptions) {
        this(format, primary, labels, labelColumn, classNames, textColumns, imageOptions, null);
    }

    /** The same files, read with {@code progress} told how far each pass is. */
    public DatasetSource withProgress(ReadProgress progress) {
        return new DatasetSource(format, primary, labels, labelColumn, classNames, textColumns, imageOptions, progress);
    }

    public DatasetSource(DatasetFormat format, Path primary, Path labels, String labelColumn,
                         java.util.List<String> classNames) {
        this(format, primary, labels, labelColumn, classNames, java.util.List.of(), null);
    }

    /** A table with the text columns the uploader named. */
    public DatasetSource(DatasetFormat format, Path primary, Path labels, String labelColumn,
                         java.util.List<String> classNames, java.util.List<String> textColumns) {
        this(format, primary, labels, labelColumn, classNames, textColumns, null);
    }

    /** A ZIP of image folders. */
    public static DatasetSource imageFolders(Path zip, ImageFolderOptions options) {
        return new DatasetSource(DatasetFormat.IMAGE_FOLDERS, zip, null, null, null, null, options);
    }

    public DatasetSource(DatasetFormat format, Path primary, Path labels, String labelColumn) {
        this(format, primary, labels, labelColumn, java.util.List.of());
    }
}
