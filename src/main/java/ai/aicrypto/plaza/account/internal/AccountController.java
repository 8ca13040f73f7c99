package ai.aicrypto.plaza.account.internal;

import java.util.EnumSet;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.account.Role;
import ai.aicrypto.plaza.platform.UserFacingException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

@Controller
@Validated
class AccountController {

    private final AccountService accounts;

    AccountController(AccountService accounts) {
        this.accounts = accounts;
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
        model.addAttribute("account", accounts.profile(me.id()));
        return "account/profile";
    }

    @PostMapping("/profile")
    String updateProfile(@AuthenticationPrincipal AccountPrincipal me,
                         @RequestParam @NotBlank @Size(max = 80) String displayName, RedirectAttributes redirect) {
        accounts.changeDisplayName(me.id(), displayName);
        redirect.addFlashAttribute("saved", true);
        return "redirect:/profile";
    }
}
