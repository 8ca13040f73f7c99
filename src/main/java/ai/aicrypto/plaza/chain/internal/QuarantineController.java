package ai.aicrypto.plaza.chain.internal;

import ai.aicrypto.plaza.chain.ChainLogQuarantine;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** Admins see the contract logs the plaza skipped, newest first, with the reason for each. */
@Controller
class QuarantineController {

    private static final int SHOWN = 200;

    private final ChainLogQuarantine quarantine;

    QuarantineController(ChainLogQuarantine quarantine) {
        this.quarantine = quarantine;
    }

    @GetMapping("/admin/chain/quarantine")
    @PreAuthorize("hasRole('ADMIN')")
    String quarantined(Model model) {
        model.addAttribute("entries", quarantine.recent(SHOWN));
        model.addAttribute("total", quarantine.count());
        return "admin/chain-quarantine";
    }
}
