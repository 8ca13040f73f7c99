package ai.aicrypto.plaza.catalog.internal;

import ai.aicrypto.plaza.catalog.BrowsePage;
import ai.aicrypto.plaza.catalog.BrowseQuery;
import ai.aicrypto.plaza.catalog.License;
import ai.aicrypto.plaza.catalog.ListingKind;
import ai.aicrypto.plaza.platform.QueryValues;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The home page and the browse pages. An HTMX request gets only the part that changes: the
 * results (filters changed) or the next rows ("more"); a plain request gets the whole page.
 */
@Controller
class BrowseController {

    private final CatalogService catalog;

    BrowseController(CatalogService catalog) {
        this.catalog = catalog;
    }

    @GetMapping("/")
    String home(Model model) {
        model.addAttribute("datasets", catalog.latest(ListingKind.DATASET, 6));
        model.addAttribute("models", catalog.latest(ListingKind.MODEL, 6));
        return "catalog/home";
    }

    @GetMapping("/datasets")
    String datasets(BrowseParams params, @RequestHeader(name = "HX-Request", required = false) String htmx,
                    @RequestParam(required = false) String part, Model model) {
        return browse(ListingKind.DATASET, params, htmx != null, part, model);
    }

    @GetMapping("/models")
    String models(BrowseParams params, @RequestHeader(name = "HX-Request", required = false) String htmx,
                  @RequestParam(required = false) String part, Model model) {
        return browse(ListingKind.MODEL, params, htmx != null, part, model);
    }

    private String browse(ListingKind kind, BrowseParams params, boolean htmx, String part, Model model) {
        BrowsePage page = catalog.browse(kind, params.toQuery());
        model.addAttribute("page", page);
        model.addAttribute("params", params);
        model.addAttribute("licenses", License.values());
        if (htmx && "rows".equals(part)) {
            return "catalog/browse :: rows";
        }
        return htmx ? "catalog/browse :: results" : "catalog/browse";
    }

    /** Query parameters of a browse page, bound by name; unknown enum values fall back to defaults. */
    record BrowseParams(String sort, String tag, String price, String license, String after) {

        BrowseQuery toQuery() {
            return new BrowseQuery(QueryValues.enumOrNull(BrowseQuery.Sort.class, sort), tag,
                    QueryValues.enumOrNull(BrowseQuery.PriceFilter.class, price),
                    license, after, BrowseQuery.DEFAULT_SIZE);
        }
    }
}
