package ai.aicrypto.plaza.search.internal;

import org.springframework.web.util.HtmlUtils;

/**
 * Both backends mark matches with two control characters instead of HTML tags, so that the text
 * around them (written by users) can be escaped before the marks become {@code <mark>} elements.
 */
final class Highlights {

    static final String START = "\u0002";
    static final String END = "\u0003";

    private Highlights() {
    }

    static String toHtml(String marked) {
        if (marked == null) {
            return "";
        }
        return HtmlUtils.htmlEscape(marked).replace(START, "<mark>").replace(END, "</mark>");
    }
}
