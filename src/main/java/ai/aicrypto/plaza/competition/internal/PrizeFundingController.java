package ai.aicrypto.plaza.competition.internal;

import java.util.Map;
import java.util.function.Supplier;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The JSON steps of funding a competition's prize pool with the host's wallet (static/js/wallet.js).
 * Only the host: anyone else is told the competition has nothing here. Anything the user can fix
 * answers a localized {@code error} with status 400.
 */
@RestController
class PrizeFundingController {

    private final CompetitionService competitions;
    private final PrizeEscrow prizes;
    private final MessageSource messages;

    PrizeFundingController(CompetitionService competitions, PrizeEscrow prizes, MessageSource messages) {
        this.competitions = competitions;
        this.prizes = prizes;
        this.messages = messages;
    }

    @PostMapping("/competitions/{slug}/funding/permit")
    ResponseEntity<Map<String, Object>> permit(@PathVariable String slug, @AuthenticationPrincipal AccountPrincipal me,
                                               @RequestBody Map<String, String> body) {
        return json(() -> {
            PrizeEscrow.Permit p = prizes.permit(competitions.bySlug(slug), me, body.get("wallet"));
            return Map.of("typedData", p.typedData(), "deadline", p.deadline(), "pool", p.pool().toString());
        });
    }

    @PostMapping("/competitions/{slug}/funding/transaction")
    ResponseEntity<Map<String, Object>> transaction(@PathVariable String slug, @AuthenticationPrincipal AccountPrincipal me,
                                                    @RequestBody Map<String, String> body) {
        return json(() -> {
            PrizeEscrow.Transaction tx = prizes.transaction(competitions.bySlug(slug), me, body.get("deadline"), body.get("signature"));
            return Map.of("to", tx.to(), "data", tx.data());
        });
    }

    private ResponseEntity<Map<String, Object>> json(Supplier<Map<String, Object>> step) {
        try {
            return ResponseEntity.ok(step.get());
        } catch (UserFacingException e) {
            return ResponseEntity.badRequest().body(Map.of("error",
                    messages.getMessage(e.messageKey(), e.args(), e.messageKey(), LocaleContextHolder.getLocale())));
        } catch (ChainUnavailableException e) {
            return ResponseEntity.status(503).body(Map.of("error",
                    messages.getMessage("competition.funding.error.chain-down", null, LocaleContextHolder.getLocale())));
        }
    }
}
