package ai.aicrypto.plaza.dataset;

import java.nio.file.Path;

import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.dataset.format.ImageFolderOptions;

/**
 * A dataset to import: its listing and its files, already on local disk.
 *
 * @param file        the data file (CSV/TSV), or the images file of an IDX pair
 * @param labelsFile  the labels file of an IDX pair, else null
 * @param labelColumn the label column of a CSV/TSV file, else null
 * @param classNames  IDX: the name of each label value (0, 1, ...), shown instead of the number; else empty
 * @param textColumns CSV/TSV/JSON Lines: the columns the uploader says are free text; else empty
 * @param imageOptions a ZIP of image folders: the size and colour its images are brought to (null: from the images)
 */
public record DatasetUpload(ListingDraft listing, Path file, String fileName, Path labelsFile, String labelsFileName,
                            String labelColumn, java.util.List<String> classNames, java.util.List<String> textColumns,
                            ImageFolderOptions imageOptions) {

    public DatasetUpload {
        classNames = classNames == null ? java.util.List.of() : java.util.List.copyOf(classNames);
        textColumns = textColumns == null ? java.util.List.of() : java.util.List.copyOf(textColumns);
        imageOptions = imageOptions == null ? ImageFolderOptions.FROM_DATA : imageOptions;
    }

    /** A table with the text columns the uploader named. */
    public DatasetUpload(ListingDraft listing, Path file, String fileName, Path labelsFile, String labelsFileName,
                         String labelColumn, java.util.List<String> classNames, java.util.List<String> textColumns) {
        this(listing, file, fileName, labelsFile, labelsFileName, labelColumn, classNames, textColumns, null);
    }

    /** Without text columns named: long texts are detected. */
    public DatasetUpload(ListingDraft listing, Path file, String fileName, Path labelsFile, String labelsFileName,
                         String labelColumn, java.util.List<String> classNames) {
        this(listing, file, fileName, labelsFile, labelsFileName, labelColumn, classNames, java.util.List.of());
    }

    /** A ZIP of one folder of images per class. */
    public static DatasetUpload imageFolders(ListingDraft listing, Path zip, String fileName, ImageFolderOptions options) {
        return new DatasetUpload(listing, zip, fileName, null, null, null, java.util.List.of(), java.util.List.of(), options);
    }

    /** Without class names: the label values name the classes. */
    public DatasetUpload(ListingDraft listing, Path file, String fileName, Path labelsFile, String labelsFileName,
                         String labelColumn) {
        this(listing, file, fileName, labelsFile, labelsFileName, labelColumn, java.util.List.of());
    }
}
