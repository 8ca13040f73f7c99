package ai.aicrypto.plaza.search;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.catalog.ListingKind;

/**
 * One result. {@code titleHtml} and {@code snippetHtml} are escaped text with the matches wrapped
 * in {@code <mark>}: safe to insert as HTML.
 */
public record SearchHit(long id, ListingKind kind, String title, String titleHtml, String snippetHtml,
                        List<String> tags, String license, BigDecimal priceAic, String ownerName, Instant createdAt) {

    public boolean free() {
        return priceAic.signum() == 0;
    }
}
