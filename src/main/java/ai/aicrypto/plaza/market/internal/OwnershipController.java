package ai.aicrypto.plaza.market.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.catalog.ListingDocument;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.chain.WalletChain;
import ai.aicrypto.plaza.chain.WalletSteps;
import ai.aicrypto.plaza.platform.Aic;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The ownership panel of a listing page (the asset's sale offer, its royalty and its sales) and the
 * JSON steps of offering, withdrawing and buying the asset with a browser wallet.
 */
@Controller
class OwnershipController {

    private static final int SALES_SHOWN = 5;
    /** How long the owner's panel waits for an offer or a withdrawal it sent to be confirmed. */
    private static final long AWAIT_SECONDS = 180;

    private final Catalog catalog;
    private final Chain chain;
    private final WalletChain walletChain;
    private final Accounts accounts;
    private final AssetTokens tokens;
    private final OwnershipSales sales;
    private final PurchaseDesk desk;
    private final WalletSteps json;
    private final Clock clock;

    OwnershipController(Catalog catalog, Chain chain, WalletChain walletChain, Accounts accounts, AssetTokens tokens,
                        OwnershipSales sales, PurchaseDesk desk, WalletSteps json, Clock clock) {
        this.clock = clock;
        this.catalog = catalog;
        this.chain = chain;
        this.walletChain = walletChain;
        this.accounts = accounts;
        this.tokens = tokens;
        this.sales = sales;
        this.desk = desk;
        this.json = json;
    }

    /**
     * @param awaiting what the owner's wallet just sent, to wait for until {@code until} (epoch seconds): "offer"
     *                 (an open offer at {@code price} wei) or "cancel" (no open offer)
     */
    @GetMapping("/listings/{id}/ownership-panel")
    String panel(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, Model model,
                 @RequestParam(required = false) String awaiting, @RequestParam(required = false) String price,
                 @RequestParam(defaultValue = "0") long until) {
        ListingDocument listing = MarketController.visible(catalog, id, me);
        boolean owner = me != null && me.id() == listing.ownerId();
        Optional<AssetTokens.Token> token = chain.enabled() ? tokens.token(id) : Optional.empty();
        Optional<OwnershipSales.Offer> offer = token.isPresent() ? sales.openOffer(id) : Optional.empty();
        model.addAttribute("listing", listing);
        model.addAttribute("owner", owner);
        model.addAttribute("chain", walletChain);
        model.addAttribute("token", token.orElse(null));
        model.addAttribute("minting", token.isEmpty() && chain.enabled() && tokens.minting(id));
        model.addAttribute("royaltyPercent", token.filter(t -> t.royaltyBps() > 0)
                .map(t -> BigDecimal.valueOf(t.royaltyBps(), 2).stripTrailingZeros().toPlainString()).orElse(null));
        model.addAttribute("sales", token.isPresent() ? sales.recentSales(id, SALES_SHOWN).stream().map(SaleView::of).toList() : List.of());
        model.addAttribute("hasWallet", me != null && !accounts.wallets(me.id()).isEmpty());
        model.addAttribute("purchase", me == null || owner ? null : desk.latest(me.id(), id, PurchaseDesk.Kind.OWNERSHIP).orElse(null));
        String awaitedPrice = price != null && price.matches("\\d{1,40}") ? price : "";
        boolean waiting = owner && clock.instant().getEpochSecond() < until
                && ("offer".equals(awaiting) ? offer.map(o -> !o.price().toString().equals(awaitedPrice)).orElse(true)
                   : "cancel".equals(awaiting) && offer.isPresent());
        model.addAttribute("waitingFor", waiting ? awaiting : null);
        model.addAttribute("waitQuery", waiting ? "awaiting=" + awaiting + "&price=" + awaitedPrice + "&until=" + until : null);
        OwnershipSales.Split split = null;
        try {
            split = offer.map(o -> sales.split(o.price(), o.seller(), token.get())).orElse(null);
        } catch (ChainUnavailableException e) {
            model.addAttribute("chainDown", true);
        }
        model.addAttribute("offer", offer.isEmpty() ? null : OfferView.of(offer.get(), split));
        return "market/ownership :: panel";
    }

    @PostMapping("/listings/{id}/ownership/offer")
    @ResponseBody
    ResponseEntity<Map<String, Object>> offer(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                                              @RequestBody Map<String, String> body) {
        return json.answer(MarketController.BUY_CHAIN_DOWN, () -> {
            OwnershipSales.Steps steps = sales.offer(me.id(), MarketController.visible(catalog, id, me), body.get("price"));
            BigInteger wei = Aic.toWei(OwnershipSales.askingPrice(body.get("price")));
            return answer(steps, "awaiting=offer&price=" + wei + "&until=" + (clock.instant().getEpochSecond() + AWAIT_SECONDS));
        });
    }

    @PostMapping("/listings/{id}/ownership/cancel")
    @ResponseBody
    ResponseEntity<Map<String, Object>> cancel(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me) {
        return json.answer(MarketController.BUY_CHAIN_DOWN, () -> answer(sales.cancel(me.id(), MarketController.visible(catalog, id, me)),
                "awaiting=cancel&until=" + (clock.instant().getEpochSecond() + AWAIT_SECONDS)));
    }

    @PostMapping("/listings/{id}/ownership/purchase/transactions")
    @ResponseBody
    ResponseEntity<Map<String, Object>> purchaseTransactions(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                                                             @RequestBody Map<String, String> body) {
        return json.answer(MarketController.BUY_CHAIN_DOWN, () -> answer(sales.buy(me.id(), published(id, me), body.get("buyer"), body.get("price")), null));
    }

    /** The buyer's wallet sent buyAsset: wait for its confirmed AssetPurchased log. */
    @PostMapping("/listings/{id}/ownership/purchase")
    @ResponseBody
    ResponseEntity<Map<String, Object>> purchaseSent(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                                                     @RequestBody Map<String, String> body) {
        return json.answer(MarketController.BUY_CHAIN_DOWN, () -> {
            ListingDocument listing = published(id, me);
            if (listing.ownerId() == me.id()) {
                throw new UserFacingException(null, "market.error.own-asset");
            }
            return Map.of("purchaseId", desk.sent(me.id(), id, body.get("buyer"), body.get("txHash"), PurchaseDesk.Kind.OWNERSHIP));
        });
    }

    private ListingDocument published(long id, AccountPrincipal me) {
        ListingDocument listing = MarketController.visible(catalog, id, me);
        if (!listing.published()) {
            throw new NotFoundException();
        }
        return listing;
    }

    /** An offer as the panel shows it, in AIC; the split is null when the chain cannot be asked for the fee. */
    record OfferView(String priceWei, String price, String fee, String royalty, String seller) {

        static OfferView of(OwnershipSales.Offer offer, OwnershipSales.Split split) {
            return new OfferView(offer.price().toString(), Aic.format(offer.price()), split == null ? null : Aic.format(split.fee()),
                    split == null ? null : Aic.format(split.royalty()), split == null ? null : Aic.format(split.seller()));
        }
    }

    record SaleView(String price, String royalty, Instant soldAt) {

        static SaleView of(OwnershipSales.Sale sale) {
            return new SaleView(Aic.format(sale.price()), Aic.format(sale.royalty()), sale.soldAt());
        }
    }

    /** {@code after}: the query the panel is fetched again with once the wallet has sent them (null: none). */
    private static Map<String, Object> answer(OwnershipSales.Steps steps, String after) {
        return after == null ? Map.of("from", steps.from(), "calls", steps.calls())
                : Map.of("from", steps.from(), "calls", steps.calls(), "after", after);
    }
}
