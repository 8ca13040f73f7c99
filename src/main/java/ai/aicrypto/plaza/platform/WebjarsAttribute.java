package ai.aicrypto.plaza.platform;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The versioned paths of the scripts and styles pages load from webjars, worked out once: looking the versions up in
 * the environment from every page cost a tenth of the layout's rendering.
 */
@Component
class WebjarsAttribute implements PageAttribute {

    private final Webjars webjars;

    WebjarsAttribute(@Value("${plaza.web.htmx-version}") String htmx, @Value("${plaza.web.htmx-ext-sse-version}") String sse,
                     @Value("${plaza.web.uplot-version}") String uplot) {
        this.webjars = new Webjars("/webjars/htmx.org/" + htmx + "/dist/htmx.min.js", "/webjars/htmx-ext-sse/" + sse + "/sse.js",
                "/webjars/uplot/" + uplot + "/dist/uPlot.iife.min.js", "/webjars/uplot/" + uplot + "/dist/uPlot.min.css");
    }

    /** Paths within the application, for {@code @{...}} links. */
    record Webjars(String htmx, String htmxSse, String uplot, String uplotCss) {
    }

    @Override
    public String name() {
        return "webjars";
    }

    @Override
    public Object value(HttpServletRequest request) {
        return webjars;
    }
}
