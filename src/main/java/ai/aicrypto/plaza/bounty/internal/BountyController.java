package ai.aicrypto.plaza.bounty.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.License;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.chain.WalletChain;
import ai.aicrypto.plaza.chain.WalletSteps;
import ai.aicrypto.plaza.competition.scoring.Metric;
import ai.aicrypto.plaza.competition.scoring.ScoringRejected;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.platform.UploadedFiles;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.context.MessageSource;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.util.unit.DataSize;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Data request and AI commission pages (members only: the security configuration signs everyone else in first) and
 * the JSON steps of the members' wallets: the requester's funding, acceptance and refund after the deadline, and a
 * developer's offer of their scored model's token. A request is public to members; its submissions are the
 * requester's to judge, each creator sees their own; a commission's hidden test set is nobody's to see.
 */
@Controller
class BountyController {

    private static final String CHAIN_DOWN = "bounty.error.chain-down";

    private final BountyService bounties;
    private final CommissionService commissions;
    private final WalletSteps steps;
    private final WalletChain chain;
    private final MessageSource messages;
    private final Path uploadDir;
    private final long maxFileBytes;

    BountyController(BountyService bounties, CommissionService commissions, WalletSteps steps, WalletChain chain,
                     MessageSource messages, PlazaProperties plaza,
                     @Value("${spring.servlet.multipart.max-file-size}") DataSize maxFileSize) {
        this.bounties = bounties;
        this.commissions = commissions;
        this.steps = steps;
        this.chain = chain;
        this.messages = messages;
        this.uploadDir = plaza.dataDir().resolve("work");
        this.maxFileBytes = maxFileSize.toBytes();
    }

    @GetMapping("/requests")
    String list(@AuthenticationPrincipal AccountPrincipal me, Model model) {
        model.addAttribute("open", bounties.open(200));
        model.addAttribute("mine", bounties.requestedBy(me.id()));
        model.addAttribute("enabled", bounties.enabled());
        return "bounty/list";
    }

    @GetMapping("/requests/new")
    String form(Model model) {
        model.addAttribute("form", new BountyForm());
        return formPage(model);
    }

    @PostMapping("/requests/new")
    String create(@ModelAttribute("form") BountyForm form, BindingResult binding, @AuthenticationPrincipal AccountPrincipal me,
                  Model model, RedirectAttributes redirect) {
        try {
            long id = bounties.create(me, form);
            redirect.addFlashAttribute("notice", "bounty.created");
            return "redirect:/requests/" + id;
        } catch (UserFacingException e) {
            e.rejectOn(binding);
            return formPage(model);
        } catch (ChainUnavailableException e) {
            // The balance check reads the chain: without it nothing is stored, and the member is told why.
            new UserFacingException(null, CHAIN_DOWN).rejectOn(binding);
            return formPage(model);
        }
    }

    @GetMapping("/commissions/new")
    String commissionForm(Model model) {
        model.addAttribute("form", new CommissionForm());
        return commissionPage(model);
    }

    /** A commission with its hidden test set: both files are checked against each other before anything is stored. */
    @PostMapping("/commissions/new")
    String createCommission(@ModelAttribute("form") CommissionForm form, BindingResult binding,
                            @RequestParam(required = false) MultipartFile testInputs,
                            @RequestParam(required = false) MultipartFile solution,
                            @AuthenticationPrincipal AccountPrincipal me, Model model, RedirectAttributes redirect) throws IOException {
        Path inputsFile = null, solutionFile = null;
        try {
            inputsFile = UploadedFiles.spool(testInputs, "testInputs", uploadDir, maxFileBytes);
            solutionFile = UploadedFiles.spool(solution, "solution", uploadDir, maxFileBytes);
            long id = commissions.create(me, form, solutionFile, inputsFile);
            redirect.addFlashAttribute("notice", "bounty.commission.created");
            return "redirect:/requests/" + id;
        } catch (UserFacingException e) {
            e.rejectOn(binding);
            return commissionPage(model);
        } catch (ScoringRejected e) {
            model.addAttribute("fileErrors", e.problems().stream()
                    .map(p -> messages.getMessage(p.key(), p.arguments(), p.key(), LocaleContextHolder.getLocale())).toList());
            return commissionPage(model);
        } catch (ChainUnavailableException e) {
            new UserFacingException(null, CHAIN_DOWN).rejectOn(binding);
            return commissionPage(model);
        } finally {
            for (Path spooled : new Path[] {inputsFile, solutionFile}) {
                if (spooled != null) {
                    Files.deleteIfExists(spooled);
                }
            }
        }
    }

