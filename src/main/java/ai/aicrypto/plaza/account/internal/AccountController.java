package ai.aicrypto.plaza.account.internal;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.account.Role;
import ai.aicrypto.plaza.platform.UserFacingException;
import jakarta.validation.Valid;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

@Controller
class AccountController {

    private final AccountService accounts;
    private final WalletSignIn wallets;
    private final ApiTokens tokens;

    AccountController(AccountService accounts, WalletSignIn wallets, ApiTokens tokens) {
        this.accounts = accounts;
        this.wallets = wallets;
        this.tokens = tokens;
    }

    @GetMapping("/login")
    String login() {
        return "account/login";
    }

    @GetMapping("/register")
    String registerForm(Model model) {
        model.addAttribute("form", RegistrationForm.empty());
        return "account/register";
    }

    @PostMapping("/register")
    String register(@Valid @ModelAttribute("form") RegistrationForm form, BindingResult binding,
                    RedirectAttributes redirect) {
        if (binding.hasErrors()) {
            return "account/register";
        }
        try {
            accounts.register(new Accounts.NewAccount(form.username(), form.email(), form.displayName(), form.password()),
                    EnumSet.of(Role.MEMBER));
        } catch (UserFacingException e) {
            binding.rejectValue(e.field(), e.messageKey(), e.args(), e.messageKey());
            return "account/register";
        }
        redirect.addFlashAttribute("registered", form.username());
        return "redirect:/login?registered";
    }

    @GetMapping("/profile")
    String profile(@AuthenticationPrincipal AccountPrincipal me, Model model) {
        UserAccount account = accounts.profile(me.id());
        model.addAttribute("account", new ProfileView(account.getUsername(), account.getEmail(),
                account.getDisplayName(), account.getRoles(), account.getCreatedAt()));
        model.addAttribute("wallets", wallets.walletsOf(me.id()));
        model.addAttribute("tokens", tokens.list(me.id()));
        return "account/profile";
    }

    /**
     * The new token is rendered in this response, the only time it is shown: never put in the
     * session (as a flash attribute would be, until the next request), and only its hash is kept.
     */
    @PostMapping("/profile/tokens")
    String issueToken(@AuthenticationPrincipal AccountPrincipal me, @RequestParam(defaultValue = "") String name, Model model) {
        try {
            ApiTokens.IssuedToken issued = tokens.issue(me.id(), name);
            model.addAttribute("newToken", issued.token());
            model.addAttribute("newTokenName", issued.name());
        } catch (UserFacingException e) {
            model.addAttribute("tokenError", e.messageKey());
        }
        return profile(me, model);
    }

    @PostMapping("/profile/tokens/{id}/revoke")
    String revokeToken(@AuthenticationPrincipal AccountPrincipal me, @PathVariable long id, RedirectAttributes redirect) {
        tokens.revoke(me.id(), id);
        redirect.addFlashAttribute("tokenRevoked", true);
        return "redirect:/profile#tokens";
    }

    /** What the profile page shows; public so that templates can read it. */
    public record ProfileView(String username, String email, String displayName, Set<Role> roles, Instant createdAt) {
    }

    @PostMapping("/profile")
    String updateProfile(@AuthenticationPrincipal AccountPrincipal me,
                         @RequestParam String displayName, RedirectAttributes redirect) {
        if (displayName.isBlank() || displayName.strip().length() > 80) {
            redirect.addFlashAttribute("displayNameError", true);
            return "redirect:/profile";
        }
        accounts.changeDisplayName(me.id(), displayName);
        redirect.addFlashAttribute("saved", true);
        return "redirect:/profile";
    }
}
