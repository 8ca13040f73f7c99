package ai.aicrypto.plaza.platform;

import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.SmartView;

/**
 * Adds every {@link PageAttribute} to the model of a view about to be rendered; redirects carry none. Error pages
 * made by exception handlers, which interceptors do not see, are given them by {@link ErrorAdvice}.
 */
@Component
class PageAttributesInterceptor implements HandlerInterceptor {

    private final List<PageAttribute> attributes;

    PageAttributesInterceptor(List<PageAttribute> attributes) {
        this.attributes = attributes;
    }

    @Override
    public void postHandle(HttpServletRequest request, HttpServletResponse response, Object handler, ModelAndView view) {
        addTo(view, request);
    }

    void addTo(ModelAndView view, HttpServletRequest request) {
        if (view == null || !view.hasView() || redirects(view)) {
            return;
        }
        for (PageAttribute attribute : attributes) {
            if (!view.getModelMap().containsAttribute(attribute.name())) {
                view.addObject(attribute.name(), attribute.value(request));
            }
        }
    }

    private static boolean redirects(ModelAndView view) {
        String name = view.getViewName();
        return name != null ? name.startsWith("redirect:") || name.startsWith("forward:")
                : view.getView() instanceof SmartView smart && smart.isRedirectView();
    }
}
