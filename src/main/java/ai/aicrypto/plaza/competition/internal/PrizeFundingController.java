package ai.aicrypto.plaza.competition.internal;

import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.chain.WalletSteps;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The JSON steps of funding a competition's prize pool with the host's wallet (static/js/wallet.js).
 * Only the host: anyone else is told the competition has nothing here.
 */
@RestController
class PrizeFundingController {

    private final CompetitionService competitions;
    private final PrizeEscrow prizes;
    private final WalletSteps steps;

    PrizeFundingController(CompetitionService competitions, PrizeEscrow prizes, WalletSteps steps) {
        this.competitions = competitions;
        this.prizes = prizes;
        this.steps = steps;
    }

    @PostMapping("/competitions/{slug}/funding/permit")
    ResponseEntity<Map<String, Object>> permit(@PathVariable String slug, @AuthenticationPrincipal AccountPrincipal me,
                                               @RequestBody Map<String, String> body) {
        return steps.answer("competition.funding.error.chain-down", () -> {
            PrizeEscrow.Permit p = prizes.permit(competitions.bySlug(slug), me, body.get("wallet"));
            return Map.of("typedData", p.typedData(), "deadline", p.deadline(), "pool", p.pool().toString());
        });
    }

    @PostMapping("/competitions/{slug}/funding/transaction")
    ResponseEntity<Map<String, Object>> transaction(@PathVariable String slug, @AuthenticationPrincipal AccountPrincipal me,
                                                    @RequestBody Map<String, String> body) {
        return steps.answer("competition.funding.error.chain-down", () -> {
            PrizeEscrow.Transaction tx = prizes.transaction(competitions.bySlug(slug), me, body.get("deadline"), body.get("signature"));
            return Map.of("to", tx.to(), "data", tx.data());
        });
    }
}
