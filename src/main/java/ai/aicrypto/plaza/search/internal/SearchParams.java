package ai.aicrypto.plaza.search.internal;

import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

import ai.aicrypto.plaza.catalog.Task;
import ai.aicrypto.plaza.platform.QueryValues;
import ai.aicrypto.plaza.search.SearchKind;
import ai.aicrypto.plaza.search.SearchQuery;

/** The results page's query parameters, bound by name; unknown values fall back to defaults. */
record SearchParams(String q, String kind, String tag, String license, String gpuModel, String task, String price,
                    String minPrice, String maxPrice, String sort, String after) {

    /** In the order they appear in the page's links. */
    private static final String[] NAMES = {"q", "kind", "tag", "license", "gpuModel", "task", "price", "minPrice",
            "maxPrice", "sort"};

    /**
     * From the request's parameters (the first value of each). Read by hand: Spring's constructor binding of
     * this record took a twentieth of the results page's CPU.
     */
    static SearchParams from(Map<String, String> query) {
        return new SearchParams(query.get("q"), query.get("kind"), query.get("tag"), query.get("license"),
                query.get("gpuModel"), query.get("task"), query.get("price"), query.get("minPrice"),
                query.get("maxPrice"), query.get("sort"), query.get("after"));
    }

    SearchQuery toQuery() {
        return new SearchQuery(q, kinds(), tag, license, gpuModel, QueryValues.enumOrNull(Task.class, task),
                QueryValues.enumOrNull(SearchQuery.PriceFilter.class, price), decimal(minPrice), decimal(maxPrice),
                QueryValues.enumOrNull(SearchQuery.Sort.class, sort), after, SearchQuery.DEFAULT_SIZE);
    }

    /** This search's URL with one parameter set (or removed, when {@code value} is null), from the first page. */
    String with(String name, String value) {
        StringBuilder url = new StringBuilder("/search");
        String[] values = {q, kind, tag, license, gpuModel, task, price, minPrice, maxPrice, sort};
        for (int i = 0; i < NAMES.length; i++) {
            String v = NAMES[i].equals(name) ? value : values[i];
            if (v != null && !v.isBlank()) {
                url.append(url.length() == "/search".length() ? '?' : '&')
                        .append(NAMES[i]).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        }
        return url.toString();
    }

    /** The next page: this search continuing after {@code cursor}. */
    String next(String cursor) {
        String first = with("after", null);
        return first + (first.indexOf('?') >= 0 ? "&" : "?") + "after=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8);
    }

    /**
     * Where a facet value leads: it toggles that filter. Price ranges set bounds ("0" is the
     * free range; the lower bound of "0-10" excludes free listings).
     */
    String facetUrl(String facet, String value) {
        if (!"priceRange".equals(facet)) {
            return with(facet, selected(facet, value) ? null : value);
        }
        var range = new SearchParams(q, kind, tag, license, gpuModel, task, null, null, null, sort, null);
        return switch (value) {
            case "0" -> range.with("price", "free");
            case "0-10" -> new SearchParams(q, kind, tag, license, gpuModel, task, "paid", null, "10", sort, null)
                    .with("price", "paid");
            case "10-100" -> new SearchParams(q, kind, tag, license, gpuModel, task, null, "10", "100", sort, null)
                    .with("price", null);
            default -> range.with("minPrice", "100");
        };
    }

    boolean selected(String name, String value) {
        String current = switch (name) {
            case "kind" -> kind;
            case "tag" -> tag;
            case "license" -> license;
            case "gpuModel" -> gpuModel;
            case "task" -> task;
            case "price" -> price;
            // Without a sort, results come by relevance.
            case "sort" -> sort == null ? "relevance" : sort;
            default -> null;
        };
        return value != null && value.equalsIgnoreCase(current);
    }

    private Set<SearchKind> kinds() {
        SearchKind parsed = QueryValues.enumOrNull(SearchKind.class, kind);
        return parsed == null ? Set.of() : Set.of(parsed);
    }

    private static BigDecimal decimal(String value) {
        try {
            return value == null || value.isBlank() ? null : new BigDecimal(value.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
