package ai.aicrypto.plaza.platform;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.Image;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.NodeRenderer;
import org.commonmark.renderer.html.HtmlNodeRendererContext;
import org.commonmark.renderer.html.HtmlRenderer;
import org.commonmark.renderer.html.UrlSanitizer;
import org.commonmark.renderer.text.TextContentRenderer;
import org.springframework.stereotype.Component;

/**
 * Renders user-written Markdown to HTML that is safe to inline: raw HTML in the source is escaped
 * and link targets other than http(s), mailto and relative ones are dropped (commonmark's own sanitizer
 * also lets {@code data:} through).
 */
@Component
public class MarkdownRenderer {

    /** What members' posts mark their links with: no ranking credit for spam, no window.opener for the target. */
    static final String POST_LINK_REL = "nofollow ugc noopener";

    private final Parser parser;
    private final HtmlRenderer renderer;
    private final HtmlRenderer postRenderer;
    private final TextContentRenderer textRenderer;

    public MarkdownRenderer() {
        var extensions = List.of(TablesExtension.create());
        this.parser = Parser.builder().extensions(extensions).build();
        this.renderer = HtmlRenderer.builder()
                .extensions(extensions)
                .escapeHtml(true)
                .sanitizeUrls(true)
                .urlSanitizer(new SchemeAllowList())
                .build();
        this.postRenderer = HtmlRenderer.builder()
                .extensions(extensions)
                .escapeHtml(true)
                .sanitizeUrls(true)
                .urlSanitizer(new SchemeAllowList())
                .attributeProviderFactory(context -> (node, tag, attributes) -> {
                    if (node instanceof Link) {
                        attributes.put("rel", POST_LINK_REL);
                    }
                })
                .nodeRendererFactory(ImageAsLink::new)
                .build();
        this.textRenderer = TextContentRenderer.builder().extensions(extensions).build();
    }

    public String toHtml(String markdown) {
        return markdown == null ? "" : renderer.render(parser.parse(markdown));
    }

    /**
     * A member's post in a discussion: as {@link #toHtml}, and every link is marked {@value #POST_LINK_REL}. Images
     * are shown as links to them, never loaded: a picture from anywhere in a post would tell its host who reads the
     * discussion and when (a tracking pixel), and could be anything; a reader who follows the link chooses to.
     */
    public String toPostHtml(String markdown) {
        return markdown == null ? "" : postRenderer.render(parser.parse(markdown));
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

    /**
     * Keeps http, https, mailto and relative URLs; anything else with a scheme (javascript:, data:, vbscript:, and
     * schemes with tabs or spaces in them, which browsers strip) becomes an empty target.
     */
    private static final class SchemeAllowList implements UrlSanitizer {

        private static final Set<String> ALLOWED = Set.of("http", "https", "mailto");

        @Override
        public String sanitizeLinkUrl(String url) {
            for (int i = 0; i < url.length(); i++) {
                char c = url.charAt(i);
                if (c == '/' || c == '?' || c == '#') {
                    return url; // no scheme: relative
                }
                if (c == ':') {
                    return ALLOWED.contains(url.substring(0, i).toLowerCase(Locale.ROOT)) ? url : "";
                }
            }
            return url;
        }

        @Override
        public String sanitizeImageUrl(String url) {
            return sanitizeLinkUrl(url);
        }
    }

    /** An image written as a link to it, its alt text the link's text. */
    private static final class ImageAsLink implements NodeRenderer {

        private final HtmlNodeRendererContext context;

        ImageAsLink(HtmlNodeRendererContext context) {
            this.context = context;
        }

        @Override
        public Set<Class<? extends Node>> getNodeTypes() {
            return Set.of(Image.class);
        }

        @Override
        public void render(Node node) {
            Image image = (Image) node;
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("href", context.encodeUrl(context.urlSanitizer().sanitizeImageUrl(image.getDestination())));
            attributes.put("rel", POST_LINK_REL);
            attributes.put("class", "image-link");
            context.getWriter().tag("a", context.extendAttributes(node, "a", attributes));
            for (Node child = node.getFirstChild(); child != null; child = child.getNext()) {
                context.render(child);
            }
            context.getWriter().tag("/a");
        }
    }
}
