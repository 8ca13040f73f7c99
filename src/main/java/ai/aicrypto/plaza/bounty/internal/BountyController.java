package ai.aicrypto.plaza.bounty.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.License;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.chain.WalletChain;
import ai.aicrypto.plaza.chain.WalletSteps;
import ai.aicrypto.plaza.platform.UserFacingException;
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
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Data request pages (members only: the security configuration signs everyone else in first) and the JSON steps of
 * the requester's wallet: funding, accepting a submission, the refund after the deadline. A request is public to
 * members; its submissions are the requester's to judge, each creator sees their own.
 */
@Controller
class BountyController {

    private static final String CHAIN_DOWN = "bounty.error.chain-down";

    private final BountyService bounties;
    private final WalletSteps steps;
    private final WalletChain chain;
    private final MessageSource messages;

    BountyController(BountyService bounties, WalletSteps steps, WalletChain chain, MessageSource messages) {
        this.bounties = bounties;
        this.steps = steps;
        this.chain = chain;
        this.messages = messages;
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

    @GetMapping("/requests/{id}")
    String page(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, Model model) {
        Bounty b = bounties.find(id);
        model.addAttribute("request", b);
        model.addAttribute("requester", b.requestedBy(me.id()));
        model.addAttribute("now", bounties.now());
        List<BountyService.Submission> submissions = bounties.submissions(b, me);
        model.addAttribute("submissions", submissions);
        model.addAttribute("problems", submissions.stream().collect(Collectors.toMap(BountyService.Submission::id,
                s -> s.problems().stream().map(p -> p.localized(messages)).toList())));
        model.addAttribute("ownDatasets", b.requestedBy(me.id()) ? List.of() : bounties.ownDatasets(me.id()));
        model.addAttribute("enabled", bounties.enabled());
        model.addAttribute("chain", chain);
        return "bounty/page";
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
        return steps.answer(CHAIN_DOWN, () -> call(bounties.acceptance(id, me, submission, body.get("wallet"))));
    }

    @PostMapping("/requests/{id}/refund")
    @ResponseBody
    ResponseEntity<Map<String, Object>> refund(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me) {
        return steps.answer(CHAIN_DOWN, () -> call(bounties.refund(id, me)));
    }

    private static Map<String, Object> call(BountyService.Transaction tx) {
        return Map.of("to", tx.to(), "data", tx.data());
    }

    private String formPage(Model model) {
        model.addAttribute("licenses", Arrays.stream(License.values()).map(License::spdx).toList());
        model.addAttribute("enabled", bounties.enabled());
        return "bounty/new";
    }
}
