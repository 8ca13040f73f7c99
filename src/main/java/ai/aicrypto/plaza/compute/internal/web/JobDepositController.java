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
 * The JSON steps of depositing a job's budget, or a training pool, with the browser's wallet (static/js/wallet.js). Only
 * the job's requester or the pool's owner: anyone else is told it does not exist.
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
        return permit(JobDeposits.Kind.JOB, id, me, body);
    }

    @PostMapping("/jobs/{id}/deposit/transaction")
    ResponseEntity<Map<String, Object>> transaction(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                                                    @RequestBody Map<String, String> body) {
        return transaction(JobDeposits.Kind.JOB, id, me, body);
    }

    @PostMapping("/jobs/{id}/deposit")
    ResponseEntity<Map<String, Object>> sent(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                                             @RequestBody Map<String, String> body) {
        return sent(JobDeposits.Kind.JOB, id, me, body);
    }

    @PostMapping("/pools/{id}/deposit/permit")
    ResponseEntity<Map<String, Object>> poolPermit(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                                                   @RequestBody Map<String, String> body) {
        return permit(JobDeposits.Kind.POOL, id, me, body);
    }

    @PostMapping("/pools/{id}/deposit/transaction")
    ResponseEntity<Map<String, Object>> poolTransaction(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                                                        @RequestBody Map<String, String> body) {
        return transaction(JobDeposits.Kind.POOL, id, me, body);
    }

    @PostMapping("/pools/{id}/deposit")
    ResponseEntity<Map<String, Object>> poolSent(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                                                 @RequestBody Map<String, String> body) {
        return sent(JobDeposits.Kind.POOL, id, me, body);
    }

    private ResponseEntity<Map<String, Object>> permit(JobDeposits.Kind kind, long id, AccountPrincipal me, Map<String, String> body) {
        return steps.answer("job.deposit.error.chain-down", () -> {
            JobDeposits.Permit p = deposits.permit(me.id(), kind, id, body.get("wallet"));
            return Map.of("typedData", p.typedData(), "deadline", p.deadline(), "budget", p.budget().toString());
        });
    }

    private ResponseEntity<Map<String, Object>> transaction(JobDeposits.Kind kind, long id, AccountPrincipal me,
                                                            Map<String, String> body) {
        return steps.answer("job.deposit.error.chain-down", () -> {
            JobDeposits.Transaction tx = deposits.transaction(me.id(), kind, id, body.get("deadline"), body.get("signature"));
            return Map.of("to", tx.to(), "data", tx.data());
        });
    }

    private ResponseEntity<Map<String, Object>> sent(JobDeposits.Kind kind, long id, AccountPrincipal me, Map<String, String> body) {
        return steps.answer("job.deposit.error.chain-down", () -> {
            deposits.sent(me.id(), kind, id, body.get("wallet"), body.get("txHash"));
            return Map.of(kind == JobDeposits.Kind.JOB ? "jobId" : "poolId", id);
        });
    }
}
