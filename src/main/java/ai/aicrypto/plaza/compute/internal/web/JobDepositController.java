package ai.aicrypto.plaza.compute.internal.web;

import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.chain.WalletSteps;
import ai.aicrypto.plaza.compute.internal.JobDeposits;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The JSON steps of depositing a job's budget with the browser's wallet (static/js/wallet.js). Only
 * the requester: anyone else is told the job does not exist.
 */
@RestController
class JobDepositController {

    private final JobDeposits deposits;
    private final WalletSteps steps;

    JobDepositController(JobDeposits deposits, WalletSteps steps) {
        this.deposits = deposits;
        this.steps = steps;
    }

    @PostMapping("/jobs/{id}/deposit/permit")
    ResponseEntity<Map<String, Object>> permit(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                                               @RequestBody Map<String, String> body) {
        return steps.answer("job.deposit.error.chain-down", () -> {
            JobDeposits.Permit p = deposits.permit(me.id(), id, body.get("wallet"));
            return Map.of("typedData", p.typedData(), "deadline", p.deadline(), "budget", p.budget().toString());
        });
    }

    @PostMapping("/jobs/{id}/deposit/transaction")
    ResponseEntity<Map<String, Object>> transaction(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                                                    @RequestBody Map<String, String> body) {
        return steps.answer("job.deposit.error.chain-down", () -> {
            JobDeposits.Transaction tx = deposits.transaction(me.id(), id, body.get("deadline"), body.get("signature"));
            return Map.of("to", tx.to(), "data", tx.data());
        });
    }

    @PostMapping("/jobs/{id}/deposit")
    ResponseEntity<Map<String, Object>> sent(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                                             @RequestBody Map<String, String> body) {
        return steps.answer("job.deposit.error.chain-down", () -> {
            deposits.sent(me.id(), id, body.get("wallet"), body.get("txHash"));
            return Map.of("jobId", id);
        });
    }
}
