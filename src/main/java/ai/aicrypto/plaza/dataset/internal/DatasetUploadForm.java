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
