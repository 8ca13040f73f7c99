package ai.aicrypto.plaza.compute.internal.web;

import java.math.BigDecimal;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.platform.Aic;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The public GPU offers page and the provider's dashboard, where offers are registered. */
@Controller
class OffersController {

    private final OfferDirectory offers;
    private final GpuOffers registry;
    private final Messages messages;
    private final PlazaProperties plaza;

    OffersController(OfferDirectory offers, GpuOffers registry, Messages messages, PlazaProperties plaza) {
        this.offers = offers;
        this.registry = registry;
        this.messages = messages;
        this.plaza = plaza;
    }

    @GetMapping("/gpus")
    String list(@RequestParam(defaultValue = "price") String sort, Model model) {
        OfferDirectory.Sort order = OfferDirectory.Sort.parse(sort);
        model.addAttribute("offers", offers.all(order));
        model.addAttribute("sort", order.name().toLowerCase());
        model.addAttribute("onlineSeconds", offers.onlineWithin().toSeconds());
        return "compute/gpus";
    }

    @GetMapping("/dashboard/provider")
    String dashboard(@AuthenticationPrincipal AccountPrincipal me, Model model) {
        model.addAttribute("form", new OfferForm("", "", "", "", "", ""));
        return dashboard(me, model, Map.of());
    }

    /** Registers the offer and shows its worker's token, once: only its hash is kept. */
    @PostMapping("/dashboard/provider/offers")
    String register(@AuthenticationPrincipal AccountPrincipal me, OfferForm form, Model model) {
        model.addAttribute("form", form);
        GpuOffers.IssuedWorker issued;
        try {
            issued = registry.register(me.id(), form.toOffer());
        } catch (UserFacingException e) {
            return dashboard(me, model, Map.of(e.field() == null ? "form" : e.field(), messages.of(e)));
        }
        model.addAttribute("issued", issued);
        // From the environment, the worker's token stays out of the process list (a --token argument would not).
        model.addAttribute("command", "export PLAZA_WORKER_TOKEN=" + issued.token() + "\n"
                + "java -jar gpu-worker.jar --plaza " + plaza.publicUrl());
        return "compute/worker-token";
    }

    /** Starts, reprices or (blank) stops serving predictions on one of the provider's offers. */
    @PostMapping("/dashboard/provider/offers/{offerId}/serving")
    String serving(@AuthenticationPrincipal AccountPrincipal me, @PathVariable long offerId,
                   @RequestParam(defaultValue = "") String servingPricePerGpuSecondAic, Model model) {
        try {
            registry.changeServingPrice(me.id(), offerId, servingPricePerGpuSecondAic.isBlank() ? null
                    : OfferForm.servingPrice(servingPricePerGpuSecondAic));
        } catch (UserFacingException e) {
            model.addAttribute("form", new OfferForm("", "", "", "", "", ""));
            return dashboard(me, model, Map.of("serving-" + offerId, messages.of(e)));
        }
        return "redirect:/dashboard/provider#offer-" + offerId;
    }

    private String dashboard(AccountPrincipal me, Model model, Map<String, String> errors) {
        model.addAttribute("offers", offers.ofProvider(me.id()));
        model.addAttribute("errors", errors);
        return "compute/provider";
    }

    /** The registration form as typed; numbers are parsed here so that a typo gets a message, not a 400. */
    record OfferForm(String title, String gpuModel, String gpuMemoryMb, String pricePerHourAic, String region,
                     String servingPricePerGpuSecondAic) {

        GpuOffers.NewOffer toOffer() {
            int memory;
            try {
                memory = Integer.parseInt(gpuMemoryMb == null ? "" : gpuMemoryMb.strip());
            } catch (NumberFormatException e) {
                throw new UserFacingException("gpuMemoryMb", "compute.error.memory");
            }
            BigDecimal price;
            try {
                price = new BigDecimal(pricePerHourAic == null ? "" : pricePerHourAic.strip());
            } catch (NumberFormatException e) {
                throw new UserFacingException("pricePerHourAic", "listing.error.price-format", pricePerHourAic);
            }
            BigDecimal serving = servingPricePerGpuSecondAic == null || servingPricePerGpuSecondAic.isBlank() ? null
                    : servingPrice(servingPricePerGpuSecondAic);
            return new GpuOffers.NewOffer(title, gpuModel, memory, price, region, serving);
        }

        static BigDecimal servingPrice(String typed) {
            try {
                return Aic.parse(typed, "servingPricePerGpuSecondAic", true);
            } catch (UserFacingException e) {
                throw new UserFacingException("servingPricePerGpuSecondAic", "offer.error.serving-price");
            }
        }
    }
}
