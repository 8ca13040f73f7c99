package ai.aicrypto.plaza.search.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.aicrypto.plaza.search.SearchHit;
import ai.aicrypto.plaza.search.SearchKind;
import ai.aicrypto.plaza.search.SearchResults;
import ai.aicrypto.plaza.search.SearchResults.FacetValue;
import org.springframework.context.MessageSource;

/**
 * The results page with every label, link and count worked out in Java: it is the busiest page, and
 * its facet links and per-hit messages cost more in template expressions than the search itself.
 * The sort links, facets and hits arrive as HTML ({@link ResultsHtml}); the template prints the rest.
 *
 * @param query   what was searched for; null when nothing was
 * @param moreUrl the next page; null on the last
 */
record SearchPage(String query, String count, String sortsHtml, String facetsHtml, boolean empty, String hitsHtml,
                  String moreUrl) {

    private static final List<String> SORTS = List.of("relevance", "newest", "price_asc", "price_desc", "popularity",
            "rating");

    record Link(String label, String url, boolean current) {
    }

    record Facet(String name, String title, List<FacetLink> values) {
    }

    /** @param count as shown: "about 12,000" when estimated */
    record FacetLink(String label, String url, boolean current, String count) {
    }

    /**
     * One hit as shown; {@code titleHtml} and {@code snippetHtml} are escaped with matches marked.
     *
     * @param priceUnit "per GPU-hour" for offers; null otherwise
     * @param rating    the average with the number of reviews; null without reviews
     */
    record Hit(String url, String titleHtml, boolean free, String price, String priceUnit, String snippetHtml,
               String detail, String kind, String task, String rating, String ratingLabel, String popularity,
               List<String> tags, String license, String owner) {
    }

    static SearchPage of(SearchParams params, SearchResults results, String contextPath, MessageSource messages,
                         Locale locale) {
        Messages m = new Messages(messages, locale);
        List<Link> sorts = new ArrayList<>(SORTS.size());
        for (String sort : SORTS) {
            sorts.add(new Link(m.get("search.sort." + sort), params.with("sort", sort), params.selected("sort", sort)));
        }
        List<Facet> facets = new ArrayList<>();
        for (Map.Entry<String, List<FacetValue>> facet : results.facets().entrySet()) {
            if (facet.getValue().isEmpty()) {
                continue;
            }
            String name = facet.getKey();
            List<FacetLink> links = new ArrayList<>(facet.getValue().size());
            for (FacetValue value : facet.getValue()) {
                String count = results.estimated() ? m.get("search.facet.count.about", value.count())
                        : Long.toString(value.count());
                links.add(new FacetLink(facetLabel(name, value.value(), m), params.facetUrl(name, value.value()),
                        params.selected(name, value.value()), count));
            }
            facets.add(new Facet(name, m.get("search.facet." + name), links));
        }
        List<Hit> hits = new ArrayList<>(results.hits().size());
        for (SearchHit hit : results.hits()) {
            hits.add(hit(hit, contextPath, m));
        }
        boolean searched = params.q() != null && !params.q().isBlank();
        String count = m.get(results.estimated() ? "search.count.about" : "search.count", results.total());
        return new SearchPage(searched ? params.q() : null, count, ResultsHtml.sorts(sorts),
                ResultsHtml.facets(facets), hits.isEmpty(), ResultsHtml.hits(hits),
                results.nextCursor() == null ? null : params.next(results.nextCursor()));
    }

    private static String facetLabel(String facet, String value, Messages m) {
        return switch (facet) {
            case "kind" -> m.get("kind." + value);
            case "task" -> m.get("search.task." + value);
            case "price", "priceRange" -> m.get("search.price." + value);
            default -> value;
        };
    }

    private static Hit hit(SearchHit hit, String contextPath, Messages m) {
        String kind = hit.kind().name();
        String rating = null;
        String ratingLabel = null;
        if (hit.averageStars() != null) {
            rating = m.get("market.review.average", hit.averageStars(), hit.reviews());
            ratingLabel = m.get("market.review.average.label", hit.averageStars(), hit.reviews());
        }
        return new Hit(contextPath + hit.url(), hit.titleHtml(), hit.free(),
                hit.free() ? m.get("listing.free") : hit.priceAic().stripTrailingZeros().toPlainString() + " AIC",
                hit.kind() == SearchKind.GPU_OFFER ? m.get("search.per-gpu-hour") : null, hit.snippetHtml(),
                hit.detail(), m.get("kind." + kind), hit.task() == null ? null : m.get("search.task." + hit.task().name()),
                rating, ratingLabel, hit.popularity() > 0 ? m.get("search.popularity." + kind, hit.popularity()) : null,
                hit.tags(), hit.license(), hit.ownerName());
    }

    private record Messages(MessageSource source, Locale locale) {

        String get(String code, Object... args) {
            return source.getMessage(code, args, locale);
        }
    }
}
