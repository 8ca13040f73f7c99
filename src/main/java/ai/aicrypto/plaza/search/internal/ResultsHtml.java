package ai.aicrypto.plaza.search.internal;

import java.util.List;

import org.springframework.web.util.HtmlUtils;

/**
 * The repeated parts of the results page, the hit cards, facet lists and sort links, written straight into
 * HTML. They are the page's hot path: in Thymeleaf, their several hundred expressions per page cost
 * about as much CPU as the Elasticsearch query behind them (JFR: 3.4 ms of a 5 ms request). The page
 * around them stays in {@code search/results.html}; the markup here matches what it used to render.
 * Everything but {@code titleHtml} and {@code snippetHtml} (already escaped, with matches marked) is
 * escaped here.
 */
final class ResultsHtml {

    private static final String SWAP_RESULTS = " hx-target=\"#search-results\" hx-swap=\"outerHTML\" hx-push-url=\"true\"";

    private final StringBuilder html = new StringBuilder(16 * 1024);

    static String sorts(List<SearchPage.Link> sorts) {
        ResultsHtml out = new ResultsHtml();
        for (SearchPage.Link sort : sorts) {
            out.raw("\n").openLink(sort.url(), sort.current()).text(sort.label()).raw("</a>");
        }
        return out.html.toString();
    }

    static String facets(List<SearchPage.Facet> facets) {
        ResultsHtml out = new ResultsHtml();
        for (SearchPage.Facet facet : facets) {
            out.raw("<div class=\"facet\" id=\"facet-").text(facet.name()).raw("\">\n<h3>").text(facet.title())
                    .raw("</h3>\n<ul>\n");
            for (SearchPage.FacetLink link : facet.values()) {
                out.raw("<li>").openLink(link.url(), link.current()).raw("<span>").text(link.label())
                        .raw("</span> <span class=\"count\">").text(link.count()).raw("</span></a></li>\n");
            }
            out.raw("</ul>\n</div>\n");
        }
        return out.html.toString();
    }

    static String hits(List<SearchPage.Hit> hits) {
        ResultsHtml out = new ResultsHtml();
        for (SearchPage.Hit hit : hits) {
            out.raw("<article class=\"card listing-card search-hit\">\n<div class=\"card-head\"><a class=\"card-title\" href=\"")
                    .text(hit.url()).raw("\">").raw(hit.titleHtml()).raw("</a>\n<span>")
                    .raw(hit.free() ? "<span class=\"badge badge-free\">" : "<span class=\"badge badge-paid\">")
                    .text(hit.price()).raw("</span>");
            if (hit.priceUnit() != null) {
                out.raw(" <span class=\"muted\">").text(hit.priceUnit()).raw("</span>");
            }
            out.raw("</span></div>\n<p class=\"excerpt\">").raw(hit.snippetHtml()).raw("</p>\n");
            out.element("p", "muted search-detail", hit.detail());
            out.raw("<div class=\"card-meta\">\n<span class=\"badge\">").text(hit.kind()).raw("</span>\n");
            out.element("span", "badge badge-muted", hit.task());
            if (hit.rating() != null) {
                out.raw("<span class=\"rating\" aria-label=\"").text(hit.ratingLabel()).raw("\">").text(hit.rating())
                        .raw("</span>\n");
            }
            out.element("span", "muted", hit.popularity());
            for (String tag : hit.tags()) {
                out.element("span", "tag", tag);
            }
            out.element("span", "muted", hit.license());
            out.raw("<span class=\"muted\">· <span>").text(hit.owner()).raw("</span></span>\n</div>\n</article>\n");
        }
        return out.html.toString();
    }

    /** A link that swaps the results for those at {@code url}, marked when it is the current choice. */
    private ResultsHtml openLink(String url, boolean current) {
        return raw("<a href=\"").text(url).raw("\" hx-get=\"").text(url).raw("\"").raw(SWAP_RESULTS)
                .raw(current ? " class=\"current\">" : ">");
    }

    private ResultsHtml raw(String markup) {
        html.append(markup);
        return this;
    }

    /** Escaped as th:text does (only what UTF-8 markup needs: &lt; &gt; &amp; &quot; &#39;); nothing for null. */
    private ResultsHtml text(String text) {
        if (text != null) {
            html.append(HtmlUtils.htmlEscape(text, "UTF-8"));
        }
        return this;
    }

    /** An element of that class holding the text, on a line of its own; nothing when there is no text. */
    private void element(String tag, String cssClass, String text) {
        if (text != null) {
            raw("<").raw(tag).raw(" class=\"").raw(cssClass).raw("\">").text(text).raw("</").raw(tag).raw(">\n");
        }
    }
}
