package ai.aicrypto.plaza.platform;

import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.server.PathContainer;
import org.springframework.web.cors.CorsUtils;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The app's request mapping, which first tries the {@link HotRoute} handler methods alone. Spring MVC finds a path
 * without variables through a map, but matches one with a variable ({@code /api/v1/models/{id}/predict}) against each
 * of the app's 160-odd mappings in turn, asking the request for its method through several wrappers each time: 18% of
 * the request threads' CPU samples of a call served through the gateway (JFR, ServingBench, 2026-12-08). One match
 * among the hot routes is handled exactly as the full lookup would handle it; none, several, or a CORS preflight go to
 * the full lookup, so what it answers (405, 415, 404) is unchanged.
 */
class HotRouteMapping extends RequestMappingHandlerMapping {

    private List<Map.Entry<RequestMappingInfo, HandlerMethod>> hot = List.of();

    @Override
    protected void handlerMethodsInitialized(Map<RequestMappingInfo, HandlerMethod> handlerMethods) {
        super.handlerMethodsInitialized(handlerMethods);
        hot = handlerMethods.entrySet().stream().filter(e -> e.getValue().hasMethodAnnotation(HotRoute.class))
                .map(e -> Map.entry(e.getKey(), e.getValue())).toList();
        // The full lookup prefers a literal path to a pattern; taken first, a hot route would shadow one it covers.
        for (RequestMappingInfo other : handlerMethods.keySet()) {
            for (String path : other.getDirectPaths()) {
                for (Map.Entry<RequestMappingInfo, HandlerMethod> route : hot) {
                    if (!route.getKey().equals(other) && route.getKey().getPathPatternsCondition().getPatterns().stream()
                            .anyMatch(pattern -> pattern.matches(PathContainer.parsePath(path)))) {
                        throw new IllegalStateException("The hot route " + route.getValue() + " covers " + path + " of "
                                + handlerMethods.get(other) + ": only routes that share no path may be marked @HotRoute");
                    }
                }
            }
        }
    }

    @Override
    protected HandlerMethod lookupHandlerMethod(String lookupPath, HttpServletRequest request) throws Exception {
        if (!hot.isEmpty() && !CorsUtils.isPreFlightRequest(request)) {
            Map.Entry<RequestMappingInfo, HandlerMethod> found = null;
            for (Map.Entry<RequestMappingInfo, HandlerMethod> route : hot) {
                RequestMappingInfo match = getMatchingMapping(route.getKey(), request);
                if (match != null) {
                    if (found != null) {
                        return super.lookupHandlerMethod(lookupPath, request); // the full lookup ranks them
                    }
                    found = Map.entry(match, route.getValue());
                }
            }
            if (found != null) {
                request.setAttribute(HandlerMapping.BEST_MATCHING_HANDLER_ATTRIBUTE, found.getValue());
                handleMatch(found.getKey(), lookupPath, request);
                return found.getValue();
            }
        }
        return super.lookupHandlerMethod(lookupPath, request);
    }
}
