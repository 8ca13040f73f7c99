package ai.aicrypto.plaza.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Members' Markdown, as the attacks people try on it: what comes out must be inert. */
class MarkdownRendererTest {

    private final MarkdownRenderer markdown = new MarkdownRenderer();

    @Test
    void rawHtmlIsShownAsText() {
        String html = markdown.toPostHtml("""
                <script>alert(1)</script>

                text <img src=x onerror=alert(1)> and <a href="javascript:alert(1)">x</a>
                <svg onload=alert(1)>""");
        assertThat(html).doesNotContain("<script", "<img", "<a ", "<svg")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "&lt;svg onload=alert(1)&gt;");
    }

    @Test
    void onlyWebAndMailLinksKeepTheirTarget() {
        assertThat(markdown.toPostHtml("[a](javascript:alert(1))")).contains("href=\"\"", "rel=\"nofollow ugc noopener\"");
        assertThat(markdown.toPostHtml("[a](JaVaScRiPt:alert(1))")).contains("href=\"\"");
        assertThat(markdown.toPostHtml("[a](java&#9;script:alert(1))")).contains("href=\"\"");
        assertThat(markdown.toPostHtml("<javascript:alert(1)>")).contains("href=\"\"");
        assertThat(markdown.toPostHtml("[a](vbscript:msgbox)")).contains("href=\"\"");
        assertThat(markdown.toPostHtml("[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)")).contains("href=\"\"")
                .doesNotContain("data:");
        assertThat(markdown.toPostHtml("[a](https://example.org/x?y=1#z)"))
                .contains("href=\"https://example.org/x?y=1#z\"", "rel=\"nofollow ugc noopener\"");
        assertThat(markdown.toPostHtml("[a](mailto:host@example.org)")).contains("href=\"mailto:host@example.org\"");
        assertThat(markdown.toPostHtml("[a](/competitions/x#rules)")).contains("href=\"/competitions/x#rules\"");
        assertThat(markdown.toPostHtml("<https://example.org>")).contains("rel=\"nofollow ugc noopener\"");
    }

    @Test
    void attributesCannotBeBrokenOutOf() {
        String html = markdown.toPostHtml("[a](https://example.org \"t\\\" onmouseover=\\\"alert(1)\")");
        assertThat(html).doesNotContain("\" onmouseover=\"").contains("&quot;");
        assertThat(markdown.toPostHtml("```js\" onclick=\"alert(1)\ncode\n```")).doesNotContain("\" onclick=\"");
    }

    @Test
    void imagesInPostsAreLinksNeverLoaded() {
        assertThat(markdown.toPostHtml("![chart](https://tracker.example/p.png)")).doesNotContain("<img")
                .contains("<a href=\"https://tracker.example/p.png\" rel=\"nofollow ugc noopener\" class=\"image-link\">chart</a>");
        assertThat(markdown.toPostHtml("![x](data:image/svg+xml;base64,PHN2Zz4=)")).doesNotContain("<img", "data:");
        assertThat(markdown.toPostHtml("![x](javascript:alert(1))")).doesNotContain("<img", "javascript");
    }

    @Test
    void listingDescriptionsDropDataAndScriptLinksToo() {
        assertThat(markdown.toHtml("[a](data:text/html,x) [b](javascript:alert(1)) ![c](data:image/png;base64,AA==)"))
                .doesNotContain("data:", "javascript:");
        assertThat(markdown.toHtml("[a](https://example.org)")).contains("href=\"https://example.org\"");
    }

    @Test
    void markdownStillFormats() {
        assertThat(markdown.toPostHtml("**bold** and `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |"))
                .contains("<strong>bold</strong>", "<code>code</code>", "<table>");
    }
}
