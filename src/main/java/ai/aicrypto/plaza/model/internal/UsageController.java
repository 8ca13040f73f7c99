package ai.aicrypto.plaza.model.internal;

import java.util.List;

import ai.aicrypto.plaza.account.AccountPrincipal;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import tools.jackson.databind.json.JsonMapper;

/** The signed-in member's usage of models, and the use others made of theirs, by day with charts. */
@Controller
class UsageController {

    private final ModelUsage usage;
    private final MessageSource messages;
    private final JsonMapper json;

    UsageController(ModelUsage usage, MessageSource messages, JsonMapper json) {
        this.usage = usage;
        this.messages = messages;
        this.json = json;
    }

    @GetMapping("/usage")
    String usage(@AuthenticationPrincipal AccountPrincipal me, Model model) {
        List<ModelUsage.CallerDay> mine = usage.caller(me.id());
        List<ModelUsage.OwnerDay> theirs = usage.owner(me.id());
        model.addAttribute("callerDays", mine);
        model.addAttribute("ownerDays", theirs);
        model.addAttribute("days", ModelUsage.DAYS);
        model.addAttribute("callerSeries", json.writeValueAsString(ModelUsage.callerSeries(mine, text("usage.calls"),
                text("usage.spent"), text("usage.latency"))));
        model.addAttribute("ownerSeries", json.writeValueAsString(ModelUsage.ownerSeries(theirs)));
        return "model/usage";
    }

    private String text(String key) {
        return messages.getMessage(key, null, key, LocaleContextHolder.getLocale());
    }
}
