package ai.aicrypto.plaza.market.internal;

import java.math.BigInteger;
import java.util.Map;
import java.util.Optional;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.catalog.ListingDocument;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.WalletChain;
import ai.aicrypto.plaza.chain.WalletSteps;
import ai.aicrypto.plaza.platform.Aic;
import ai.aicrypto.plaza.platform.LiveUpdates;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The license panel of a listing page and the JSON steps of buying with a browser wallet (answered
 * by {@link WalletSteps}).
 */
@Controller
class MarketController {

    /** What a wallet step of buying says while the chain is down. */
    static final String BUY_CHAIN_DOWN = "market.error.chain-down";

    private final Catalog catalog;
    private final Chain chain;
    private final WalletChain walletChain;
    private final Accounts accounts;
    private final LicenseLedger licenses;
    private final AssetTokens tokens;
    private final PurchaseDesk desk;
    private final LiveUpdates live;
    private final WalletSteps jsonSteps;
    private final long expectedPurchaseGas;

    MarketController(@Value("${plaza.market.expected-purchase-gas}") long expectedPurchaseGas, Catalog catalog, Chain chain, WalletChain walletChain, Accounts accounts, LicenseLedger licenses,
                     AssetTokens tokens, PurchaseDesk desk, LiveUpdates live, WalletSteps jsonSteps) {
        this.catalog = catalog;
        this.chain = chain;
        this.walletChain = walletChain;
        this.accounts = accounts;
        this.licenses = licenses;
        this.tokens = tokens;
        this.desk = desk;
        this.live = live;
        this.jsonSteps = jsonSteps;
        this.expectedPurchaseGas = expectedPurchaseGas;
    }

    @GetMapping("/listings/{id}/license-panel")
    String panel(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, Model model) {
        ListingDocument listing = visible(catalog, id, me);
        boolean owner = me != null && me.id() == listing.ownerId();
        Optional<AssetTokens.Token> token = tokens.token(id);
        model.addAttribute("listing", listing);
        model.addAttribute("owner", owner);
        model.addAttribute("licensed", me != null && !owner && licenses.mayUse(me.id(), id));
        model.addAttribute("chainEnabled", chain.enabled());
        model.addAttribute("chain", walletChain);
        model.addAttribute("token", token.orElse(null));
        model.addAttribute("minting", token.isEmpty() && chain.enabled() && tokens.minting(id));
        model.addAttribute("hasWallet", me != null && !accounts.wallets(me.id()).isEmpty());
        model.addAttribute("salePrice", token.map(AssetTokens.Token::licensePriceWei)
                .map(wei -> Aic.format(wei.toBigIntegerExact())).orElse(null));
        model.addAttribute("listedPriceMatches", token.map(AssetTokens.Token::licensePriceWei)
                .map(wei -> wei.toBigIntegerExact().equals(Aic.toWei(listing.priceAic()))).orElse(false));
        model.addAttribute("purchase", me == null ? null : desk.latest(me.id(), id, PurchaseDesk.Kind.LICENSE).orElse(null));
        model.addAttribute("expectedGas", expectedPurchaseGas);
        return "market/panel :: panel";
    }

    @PostMapping("/listings/{id}/license")
    String takeFreeLicense(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, Model model) {
        ListingDocument listing = visible(catalog, id, me);
        if (listing.priceAic().signum() != 0 || !listing.published()) {
            throw new NotFoundException();
        }
        licenses.grantFree(me.id(), id);
        return panel(id, me, model);
    }

    @PostMapping("/listings/{id}/purchase/permit")
    @ResponseBody
    ResponseEntity<Map<String, Object>> permit(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                                               @RequestBody Map<String, String> body) {
        return jsonSteps.answer(BUY_CHAIN_DOWN, () -> {
            buyable(id, me);
            PurchaseDesk.Permit p = desk.permit(me.id(), id, body.get("buyer"));
            return Map.of("typedData", p.typedData(), "deadline", p.deadline(), "price", p.price().toString());
        });
    }

    @PostMapping("/listings/{id}/purchase/transaction")
    @ResponseBody
    ResponseEntity<Map<String, Object>> transaction(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                                                    @RequestBody Map<String, String> body) {
        return jsonSteps.answer(BUY_CHAIN_DOWN, () -> {
            buyable(id, me);
            long deadline = parseLong(body.get("deadline"));
            PurchaseDesk.Transaction tx = desk.transaction(me.id(), id, deadline, body.get("signature"));
            return Map.of("to", tx.to(), "data", tx.data());
        });
    }

    @PostMapping("/listings/{id}/purchase")
    @ResponseBody
    ResponseEntity<Map<String, Object>> sent(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                                             @RequestBody Map<String, String> body) {
        return jsonSteps.answer(BUY_CHAIN_DOWN, () -> {
            buyable(id, me);
            return Map.of("purchaseId", desk.sent(me.id(), id, body.get("buyer"), body.get("txHash"), PurchaseDesk.Kind.LICENSE));
        });
    }

    /** The owner's transaction that opens (or re-prices) license sales at the listing's price. */
    @PostMapping("/listings/{id}/sale/transaction")
    @ResponseBody
    ResponseEntity<Map<String, Object>> saleTransaction(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me) {
        return jsonSteps.answer(BUY_CHAIN_DOWN, () -> {
            ListingDocument listing = visible(catalog, id, me);
            if (me.id() != listing.ownerId()) {
                throw new NotFoundException();
            }
            if (!chain.enabled()) {
                throw new UserFacingException(null, "market.error.no-chain");
            }
            if (tokens.token(id).isEmpty()) {
                throw new UserFacingException(null, "market.error.not-minted");
            }
            BigInteger price = Aic.toWei(listing.priceAic());
            return Map.of("to", chain.contracts().market(), "data", chain.listLicenseCall(id, price));
        });
    }

    @GetMapping("/purchases/{purchaseId}/live")
    SseEmitter purchaseUpdates(@PathVariable long purchaseId, @AuthenticationPrincipal AccountPrincipal me,
                               HttpServletRequest request) {
        desk.owned(purchaseId, me.id()).orElseThrow(NotFoundException::new);
        return live.subscribe(PurchaseDesk.topic(purchaseId), "purchase", request);
    }

    /** The listing as {@code me} (null when anonymous) may see it: unpublished ones only for their owner and admins. */
    static ListingDocument visible(Catalog catalog, long id, AccountPrincipal me) {
        ListingDocument listing = catalog.document(id).orElseThrow(NotFoundException::new);
        boolean manager = me != null && (me.id() == listing.ownerId() || me.isAdmin());
        if (!listing.published() && !manager) {
            throw new NotFoundException();
        }
        return listing;
    }

    private void buyable(long id, AccountPrincipal me) {
        ListingDocument listing = visible(catalog, id, me);
        if (!listing.published() || listing.priceAic().signum() == 0) {
            throw new NotFoundException();
        }
        if (listing.ownerId() == me.id()) {
            throw new UserFacingException(null, "market.error.own-asset");
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException | NullPointerException e) {
            throw new UserFacingException(null, "market.error.permit-expired");
        }
    }
}