    @GetMapping("/requests/{id}")
    String page(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, Model model) {
        Bounty b = bounties.find(id);
        model.addAttribute("request", b);
        model.addAttribute("requester", b.requestedBy(me.id()));
        model.addAttribute("now", bounties.now());
        model.addAttribute("enabled", bounties.enabled());
        model.addAttribute("chain", chain);
        if (b.commission()) {
            List<CommissionService.Scored> models = commissions.submissions(b, me);
            model.addAttribute("models", models);
            model.addAttribute("pending", models.stream().anyMatch(CommissionService.Scored::pending));
            // A failed run's reason in the reader's language (its key and arguments were stored by the run).
            model.addAttribute("failures", models.stream().filter(s -> s.failure() != null).collect(Collectors.toMap(
                    CommissionService.Scored::id, s -> messages.getMessage("bounty.commission.failed", new Object[] {
                            messages.getMessage(s.failure(), s.failureArgs().toArray(), s.failure(), LocaleContextHolder.getLocale())},
                            LocaleContextHolder.getLocale()))));
            model.addAttribute("ownModels", b.requestedBy(me.id()) ? List.of() : commissions.ownModels(me.id()));
            return "bounty/page";
        }
        List<BountyService.Submission> submissions = bounties.submissions(b, me);
        model.addAttribute("submissions", submissions);
        model.addAttribute("problems", submissions.stream().collect(Collectors.toMap(BountyService.Submission::id,
                s -> s.problems().stream().map(p -> p.localized(messages)).toList())));
        model.addAttribute("ownDatasets", b.requestedBy(me.id()) ? List.of() : bounties.ownDatasets(me.id()));
        return "bounty/page";
    }

    /**
     * A developer's model, recorded PENDING and answered at once: it runs on the commission's hidden test set and is
     * scored off the request (the page follows it). Rate-limited per member (RateLimits: commission-model).
     */
    @PostMapping("/requests/{id}/models")
    String submitModel(@PathVariable long id, @RequestParam(required = false) String modelId,
                       @AuthenticationPrincipal AccountPrincipal me, RedirectAttributes redirect) {
        commissions.submit(id, me, modelId);
        redirect.addFlashAttribute("notice", "bounty.commission.submitted");
        return "redirect:/requests/" + id;
    }

    /** The developer's wallet transactions that offer their scored model's token to the commission. */
    @PostMapping("/requests/{id}/models/{submission}/transactions")
    @ResponseBody
    ResponseEntity<Map<String, Object>> offerModel(@PathVariable long id, @PathVariable String submission,
                                                   @AuthenticationPrincipal AccountPrincipal me, @RequestBody Map<String, String> body) {
        return steps.answer(CHAIN_DOWN, () -> commissions.submissionSteps(id, me, submission, body.get("wallet")));
    }

    @PostMapping("/requests/{id}/submissions")
    String submit(@PathVariable long id, @RequestParam(required = false) String datasetId,
                  @AuthenticationPrincipal AccountPrincipal me, RedirectAttributes redirect) {
        bounties.submit(id, me, datasetId);
        redirect.addFlashAttribute("notice", "bounty.submitted");
        return "redirect:/requests/" + id;
    }

    @PostMapping("/requests/{id}/funding/permit")
    @ResponseBody
    ResponseEntity<Map<String, Object>> permit(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                                               @RequestBody Map<String, String> body) {
        return steps.answer(CHAIN_DOWN, () -> {
            BountyService.Permit p = bounties.fundingPermit(id, me, body.get("wallet"));
            return Map.of("typedData", p.typedData(), "deadline", p.deadline(), "amount", p.amount().toString());
        });
    }

    @PostMapping("/requests/{id}/funding/transaction")
    @ResponseBody
    ResponseEntity<Map<String, Object>> fundingTransaction(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                                                           @RequestBody Map<String, String> body) {
        return steps.answer(CHAIN_DOWN, () ->
                call(bounties.fundingTransaction(id, me, body.get("deadline"), body.get("signature"))));
    }

    @PostMapping("/requests/{id}/submissions/{submission}/accept")
    @ResponseBody
    ResponseEntity<Map<String, Object>> accept(@PathVariable long id, @PathVariable String submission,
                                               @AuthenticationPrincipal AccountPrincipal me, @RequestBody Map<String, String> body) {
        return steps.answer(CHAIN_DOWN, () -> call(bounties.find(id).commission()
                ? commissions.acceptance(id, me, submission, body.get("wallet"))
                : bounties.acceptance(id, me, submission, body.get("wallet"))));
    }

    @PostMapping("/requests/{id}/refund")
    @ResponseBody
    ResponseEntity<Map<String, Object>> refund(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me) {
        return steps.answer(CHAIN_DOWN, () -> call(bounties.refund(id, me)));
    }

    private static Map<String, Object> call(BountyService.Transaction tx) {
        return Map.of("to", tx.to(), "data", tx.data());
    }

    private String commissionPage(Model model) {
        model.addAttribute("metrics", Metric.values());
        model.addAttribute("enabled", bounties.enabled());
        return "bounty/commission-new";
    }

    private String formPage(Model model) {
        model.addAttribute("licenses", Arrays.stream(License.values()).map(License::spdx).toList());
        model.addAttribute("enabled", bounties.enabled());
        return "bounty/new";
    }
}
