package ai.aicrypto.plaza.catalog;

import java.util.List;

/** One page of listings and the cursor of the next page (null on the last page). */
public record BrowsePage(ListingKind kind, BrowseQuery query, List<ListingCard> items, String nextCursor) {
}
