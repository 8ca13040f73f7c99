package ai.aicrypto.plaza.market.internal;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.catalog.ListingDocument;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.PlazaProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The asset token's metadata (what AssetRegistry.tokenURI points at), in the common ERC-721
 * metadata JSON format that wallets and marketplaces read: name, description, image, external_url,
 * attributes, and the creator's royalty as marketplaces read it (seller_fee_basis_points,
 * fee_recipient; the chain's ERC-2981 royaltyInfo is what the Marketplace pays). Only for published
 * listings.
 */
@RestController
class AssetMetadataController {

    private final Catalog catalog;
    private final AssetTokens tokens;
    private final PlazaProperties plaza;

    AssetMetadataController(Catalog catalog, AssetTokens tokens, PlazaProperties plaza) {
        this.catalog = catalog;
        this.tokens = tokens;
        this.plaza = plaza;
    }

    @GetMapping("/api/nft/{id}")
    Map<String, Object> metadata(@PathVariable long id) {
        ListingDocument listing = catalog.document(id).filter(ListingDocument::published).orElseThrow(NotFoundException::new);
        String page = "/" + listing.kind().name().toLowerCase() + "s/" + id;
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", listing.title());
        json.put("description", listing.description());
        json.put("image", plaza.url("/favicon.svg"));
        json.put("external_url", plaza.url(page));
        Optional<AssetTokens.Token> token = tokens.token(id);
        // The royalty in force: the token's (set at mint), else the one it will be minted with.
        int royaltyBps = token.map(AssetTokens.Token::royaltyBps).orElse(listing.royaltyBps());
        json.put("seller_fee_basis_points", royaltyBps);
        token.map(AssetTokens.Token::royaltyReceiver).ifPresent(receiver -> json.put("fee_recipient", receiver));
        json.put("attributes", List.of(
                new Trait("Kind", listing.kind().name()),
                new Trait("License", listing.license()),
                new Trait("Price (AIC)", listing.priceAic().stripTrailingZeros().toPlainString()),
                new Trait("Creator royalty (%)", BigDecimal.valueOf(royaltyBps, 2).stripTrailingZeros().toPlainString()),
                new Trait("Minted", token.isPresent() ? "yes" : "no")));
        return json;
    }

    record Trait(@JsonProperty("trait_type") String traitType, String value) {
    }
}
