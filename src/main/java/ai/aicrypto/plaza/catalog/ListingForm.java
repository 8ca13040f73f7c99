package ai.aicrypto.plaza.catalog;

import java.math.BigDecimal;

import ai.aicrypto.plaza.platform.UserFacingException;

/**
 * The listing fields of a create or edit form, as typed. Feature modules embed it in their own
 * upload forms; {@link #toDraft()} parses it.
 */
public class ListingForm {

    private String title = "";
    private String description = "";
    private String tags = "";
    private String license = License.CC_BY_4_0.spdx();
    private String priceAic = "0";

    public static ListingForm of(ListingView view) {
        var form = new ListingForm();
        form.title = view.title();
        form.description = view.description();
        form.tags = String.join(", ", view.tags());
        form.license = view.license();
        form.priceAic = view.priceAic().toPlainString();
        return form;
    }

    public ListingDraft toDraft() {
        BigDecimal price;
        try {
            price = new BigDecimal(priceAic == null || priceAic.isBlank() ? "0" : priceAic.strip());
        } catch (NumberFormatException e) {
            throw new UserFacingException("priceAic", "listing.error.price-format", priceAic);
        }
        return new ListingDraft(title, description, ListingDraft.parseTags(tags), license, price).validated();
    }

    public String getTitle() {
        return title;
    }

    public void setTitle(String title) {
        this.title = title;
    }

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }

    public String getTags() {
        return tags;
    }

    public void setTags(String tags) {
        this.tags = tags;
    }

    public String getLicense() {
        return license;
    }

    public void setLicense(String license) {
        this.license = license;
    }

    public String getPriceAic() {
        return priceAic;
    }

    public void setPriceAic(String priceAic) {
        this.priceAic = priceAic;
    }
}
