package ai.aicrypto.plaza.dataset.internal;

import ai.aicrypto.plaza.catalog.ListingForm;

/** The upload form's text fields; the files come as multipart parts of their own. */
public class DatasetUploadForm {

    private ListingForm listing = new ListingForm();
    private String labelColumn = "";
    /** IDX: the class names, comma-separated, in label order. */
    private String classNames = "";
    /** CSV/TSV/JSON Lines: the free-text columns, comma-separated (others are detected). */
    private String textColumns = "";
    /** Image folders: the side of the square the images are resized to; blank: from the images. */
    private String imageSize = "";
    /** Image folders: {@code grayscale}, {@code rgb}, or blank: from the images. */
    private String imageColour = "";

    public ListingForm getListing() {
        return listing;
    }

    public void setListing(ListingForm listing) {
        this.listing = listing;
    }

    public String getLabelColumn() {
        return labelColumn;
    }

    public void setLabelColumn(String labelColumn) {
        this.labelColumn = labelColumn;
    }

    public String getClassNames() {
        return classNames;
    }

    public void setClassNames(String classNames) {
        this.classNames = classNames;
    }

    public String getImageSize() {
        return imageSize;
    }

    public void setImageSize(String imageSize) {
        this.imageSize = imageSize;
    }

    public String getImageColour() {
        return imageColour;
    }

    public void setImageColour(String imageColour) {
        this.imageColour = imageColour;
    }

    /** The image folders' size and colour as chosen. */
    ai.aicrypto.plaza.dataset.format.ImageFolderOptions imageOptions() {
        try {
            return ai.aicrypto.plaza.dataset.format.ImageFolderOptions.parse(imageSize, imageColour);
        } catch (ai.aicrypto.plaza.dataset.format.DatasetFormatException e) {
            throw new ai.aicrypto.plaza.platform.UserFacingException("imageSize", e.messageKey(), e.args());
        }
    }

    public String getTextColumns() {
        return textColumns;
    }

    public void setTextColumns(String textColumns) {
        this.textColumns = textColumns;
    }

    /** The text columns named, stripped, blanks left out. */
    java.util.List<String> textColumnList() {
        return textColumns == null ? java.util.List.of()
                : java.util.Arrays.stream(textColumns.split(",")).map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
    }

    /** The class names given, stripped; empty when none. */
    java.util.List<String> classNameList() {
        return classNames == null || classNames.isBlank() ? java.util.List.of()
                : java.util.Arrays.stream(classNames.split(",", -1)).map(String::strip).toList();
    }
}
