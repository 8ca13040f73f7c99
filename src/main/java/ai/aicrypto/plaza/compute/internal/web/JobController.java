package ai.aicrypto.plaza.compute.internal.web;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.chain.WalletChain;
import ai.aicrypto.plaza.compute.internal.JobDeposits;
import ai.aicrypto.plaza.compute.TrainingJobs;
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

/**
 * A requester's jobs and the live job page. The page subscribes to the job's live updates
 * (topic {@code job:ID}: "progress" when a worker reports, "status" when the status changes) and
 * fetches its panel again on each; without JS it is a plain page to reload.
 */
@Controller
class JobController {

    private final JobViews views;
    private final TrainingJobs jobs;
    private final LiveUpdates live;
    private final Messages messages;
    private final JobDeposits deposits;
    private final WalletChain chain;
    private final Accounts accounts;

    JobController(JobViews views, TrainingJobs jobs, LiveUpdates live, Messages messages, JobDeposits deposits,
                  WalletChain chain, Accounts accounts) {
        this.deposits = deposits;
        this.chain = chain;
        this.accounts = accounts;
        this.views = views;
        this.jobs = jobs;
        this.live = live;
        this.messages = messages;
    }

    @GetMapping("/jobs")
    String mine(@AuthenticationPrincipal AccountPrincipal me, Model model) {
        model.addAttribute("jobs", views.of(me.id()));
        return "compute/jobs";
    }

    @GetMapping("/jobs/{id}")
    String job(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, Model model) {
        addJob(id, me, model);
        return "compute/job";
    }

    /** The part of the page that changes, fetched again on each live update. */
    @GetMapping("/jobs/{id}/panel")
    String panel(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, Model model) {
        addJob(id, me, model);
        return "compute/job :: panel";
    }

    private void addJob(long id, AccountPrincipal me, Model model) {
        JobViews.Job job = views.job(id, me);
        model.addAttribute("job", job);
        // A watcher (a teammate of a data competition's submitter) follows the job; only its requester pays for it.
        boolean requester = job.requesterId() == me.id();
        model.addAttribute("requester", requester);
        if (job.awaitingDeposit() && requester) {
            model.addAttribute("deposit", deposits.latest(id).orElse(null));
            model.addAttribute("depositTerms", deposits.terms());
            model.addAttribute("chain", chain);
            model.addAttribute("hasWallet", !accounts.wallets(me.id()).isEmpty());
        }
    }

    @GetMapping(value = "/jobs/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, HttpServletRequest request) {
        views.job(id, me);
        return live.subscribe("job:" + id, "status", request);
    }

    /** Only the requester cancels; an admin who may see the job is refused rather than told it is missing. */
    @PostMapping("/jobs/{id}/cancel")
    String cancel(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, RedirectAttributes redirect) {
        JobViews.Job job = views.job(id, me);
        if (job.requesterId() != me.id()) {
            throw new AccessDeniedException("Only the requester may cancel a job");
        }
        try {
            jobs.cancel(me.id(), id);
            redirect.addFlashAttribute("notice", "job.cancelled");
        } catch (UserFacingException e) {
            redirect.addFlashAttribute("error", messages.of(e));
        }
        return "redirect:/jobs/" + id;
    }
}
