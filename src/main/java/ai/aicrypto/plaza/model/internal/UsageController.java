package ai.aicrypto.plaza.model.internal;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
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
    private final Clock clock;

    UsageController(ModelUsage usage, MessageSource messages, JsonMapper json, Clock clock) {
        this.usage = usage;
        this.messages = messages;
        this.json = json;
        this.clock = clock;
    }

    @GetMapping("/usage")
    String usage(@AuthenticationPrincipal AccountPrincipal me, Model model) {
        List<ModelUsage.CallerDay> mine = usage.caller(me.id());
        List<ModelUsage.OwnerDay> theirs = usage.owner(me.id());
        model.addAttribute("callerDays", mine);
        model.addAttribute("ownerDays", theirs);
        model.addAttribute("days", ModelUsage.DAYS);
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        model.addAttribute("callsSeries", json.writeValueAsString(ModelUsage.callerSeries(mine, text("usage.calls"),
                ModelUsage.CallerDay::calls, today)));
        model.addAttribute("spendSeries", json.writeValueAsString(ModelUsage.callerSeries(mine, text("usage.spent"),
                d -> Double.parseDouble(d.spentAic()), today)));
        model.addAttribute("latencySeries", json.writeValueAsString(ModelUsage.callerSeries(mine, text("usage.latency"),
                ModelUsage.CallerDay::meanLatencyMs, today)));
        model.addAttribute("ownerSeries", json.writeValueAsString(ModelUsage.ownerSeries(theirs, today)));
        return "model/usage";
    }

    private String text(String key) {
        return messages.getMessage(key, null, key, LocaleContextHolder.getLocale());
    }
}
