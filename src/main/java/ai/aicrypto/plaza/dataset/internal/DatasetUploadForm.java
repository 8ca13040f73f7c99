package ai.aicrypto.plaza.dataset.internal;

import ai.aicrypto.plaza.catalog.ListingForm;

/** The upload form's text fields; the files come as multipart parts of their own. */
public class DatasetUploadForm {

    private ListingForm listing = new ListingForm();
    private String labelColumn = "";

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
}
