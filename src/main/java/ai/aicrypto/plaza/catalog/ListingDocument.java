package ai.aicrypto.plaza.catalog;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Everything search needs to know about one listing, whatever its status: search indexes only
 * published ones and removes the others.
 *
 * @param description the plain text of the Markdown description
 * @param searchTerms extra words from the feature module (dataset columns, model task)
 * @param task        the task it serves; null when none
 * @param royaltyBps  the creator's royalty on resales of the asset token (see {@link ListingDraft#royaltyBps()})
 */
public record ListingDocument(long id, ListingKind kind, String title, String description, List<String> tags,
                              String license, BigDecimal priceAic, long ownerId, String ownerName,
                              ListingStatus status, String searchTerms, Task task, Instant createdAt,
                              Instant updatedAt, int royaltyBps) {

    public boolean published() {
        return status == ListingStatus.PUBLISHED;
    }
}
