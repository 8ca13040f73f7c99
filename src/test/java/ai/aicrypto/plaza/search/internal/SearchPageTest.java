package ai.aicrypto.plaza.search.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.aicrypto.plaza.catalog.Task;
import ai.aicrypto.plaza.search.SearchHit;
import ai.aicrypto.plaza.search.SearchKind;
import ai.aicrypto.plaza.search.SearchResults;
import ai.aicrypto.plaza.search.SearchResults.FacetValue;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.ResourceBundleMessageSource;

/** The results page's labels, links and markup, worked out in Java ({@link SearchPage}, {@link ResultsHtml}). */
class SearchPageTest {

    private final ResourceBundleMessageSource messages = new ResourceBundleMessageSource();

    SearchPageTest() {
        messages.setBasename("i18n/messages");
        messages.setDefaultEncoding("UTF-8");
        messages.setFallbackToSystemLocale(false);
    }

    private static SearchParams params(String q, String kind, String sort) {
        return new SearchParams(q, kind, null, null, null, null, null, null, null, sort, null);
    }

    private static SearchResults results(SearchHit... hits) {
        return new SearchResults(List.of(hits), 1234, Map.of("kind", List.of(new FacetValue("DATASET", 1200),
                new FacetValue("MODEL", 34)), "tag", List.of()), "cursor/1", "elasticsearch", false);
    }

    private static SearchHit hit(String owner, List<String> tags, String detail, BigDecimal price, Double stars) {
        return new SearchHit(7, SearchKind.DATASET, "/datasets/7", "Weather <b>", "<mark>Weather</mark> &lt;b&gt;",
                "A <mark>weather</mark> set", detail, tags, "MIT", price, owner, Task.CLASSIFICATION, 3,
                stars, stars == null ? 0 : 2);
    }

    @Test
    void everythingUsersWroteIsEscapedAndOnlyTheMarksAreMarkup() {
        SearchPage page = SearchPage.of(params("weather", null, null),
                results(hit("<b>\"eve\"&", List.of("<i>x</i>"), "<script>alert(1)</script>", BigDecimal.TEN, null)),
                "", messages, Locale.ENGLISH);

        assertThat(page.hitsHtml())
                .contains("<a class=\"card-title\" href=\"/datasets/7\"><mark>Weather</mark> &lt;b&gt;</a>")
                .contains("<p class=\"excerpt\">A <mark>weather</mark> set</p>")
                .contains("<span>&lt;b&gt;&quot;eve&quot;&amp;</span>")
                .contains("<span class=\"tag\">&lt;i&gt;x&lt;/i&gt;</span>")
                .contains("<p class=\"muted search-detail\">&lt;script&gt;alert(1)&lt;/script&gt;</p>")
                .doesNotContain("<b>", "<i>", "<script>");
    }

    @Test
    void labelsComeInTheVisitorsLanguage() {
        SearchHit rated = hit("eve", List.of(), null, BigDecimal.ZERO, 4.0);

        SearchPage english = SearchPage.of(params("weather", null, null), results(rated), "", messages, Locale.ENGLISH);
        assertThat(english.count()).isEqualTo("1,234 results");
        assertThat(english.hitsHtml())
                .contains("<span class=\"badge badge-free\">Free</span>")
                .contains("<span class=\"badge\">Dataset</span>")
                .contains("<span class=\"badge badge-muted\">Classification</span>")
                .contains("aria-label=\"Average 4.0 of 5 stars from 2 reviews\">4.0 ★ (2 reviews)</span>")
                .contains("<span class=\"muted\">3 licenses</span>")
                .doesNotContain("search-detail");
        assertThat(english.facetsHtml()).contains("<h3>Kind</h3>").contains("<span>Model</span> <span class=\"count\">34</span>")
                .doesNotContain("facet-tag");

        SearchPage korean = SearchPage.of(params("weather", null, null), results(rated), "", messages, Locale.KOREAN);
        assertThat(korean.count()).isEqualTo("결과 1,234개");
        assertThat(korean.hitsHtml()).contains(">무료</span>").contains(">데이터셋</span>").contains(">분류</span>")
                .contains(">4.0 ★ (리뷰 2개)</span>").contains(">라이선스 3건</span>");
        assertThat(korean.facetsHtml()).contains("<h3>종류</h3>");
    }

    @Test
    void linksKeepTheSearchAndToggleOneFilter() {
        SearchPage page = SearchPage.of(params("날씨 data", "DATASET", "newest"), results(hit("eve", List.of(), null,
                new BigDecimal("12.50"), null)), "/plaza", messages, Locale.ENGLISH);

        String query = "q=%EB%82%A0%EC%94%A8+data";
        // The selected kind links back to all kinds; the other adds itself. Both keep the sort.
        assertThat(page.facetsHtml())
                .contains("href=\"/search?" + query + "&amp;sort=newest\" hx-get=\"/search?" + query
                        + "&amp;sort=newest\" hx-target=\"#search-results\" hx-swap=\"outerHTML\" hx-push-url=\"true\" class=\"current\">"
                        + "<span>Dataset</span>")
                .contains("href=\"/search?" + query + "&amp;kind=MODEL&amp;sort=newest\"");
        assertThat(page.sortsHtml()).contains("href=\"/search?" + query + "&amp;kind=DATASET&amp;sort=rating\"")
                .contains("hx-push-url=\"true\" class=\"current\">Newest</a>").containsOnlyOnce("class=\"current\"");
        assertThat(SearchPage.of(params("rain", null, null), results(), "", messages, Locale.ENGLISH).sortsHtml())
                .containsOnlyOnce("class=\"current\"").contains("class=\"current\">Relevance</a>");
        assertThat(page.moreUrl()).isEqualTo("/search?" + query + "&kind=DATASET&sort=newest&after=cursor%2F1");
        assertThat(page.hitsHtml()).contains("href=\"/plaza/datasets/7\"").contains(">12.5 AIC</span>");
    }
}
