package ai.aicrypto.plaza.serving.internal;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.chain.WalletChain;
import ai.aicrypto.plaza.chain.WalletSteps;
import ai.aicrypto.plaza.platform.Aic;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The member's usage credit: the page (per wallet: confirmed deposits, what calls were charged, what is settled
 * on-chain, what is available, an open withdrawal request) and the JSON steps of the wallet flows (static/js/wallet.js).
 * Every route acts on the signed-in member's own wallets only; anything they can fix answers a localized
 * {@code error} with status 400.
 */
@Controller
class CreditController {

    private final CreditLedger ledger;
    private final CreditWallet wallet;
    private final Accounts accounts;
    private final WalletChain chain;
    private final WalletSteps steps;
    private final Clock clock;

    CreditController(CreditLedger ledger, CreditWallet wallet, Accounts accounts, WalletChain chain, WalletSteps steps,
                     Clock clock) {
        this.clock = clock;
        this.ledger = ledger;
        this.wallet = wallet;
        this.accounts = accounts;
        this.chain = chain;
        this.steps = steps;
    }

    /** One wallet's line on the page, amounts in AIC. */
    record AccountLine(String wallet, String deposited, String withdrawn, String charged, String settled, String balance,
                       String available, String pendingWithdrawal, Instant withdrawableAt) {
    }

    @GetMapping("/credit")
    String page(@AuthenticationPrincipal AccountPrincipal me, Model model) {
        List<CreditLedger.CreditAccount> own = ledger.accounts(me.id());
        model.addAttribute("accounts", own.stream().map(a -> new AccountLine(a.wallet(), Aic.format(a.deposited()),
                Aic.format(a.withdrawn()), Aic.format(a.debited()), Aic.format(a.settled()), Aic.format(a.confirmedBalance()),
                Aic.format(a.available().max(BigInteger.ZERO)), Aic.format(a.pendingWithdrawal()), a.withdrawableAt())).toList());
        model.addAttribute("available", Aic.format(own.stream().map(CreditLedger.CreditAccount::available)
                .map(v -> v.max(BigInteger.ZERO)).reduce(BigInteger.ZERO, BigInteger::add)));
        model.addAttribute("withdrawableAlone", own.stream().anyMatch(a -> a.pendingWithdrawal().signum() > 0
                && a.withdrawableAt() != null && !a.withdrawableAt().isAfter(clock.instant())));
        model.addAttribute("movements", ledger.movements(me.id(), 20));
        model.addAttribute("enabled", ledger.enabled());
        model.addAttribute("hasWallet", !accounts.wallets(me.id()).isEmpty());
        model.addAttribute("chain", chain);
        return "serving/credit";
    }

    @PostMapping("/credit/deposit/permit")
    @ResponseBody
    ResponseEntity<Map<String, Object>> depositPermit(@AuthenticationPrincipal AccountPrincipal me,
                                                      @RequestBody Map<String, String> body) {
        return steps.answer("credit.error.chain-down", () -> {
            CreditWallet.Permit p = wallet.depositPermit(me.id(), body.get("wallet"), body.get("amount"));
            return Map.of("typedData", p.typedData(), "deadline", p.deadline());
        });
    }

    @PostMapping("/credit/deposit/transaction")
    @ResponseBody
    ResponseEntity<Map<String, Object>> depositTransaction(@RequestBody Map<String, String> body) {
        return steps.answer("credit.error.chain-down", () -> call(wallet.depositTransaction(body.get("amount"), body.get("deadline"), body.get("signature"))));
    }

    @PostMapping("/credit/withdrawal/transaction")
    @ResponseBody
    ResponseEntity<Map<String, Object>> withdrawalRequest(@AuthenticationPrincipal AccountPrincipal me,
                                                          @RequestBody Map<String, String> body) {
        return steps.answer("credit.error.chain-down", () -> call(wallet.withdrawalRequest(me.id(), body.get("wallet"), body.get("amount"))));
    }

    @PostMapping("/credit/withdraw/transaction")
    @ResponseBody
    ResponseEntity<Map<String, Object>> withdrawAlone(@AuthenticationPrincipal AccountPrincipal me,
                                                      @RequestBody Map<String, String> body) {
        return steps.answer("credit.error.chain-down", () -> call(wallet.withdrawAlone(me.id(), body.get("wallet"))));
    }

    private static Map<String, Object> call(CreditWallet.Call call) {
        return Map.of("to", call.to(), "data", call.data());
    }

}
