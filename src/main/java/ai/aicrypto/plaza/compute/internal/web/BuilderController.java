package ai.aicrypto.plaza.compute.internal.web;

import ai.aicrypto.plaza.account.AccountPrincipal;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;

/**
 * The Easy AI Builder: each step is a GET of /builder with every choice so far (so back, reload
 * and bookmarks work, with or without htmx); the last step POSTs and queues the job.
 */
@Controller
class BuilderController {

    private final Builder builder;
    private final Messages messages;

    BuilderController(Builder builder, Messages messages) {
        this.builder = builder;
        this.messages = messages;
    }

    @GetMapping("/builder")
    String step(@AuthenticationPrincipal AccountPrincipal me, @ModelAttribute("form") BuilderForm form, Model model) {
        return show(builder.walk(me.id(), form), form, model);
    }

    @PostMapping("/builder")
    String submit(@AuthenticationPrincipal AccountPrincipal me, @ModelAttribute("form") BuilderForm form, Model model) {
        Builder.Submission submission = builder.submit(me.id(), form);
        if (submission.jobId() != null) {
            return "redirect:/jobs/" + submission.jobId();
        }
        if (submission.sweepId() != null) {
            return "redirect:/sweeps/" + submission.sweepId();
        }
        return show(submission.wizard(), form, model);
    }

    private String show(Wizard wizard, BuilderForm form, Model model) {
        // The values shown (defaults included) are the ones the next steps carry.
        wizard.hyperparameters().forEach(h -> form.getHp().put(h.name(), h.value()));
        model.addAttribute("w", wizard);
        model.addAttribute("errors", messages.byField(wizard.errors()));
        return "compute/builder";
    }
}
