package ai.aicrypto.plaza.catalog;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** A listing as a row of a browse page. */
public record ListingCard(long id, ListingKind kind, String title, String excerpt, List<String> tags, String license,
                          BigDecimal priceAic, String ownerName, ListingStatus status, Instant createdAt) {

    public boolean free() {
        return priceAic.signum() == 0;
    }
}
