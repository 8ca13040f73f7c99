package ai.aicrypto.plaza.catalog;

import java.math.BigDecimal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import ai.aicrypto.plaza.platform.UserFacingException;

/**
 * What an owner writes about a listing. {@link #validated()} normalises it (trimmed, tags
 * lower-cased and de-duplicated) or throws a {@link UserFacingException} naming the field.
 *
 * @param royaltyBps the creator's royalty on every resale of the asset token (ERC-2981), in basis
 *                   points of the sale price: written into the token when it is minted, so it can
 *                   change only until the listing is first published
 */
public record ListingDraft(String title, String description, List<String> tags, String license, BigDecimal priceAic,
                           int royaltyBps) {

    public static final int MAX_TAGS = 10;
    /** AssetRegistry.MAX_ROYALTY_BPS: the contract refuses to mint with more (10 %). */
    public static final int MAX_ROYALTY_BPS = 1_000;
    /** AIC has 18 decimals, like ether. */
    public static final int PRICE_SCALE = 18;
    private static final Pattern TAG = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}+#._-]{0,29}");

    /** A draft without a royalty (0). */
    public ListingDraft(String title, String description, List<String> tags, String license, BigDecimal priceAic) {
        this(title, description, tags, license, priceAic, 0);
    }

    /** Splits a comma-separated tag field as typed in a form. */
    public static List<String> parseTags(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        return List.of(text.split("\\s*,\\s*")).stream().map(String::trim).filter(t -> !t.isEmpty()).toList();
    }

    public ListingDraft validated() {
        String cleanTitle = title == null ? "" : title.strip();
        if (cleanTitle.isEmpty()) {
            throw new UserFacingException("title", "listing.error.title-required");
        }
        if (cleanTitle.length() > 140) {
            throw new UserFacingException("title", "listing.error.title-too-long", 140);
        }
        String cleanDescription = description == null ? "" : description.strip();
        if (cleanDescription.length() > 20_000) {
            throw new UserFacingException("description", "listing.error.description-too-long", 20_000);
        }
        var cleanTags = new LinkedHashSet<String>();
        for (String tag : tags == null ? List.<String>of() : tags) {
            String t = tag.strip().toLowerCase(Locale.ROOT);
            if (!TAG.matcher(t).matches()) {
                throw new UserFacingException("tags", "listing.error.tag-invalid", tag);
            }
            cleanTags.add(t);
        }
        if (cleanTags.size() > MAX_TAGS) {
            throw new UserFacingException("tags", "listing.error.too-many-tags", MAX_TAGS);
        }
        License parsedLicense = License.fromSpdx(license == null ? "" : license.strip())
                .orElseThrow(() -> new UserFacingException("license", "listing.error.license-unknown", license));
        if (priceAic == null || priceAic.signum() < 0) {
            throw new UserFacingException("priceAic", "listing.error.price-negative");
        }
        if (priceAic.stripTrailingZeros().scale() > PRICE_SCALE) {
            throw new UserFacingException("priceAic", "listing.error.price-precision", PRICE_SCALE);
        }
        if (priceAic.compareTo(new BigDecimal("1e12")) >= 0) {
            throw new UserFacingException("priceAic", "listing.error.price-too-high");
        }
        if (royaltyBps < 0 || royaltyBps > MAX_ROYALTY_BPS) {
            throw new UserFacingException("royaltyPercent", "listing.error.royalty-range", MAX_ROYALTY_BPS / 100);
        }
        return new ListingDraft(cleanTitle, cleanDescription, List.copyOf(cleanTags), parsedLicense.spdx(),
                priceAic.stripTrailingZeros(), royaltyBps);
    }
}
