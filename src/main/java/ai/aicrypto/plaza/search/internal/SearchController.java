package ai.aicrypto.plaza.search.internal;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.aicrypto.plaza.search.Search;
import ai.aicrypto.plaza.search.SearchResults;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;

/** The results page (whole, or only its results for HTMX) and the navbar's suggestions. */
@Controller
class SearchController {

    private static final int SUGGESTIONS = 8;

    private final Search search;
    private final MessageSource messages;

    SearchController(Search search, MessageSource messages) {
        this.search = search;
        this.messages = messages;
    }

    @GetMapping("/search")
    String search(@RequestParam Map<String, String> query, @RequestHeader(name = "HX-Request", required = false) String htmx,
                  @RequestHeader(name = "HX-Target", required = false) String target, HttpServletRequest request,
                  Locale locale, Model model) {
        SearchParams params = SearchParams.from(query);
        SearchResults results = search.search(params.toQuery());
        model.addAttribute("page", SearchPage.of(params, results, request.getContextPath(), messages, locale));
        if (htmx != null && "more".equals(target)) {
            return "search/results :: hits";
        }
        return htmx != null && "search-results".equals(target) ? "search/results :: results" : "search/results";
    }

    @GetMapping("/search/suggest")
    String suggest(@RequestParam(defaultValue = "") String q, Model model) {
        boolean searchable = !q.isBlank() && q.length() <= ai.aicrypto.plaza.search.SearchQuery.MAX_TEXT_LENGTH;
        model.addAttribute("suggestions", searchable ? search.suggest(q, SUGGESTIONS) : List.of());
        return "search/suggest :: suggestions";
    }
}
