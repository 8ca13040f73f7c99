package ai.aicrypto.plaza.platform;

import java.io.IOException;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Multipart requests before they are parsed: the container writes every part to disk as soon as anything reads a
 * parameter, so whatever refuses one must decide from the headers alone and answer without reading the body.
 */
public final class MultipartRequests {

    private MultipartRequests() {
    }

    /** A request with a body the container would parse into parts. */
    public static boolean isMultipart(HttpServletRequest request) {
        String type = request.getContentType();
        String method = request.getMethod();
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/")
                && ("POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method));
    }

    /**
     * Answers without reading the body, and closes the connection (what is left of the body is not worth
     * reading). No {@code sendError}: the error page would be rendered by a dispatch that parses the parts.
     */
    public static void refuse(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setHeader("Connection", "close");
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().write(message + "\n");
        response.flushBuffer();
    }

    /** A redirect, for a browser whose post was refused; HTMX is told where to go instead. */
    public static void redirect(HttpServletRequest request, HttpServletResponse response, String target) throws IOException {
        response.setHeader("Connection", "close");
        if (request.getHeader("HX-Request") != null) {
            response.setHeader("HX-Redirect", target);
            response.setStatus(HttpServletResponse.SC_OK);
        } else {
            response.sendRedirect(target);
        }
    }
}
