package ai.aicrypto.plaza.platform;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.support.RequestContextUtils;

/**
 * Turns user mistakes that escape a controller into pages in the user's language: a 400 page for
 * bad input, and the upload form again, with a message, for a file over the size limit.
 */
@ControllerAdvice
class ErrorAdvice {

    private static final Logger log = LoggerFactory.getLogger(ErrorAdvice.class);

    private final MessageSource messages;

    ErrorAdvice(MessageSource messages) {
        this.messages = messages;
    }

    @ExceptionHandler(UserFacingException.class)
    ModelAndView badInput(UserFacingException e) {
        var page = new ModelAndView("error", HttpStatus.BAD_REQUEST);
        page.addObject("status", 400);
        page.addObject("userMessage", messages.getMessage(e.messageKey(), e.args(), e.messageKey(),
                LocaleContextHolder.getLocale()));
        return page;
    }

    @ExceptionHandler(IntegrityException.class)
    ModelAndView integrity(IntegrityException e) {
        log.error("Integrity check failed", e);
        var page = new ModelAndView("error", HttpStatus.INTERNAL_SERVER_ERROR);
        page.addObject("status", 500);
        page.addObject("userMessage", messages.getMessage("error.integrity", null, LocaleContextHolder.getLocale()));
        return page;
    }

    /** The container refused the upload before any controller ran: back to the form (the redirect carries the flash). */
    @ExceptionHandler(MaxUploadSizeExceededException.class)
    String tooLarge(HttpServletRequest request, MaxUploadSizeExceededException e) {
        var flash = RequestContextUtils.getOutputFlashMap(request);
        long limit = e.getMaxUploadSize();
        flash.put("formError", messages.getMessage("upload.error.too-large",
                new Object[] {limit > 0 ? DataSize.ofBytes(limit).toMegabytes() + " MB" : "?"},
                LocaleContextHolder.getLocale()));
        return "redirect:" + request.getServletPath();
    }
}
