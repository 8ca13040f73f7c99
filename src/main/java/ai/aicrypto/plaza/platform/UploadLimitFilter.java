package ai.aicrypto.plaza.platform;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Sends an upload that is over the size limit back to its form with {@code ?tooLarge}, before
 * anything parses it. Without this, the first filter to read a parameter (the CSRF check, for a
 * form posted without JavaScript) would make the container fail the whole request.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class UploadLimitFilter extends OncePerRequestFilter {

    static final String TOO_LARGE_PARAM = "tooLarge";

    private final long maxBytes;

    UploadLimitFilter(@Value("${spring.servlet.multipart.max-request-size}") DataSize maxRequestSize) {
        this.maxBytes = maxRequestSize.toBytes();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (isMultipart(request) && request.getContentLengthLong() > maxBytes) {
            sendBack(request, response);
            return;
        }
        chain.doFilter(request, response);
    }

    /** Back to the form the upload came from; HTMX is told where to go, a plain form is redirected. */
    static void sendBack(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String form = request.getRequestURI() + "?" + TOO_LARGE_PARAM;
        if (request.getHeader("HX-Request") != null) {
            response.setHeader("HX-Redirect", form);
            response.setStatus(HttpServletResponse.SC_OK);
        } else {
            response.sendRedirect(form);
        }
    }

    private static boolean isMultipart(HttpServletRequest request) {
        String type = request.getContentType();
        return "POST".equals(request.getMethod()) && type != null && type.toLowerCase().startsWith("multipart/");
    }
}
