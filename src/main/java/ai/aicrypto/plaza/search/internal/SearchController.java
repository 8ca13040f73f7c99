package ai.aicrypto.plaza.search.internal;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import ai.aicrypto.plaza.catalog.Task;
import ai.aicrypto.plaza.search.Search;
import ai.aicrypto.plaza.search.SearchKind;
import ai.aicrypto.plaza.search.SearchQuery;
import ai.aicrypto.plaza.search.SearchResults;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.util.UriComponentsBuilder;

/** The results page (whole, or only its results for HTMX) and the navbar's suggestions. */
@Controller
class SearchController {

    private static final int SUGGESTIONS = 8;

    private final Search search;

    SearchController(Search search) {
        this.search = search;
    }

    @GetMapping("/search")
    String search(SearchParams params, @RequestHeader(name = "HX-Request", required = false) String htmx,
                  @RequestHeader(name = "HX-Target", required = false) String target, Model model) {
        SearchResults results = search.search(params.toQuery());
        model.addAttribute("results", results);
        model.addAttribute("params", params);
        if (htmx != null && "more".equals(target)) {
            return "search/results :: hits";
        }
        return htmx != null && "search-results".equals(target) ? "search/results :: results" : "search/results";
    }

    @GetMapping("/search/suggest")
    String suggest(@RequestParam(defaultValue = "") String q, Model model) {
        model.addAttribute("suggestions", q.isBlank() ? java.util.List.of() : search.suggest(q, SUGGESTIONS));
        return "search/suggest :: suggestions";
    }

    /** Query parameters, bound by name; unknown values fall back to defaults. */
    record SearchParams(String q, String kind, String tag, String license, String gpuModel, String task, String price,
                        String minPrice, String maxPrice, String sort, String after) {

        SearchQuery toQuery() {
            return new SearchQuery(q, kinds(), tag, license, gpuModel, parse(Task.class, task),
                    parse(SearchQuery.PriceFilter.class, price), decimal(minPrice), decimal(maxPrice),
                    parse(SearchQuery.Sort.class, sort), after, SearchQuery.DEFAULT_SIZE);
        }

        /** This search's URL with one parameter set (or removed, when {@code value} is null), from the first page. */
        public String with(String name, String value) {
            var url = UriComponentsBuilder.fromPath("/search");
            Map<String, String> values = new LinkedHashMap<>();
            values.put("q", q);
            values.put("kind", kind);
            values.put("tag", tag);
            values.put("license", license);
            values.put("gpuModel", gpuModel);
            values.put("task", task);
            values.put("price", price);
            values.put("minPrice", minPrice);
            values.put("maxPrice", maxPrice);
            values.put("sort", sort);
            values.put(name, value);
            values.forEach((key, v) -> {
                if (v != null && !v.isBlank()) {
                    url.queryParam(key, v);
                }
            });
            return url.encode().build().toUriString();
        }

        /** The next page: this search continuing after {@code cursor}. */
        public String next(String cursor) {
            return with("after", null) + (with("after", null).contains("?") ? "&" : "?") + "after=" + cursor;
        }

        /**
         * Where a facet value leads: it toggles that filter. Price ranges set bounds ("0" is the
         * free range; the lower bound of "0-10" excludes free listings).
         */
        public String facetUrl(String facet, String value) {
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

        public boolean selected(String name, String value) {
            String current = switch (name) {
                case "kind" -> kind;
                case "tag" -> tag;
                case "license" -> license;
                case "gpuModel" -> gpuModel;
                case "task" -> task;
                case "price" -> price;
                default -> null;
            };
            return value != null && value.equalsIgnoreCase(current);
        }

        private Set<SearchKind> kinds() {
            SearchKind parsed = parse(SearchKind.class, kind);
            return parsed == null ? Set.of() : Set.of(parsed);
        }

        private static BigDecimal decimal(String value) {
            try {
                return value == null || value.isBlank() ? null : new BigDecimal(value.strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private static <E extends Enum<E>> E parse(Class<E> type, String value) {
            if (value == null || value.isBlank()) {
                return null;
            }
            try {
                return Enum.valueOf(type, value.strip().toUpperCase().replace('-', '_'));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }
}
