package ai.aicrypto.plaza.platform;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Size limits of multipart requests, by their declared length, before anything parses them (the container
 * spools every part to disk as soon as a parameter is read). The upload routes ({@link #UPLOAD_ROUTES}) may
 * send up to the upload limit: an upload over it goes back to its form with {@code ?tooLarge} (without this,
 * the first filter to read a parameter would make the container fail the whole request). Every other route
 * takes multipart requests of at most a small limit, and only with a declared length; the answer is written
 * here, and the connection closed, so the body is never read.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class UploadLimitFilter extends OncePerRequestFilter {

    static final String TOO_LARGE_PARAM = "tooLarge";

    /** The routes that take files; each checks the size of its own parts again. */
    static final List<PathPattern> UPLOAD_ROUTES = List.of("/datasets/new", "/models/new", "/competitions/new",
            "/competitions/{slug}/rescore", "/competitions/{slug}/phases", "/commissions/new",
            "/competitions/{slug}/submissions", "/api/v1/competitions/{slug}/submissions").stream()
            .map(PathPatternParser.defaultInstance::parse).toList();

    private final long maxUploadBytes;
    private final long maxOtherBytes;

    UploadLimitFilter(@Value("${spring.servlet.multipart.max-request-size}") DataSize maxRequestSize,
                      @Value("${plaza.web.max-other-multipart-size:1MB}") DataSize maxOtherSize) {
        this.maxUploadBytes = maxRequestSize.toBytes();
        this.maxOtherBytes = maxOtherSize.toBytes();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (MultipartRequests.isMultipart(request)) {
            long length = request.getContentLengthLong();
            if (isUploadRoute(request)) {
                if (length > maxUploadBytes) {
                    sendBack(request, response);
                    return;
                }
            } else if (length < 0) {
                MultipartRequests.refuse(response, HttpServletResponse.SC_LENGTH_REQUIRED, "A multipart request needs a Content-Length here.");
                return;
            } else if (length > maxOtherBytes) {
                MultipartRequests.refuse(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
                        "Larger than the limit of " + DataSizes.humanReadable(maxOtherBytes) + " for this address.");
                return;
            }
        }
        chain.doFilter(request, response);
    }

    static boolean isUploadRoute(HttpServletRequest request) {
        PathContainer path = PathContainer.parsePath(request.getRequestURI().substring(request.getContextPath().length()));
        return UPLOAD_ROUTES.stream().anyMatch(route -> route.matches(path));
    }

    /** Back to the form the upload came from; HTMX is told where to go, a plain form is redirected. */
    static void sendBack(HttpServletRequest request, HttpServletResponse response) throws IOException {
        MultipartRequests.redirect(request, response, request.getRequestURI() + "?" + TOO_LARGE_PARAM);
    }
}
