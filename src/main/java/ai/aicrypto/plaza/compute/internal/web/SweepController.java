package ai.aicrypto.plaza.compute.internal.web;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.chain.WalletChain;
import ai.aicrypto.plaza.compute.internal.JobDeposits;
import ai.aicrypto.plaza.compute.internal.Sweeps;
import ai.aicrypto.plaza.platform.LiveUpdates;
import ai.aicrypto.plaza.platform.UserFacingException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** A sweep's page, followed live (its trials' status and progress), and cancelling its trials; only for its requester. */
@Controller
class SweepController {

    private final SweepViews views;
    private final Sweeps sweeps;
    private final LiveUpdates live;
    private final Messages messages;
    private final JobDeposits deposits;
    private final WalletChain chain;
    private final Accounts accounts;

    SweepController(SweepViews views, Sweeps sweeps, LiveUpdates live, Messages messages, JobDeposits deposits, WalletChain chain,
                    Accounts accounts) {
        this.deposits = deposits;
        this.chain = chain;
        this.accounts = accounts;
        this.views = views;
        this.sweeps = sweeps;
        this.live = live;
        this.messages = messages;
    }

    @GetMapping("/sweeps/{id}")
    String sweep(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, Model model) {
        addSweep(id, me, model);
        return "compute/sweep";
    }

    /** The part of the page that changes, fetched again on each live update. */
    @GetMapping("/sweeps/{id}/panel")
    String panel(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, Model model) {
        addSweep(id, me, model);
        return "compute/sweep :: panel";
    }

    /** The sweep, and while its trials wait for their one deposit, what its deposit panel shows (as a job's page). */
    private void addSweep(long id, AccountPrincipal me, Model model) {
        SweepViews.Sweep sweep = views.sweep(id, me);
        model.addAttribute("sweep", sweep);
        if (sweep.depositJobId() != null) {
            model.addAttribute("deposit", deposits.latest(sweep.depositJobId()).orElse(null));
            model.addAttribute("depositTerms", deposits.terms());
            model.addAttribute("chain", chain);
            model.addAttribute("hasWallet", !accounts.wallets(me.id()).isEmpty());
        }
    }

    @GetMapping(value = "/sweeps/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, HttpServletRequest request) {
        views.sweep(id, me);
        return live.subscribe("sweep:" + id, "status", request);
    }

    /** Only the requester cancels; an admin who may see the sweep is refused rather than told it is missing. */
    @PostMapping("/sweeps/{id}/cancel")
    String cancel(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, RedirectAttributes redirect) {
        if (views.sweep(id, me).requesterId() != me.id()) {
            throw new AccessDeniedException("Only the requester may cancel a sweep");
        }
        try {
            sweeps.cancel(me.id(), id);
            redirect.addFlashAttribute("notice", "sweep.cancelled");
        } catch (UserFacingException e) {
            redirect.addFlashAttribute("error", messages.of(e));
        }
        return "redirect:/sweeps/" + id;
    }
}
