package ai.aicrypto.plaza.market.internal;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.catalog.ListingDocument;
import ai.aicrypto.plaza.platform.UserFacingException;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The reviews panel of a listing page and the reviewer's form. An HTMX request gets the panel (or, for "More",
 * the next reviews); a plain request gets the panel on a page of its own, so reviews are read and written
 * without script too. A refusal is answered with 403 and bad input with 400, both with the panel and the reason.
 */
@Controller
class ReviewController {

    private static final int PAGE_SIZE = 10;

    private final Catalog catalog;
    private final ListingReviews reviews;
    private final MessageSource messages;

    ReviewController(Catalog catalog, ListingReviews reviews, MessageSource messages) {
        this.catalog = catalog;
        this.reviews = reviews;
        this.messages = messages;
    }

    @GetMapping("/listings/{id}/reviews")
    String show(@PathVariable long id, @RequestParam(required = false) String after,
                @RequestParam(required = false) String part,
                @RequestHeader(name = "HX-Request", required = false) String htmx,
                @AuthenticationPrincipal AccountPrincipal me, Model model) {
        ListingDocument listing = MarketController.visible(catalog, id, me);
        if (htmx != null && "rows".equals(part)) {
            model.addAttribute("listing", listing);
            model.addAttribute("page", reviews.newest(id, after, PAGE_SIZE));
            return "market/reviews :: rows";
        }
        return panel(listing, me, after, null, htmx != null, model);
    }

    /** Refused (403) or bad input (400): the panel again with the reason, and the form as sent so nothing typed is lost. */
    @PostMapping("/listings/{id}/review")
    String write(@PathVariable long id, @ModelAttribute("form") ReviewForm form,
                 @RequestHeader(name = "HX-Request", required = false) String htmx,
                 @AuthenticationPrincipal AccountPrincipal me, HttpServletResponse response, Model model,
                 RedirectAttributes redirect) {
        ListingDocument listing = MarketController.visible(catalog, id, me);
        HttpStatus status;
        String error;
        try {
            reviews.write(listing, me, form.stars(), form.body());
            return done("market.review.saved", listing, me, htmx != null, model, redirect);
        } catch (ListingReviews.ReviewRefused e) {
            status = HttpStatus.FORBIDDEN;
            error = message(e.reason().messageKey(), null);
        } catch (UserFacingException e) {
            status = HttpStatus.BAD_REQUEST;
            error = message(e.messageKey(), e.args());
        }
        response.setStatus(status.value());
        model.addAttribute("error", error);
        return panel(listing, me, null, form, htmx != null, model);
    }

    /** Only ever the signed-in user's own review; also one written while a license they no longer hold was in force. */
    @PostMapping("/listings/{id}/review/delete")
    String delete(@PathVariable long id, @RequestHeader(name = "HX-Request", required = false) String htmx,
                  @AuthenticationPrincipal AccountPrincipal me, Model model, RedirectAttributes redirect) {
        ListingDocument listing = MarketController.visible(catalog, id, me);
        reviews.delete(id, me.id());
        return done("market.review.deleted", listing, me, htmx != null, model, redirect);
    }

    /** After a change: HTMX gets the panel with a notice, a plain form post a redirect to the reviews page. */
    private String done(String notice, ListingDocument listing, AccountPrincipal me, boolean htmx, Model model,
                        RedirectAttributes redirect) {
        if (!htmx) {
            redirect.addFlashAttribute("notice", notice);
            return "redirect:/listings/" + listing.id() + "/reviews";
        }
        model.addAttribute("notice", notice);
        return panel(listing, me, null, null, true, model);
    }

    private String message(String key, Object[] args) {
        return messages.getMessage(key, args, key, LocaleContextHolder.getLocale());
    }

    /**
     * The panel for HTMX, else its page.
     *
     * @param after the cursor of the reviews to list after; null for the newest
     * @param form  the form's values to show; null for the user's review as stored (or an empty form)
     */
    private String panel(ListingDocument listing, AccountPrincipal me, String after, ReviewForm form, boolean htmx,
                         Model model) {
        ListingReviews.Review mine = me == null ? null : reviews.of(listing.id(), me.id()).orElse(null);
        model.addAttribute("listing", listing);
        model.addAttribute("summary", reviews.summary(listing.id()));
        model.addAttribute("page", reviews.newest(listing.id(), after, PAGE_SIZE));
        model.addAttribute("eligibility", reviews.eligibility(listing, me));
        model.addAttribute("mine", mine);
        model.addAttribute("maxBodyChars", ListingReviews.MAX_BODY_CHARS);
        model.addAttribute("form", form != null ? form
                : mine != null ? new ReviewForm(String.valueOf(mine.stars()), mine.body()) : new ReviewForm(null, ""));
        return htmx ? "market/reviews :: panel" : "market/reviews-page";
    }

    /** The review form's fields as sent, bound by name; {@link ListingReviews#write} checks them. */
    record ReviewForm(String stars, String body) {
    }
}
