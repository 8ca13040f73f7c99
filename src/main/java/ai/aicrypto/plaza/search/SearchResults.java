package ai.aicrypto.plaza.search;

import java.util.List;
import java.util.Map;

/**
 * A page of hits, the facet counts over everything that matched, and where the next page starts.
 *
 * @param facets  by facet name ("kind", "tag", "license", "price", "priceRange", "gpuModel", "task"), values by count
 * @param backend which backend answered: "elasticsearch" or "postgresql"
 * @param estimated whether {@code total} and the facet counts are estimates, rounded (PostgreSQL, when many match)
 */
public record SearchResults(List<SearchHit> hits, long total, Map<String, List<FacetValue>> facets, String nextCursor,
                            String backend, boolean estimated) {

    public record FacetValue(String value, long count) {
    }
}
