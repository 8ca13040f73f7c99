package ai.aicrypto.plaza.platform;

import java.util.List;

import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;
import org.commonmark.renderer.text.TextContentRenderer;
import org.springframework.stereotype.Component;

/**
 * Renders user-written Markdown to HTML that is safe to inline: raw HTML in the source is escaped
 * and link targets other than http(s), mailto and relative ones are dropped.
 */
@Component
public class MarkdownRenderer {

    private final Parser parser;
    private final HtmlRenderer renderer;
    private final TextContentRenderer textRenderer;

    public MarkdownRenderer() {
        var extensions = List.of(TablesExtension.create());
        this.parser = Parser.builder().extensions(extensions).build();
        this.renderer = HtmlRenderer.builder()
                .extensions(extensions)
                .escapeHtml(true)
                .sanitizeUrls(true)
                .build();
        this.textRenderer = TextContentRenderer.builder().extensions(extensions).build();
    }

    public String toHtml(String markdown) {
        return markdown == null ? "" : renderer.render(parser.parse(markdown));
    }

    /** The first {@code maxChars} characters of the text, without markup, for list pages. */
    public String toExcerpt(String markdown, int maxChars) {
        String text = toPlainText(markdown);
        return text.length() <= maxChars ? text : text.substring(0, maxChars - 1).stripTrailing() + "…";
    }

    /** The text without markup, on one line (search snippets are cut from it); empty for null. */
    public String toPlainText(String markdown) {
        if (markdown == null || markdown.isBlank()) {
            return "";
        }
        return textRenderer.render(parser.parse(markdown)).replaceAll("\\s+", " ").strip();
    }
}
