package ai.aicrypto.plaza.platform;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.servlet.ModelAndView;

/**
 * Turns user mistakes that escape a controller into pages in the user's language: a 400 page for
 * bad input (just its message to an HTMX request), and the upload form again, with a message, for a file over the size limit.
 */
@ControllerAdvice
class ErrorAdvice {

    private static final Logger log = LoggerFactory.getLogger(ErrorAdvice.class);

    private final MessageSource messages;
    private final PageAttributesInterceptor pageAttributes;

    ErrorAdvice(MessageSource messages, PageAttributesInterceptor pageAttributes) {
        this.messages = messages;
        this.pageAttributes = pageAttributes;
    }

    /**
     * A 400 page; to an HTMX request, which the site-wide rule (htmx-config in the layout) swaps in, only the message,
     * placed before the element the request was for, so that the element stays as it was.
     */
    @ExceptionHandler(UserFacingException.class)
    ModelAndView badInput(UserFacingException e, HttpServletRequest request, HttpServletResponse response) {
        ModelAndView page = errorPage(HttpStatus.BAD_REQUEST, e.localized(messages), request);
        if (request.getHeader("HX-Request") != null) {
            response.setHeader("HX-Reswap", "beforebegin");
            page.setViewName("error :: refusal");
        }
        return page;
    }

    @ExceptionHandler(IntegrityException.class)
    ModelAndView integrity(IntegrityException e, HttpServletRequest request) {
        log.error("Integrity check failed", e);
        return errorPage(HttpStatus.INTERNAL_SERVER_ERROR, messages.getMessage("error.integrity", null,
                LocaleContextHolder.getLocale()), request);
    }

    /** A statement cut by its timeout (review M6): most often a visitor's search that would run long. */
    @ExceptionHandler(QueryTimeoutException.class)
    ModelAndView tooSlow(QueryTimeoutException e, HttpServletRequest request) {
        log.warn("A statement ran out of time for {} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
        return errorPage(HttpStatus.SERVICE_UNAVAILABLE, messages.getMessage("error.query-timeout", null,
                LocaleContextHolder.getLocale()), request);
    }

    /**
     * A live update stream refused (review M8), as plain text: the request asked for an event stream, so no page
     * would be accepted, and a browser's EventSource tries again after the pause.
     */
    @ExceptionHandler(LiveUpdates.TooManyStreams.class)
    void tooManyStreams(LiveUpdates.TooManyStreams e, HttpServletResponse response) throws IOException {
        response.setStatus(e.status());
        response.setHeader("Retry-After", String.valueOf(LiveUpdates.TooManyStreams.RETRY_AFTER_SECONDS));
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().write(messages.getMessage(e.messageKey(), null, LocaleContextHolder.getLocale()) + "\n");
    }

    private ModelAndView errorPage(HttpStatus status, String userMessage, HttpServletRequest request) {
        var page = new ModelAndView("error", status);
        page.addObject("status", status.value());
        page.addObject("userMessage", userMessage);
        pageAttributes.addTo(page, request);
        return page;
    }

    /**
     * A multipart request the container stopped reading (an upload without a length past the limit, or more parts than
     * server.tomcat.max-part-count): an upload goes back to its form, as {@link UploadLimitFilter} does; a call to any
     * other route (the predict API's pictures) is answered 413, as the filter answers one over its size.
     */
    @ExceptionHandler(MaxUploadSizeExceededException.class)
    void tooLarge(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (UploadLimitFilter.isUploadRoute(request)) {
            UploadLimitFilter.sendBack(request, response);
        } else {
            MultipartRequests.refuse(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
                    "Too many parts or too large for this address.");
        }
    }
}
