package ai.aicrypto.plaza.catalog.internal;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.License;
import ai.aicrypto.plaza.catalog.ListingForm;
import ai.aicrypto.plaza.catalog.ListingStatus;
import ai.aicrypto.plaza.catalog.ListingView;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** "My listings", and editing, unpublishing and republishing by the owner (unpublishing by admins too). */
@Controller
class MyListingsController {

    private final CatalogService catalog;

    MyListingsController(CatalogService catalog) {
        this.catalog = catalog;
    }

    @GetMapping("/listings/mine")
    String mine(@AuthenticationPrincipal AccountPrincipal me, Model model) {
        model.addAttribute("listings", catalog.ownedBy(me, 500));
        return "catalog/mine";
    }

    @GetMapping("/listings/{id}/edit")
    String editForm(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, Model model) {
        ListingView listing = catalog.forManagement(id, me);
        model.addAttribute("listing", listing);
        model.addAttribute("form", ListingForm.of(listing));
        model.addAttribute("licenses", License.values());
        return "catalog/edit";
    }

    @PostMapping("/listings/{id}/edit")
    String edit(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                @ModelAttribute("form") ListingForm form, BindingResult binding, Model model,
                RedirectAttributes redirect) {
        ListingView listing = catalog.forManagement(id, me);
        try {
            listing = catalog.update(id, form.toDraft(), me);
        } catch (UserFacingException e) {
            binding.rejectValue(e.field(), e.messageKey(), e.args(), e.messageKey());
            if (listing.royaltyFixed()) {
                form.setRoyaltyPercent(ListingForm.of(listing).getRoyaltyPercent()); // shown, never sent (disabled)
            }
            model.addAttribute("listing", listing);
            model.addAttribute("licenses", License.values());
            return "catalog/edit";
        }
        redirect.addFlashAttribute("notice", "listing.saved");
        return "redirect:/" + listing.kind().path() + "/" + id;
    }

    @PostMapping("/listings/{id}/unpublish")
    String unpublish(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, RedirectAttributes redirect) {
        ListingView listing = catalog.changeStatus(id, ListingStatus.UNPUBLISHED, me);
        redirect.addFlashAttribute("notice", "listing.unpublished");
        return "redirect:/" + listing.kind().path() + "/" + id;
    }

    @PostMapping("/listings/{id}/publish")
    String publish(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, RedirectAttributes redirect) {
        ListingView listing = catalog.changeStatus(id, ListingStatus.PUBLISHED, me);
        redirect.addFlashAttribute("notice", "listing.published");
        return "redirect:/" + listing.kind().path() + "/" + id;
    }
}
