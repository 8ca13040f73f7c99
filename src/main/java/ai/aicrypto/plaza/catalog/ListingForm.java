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
    /** The creator's royalty on resales, in percent with at most two decimals (basis points). */
    private String royaltyPercent = "0";

    public static ListingForm of(ListingView view) {
        var form = new ListingForm();
        form.title = view.title();
        form.description = view.description();
        form.tags = String.join(", ", view.tags());
        form.license = view.license();
        form.priceAic = view.priceAic().toPlainString();
        form.royaltyPercent = BigDecimal.valueOf(view.royaltyBps(), 2).stripTrailingZeros().toPlainString();
        return form;
    }

    public ListingDraft toDraft() {
        BigDecimal price;
        try {
            price = new BigDecimal(priceAic == null || priceAic.isBlank() ? "0" : priceAic.strip());
        } catch (NumberFormatException e) {
            throw new UserFacingException("priceAic", "listing.error.price-format", priceAic);
        }
        return new ListingDraft(title, description, ListingDraft.parseTags(tags), license, price,
                royaltyBps(royaltyPercent)).validated();
    }

    /** A royalty as typed, in percent (e.g. 2.5), as basis points; blank is 0. */
    public static int royaltyBps(String percent) {
        if (percent == null || percent.isBlank()) {
            return 0;
        }
        BigDecimal value;
        try {
            value = new BigDecimal(percent.strip());
        } catch (NumberFormatException e) {
            throw new UserFacingException("royaltyPercent", "listing.error.royalty-format", percent);
        }
        int max = ListingDraft.MAX_ROYALTY_BPS / 100;
        if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new UserFacingException("royaltyPercent", "listing.error.royalty-range", max);
        }
        if (value.stripTrailingZeros().scale() > 2) {
            throw new UserFacingException("royaltyPercent", "listing.error.royalty-precision");
        }
        return value.movePointRight(2).intValueExact();
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

    public String getRoyaltyPercent() {
        return royaltyPercent;
    }

    public void setRoyaltyPercent(String royaltyPercent) {
        this.royaltyPercent = royaltyPercent;
    }
}
