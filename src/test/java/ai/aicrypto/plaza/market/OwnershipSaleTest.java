package ai.aicrypto.plaza.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.catalog.ListingAccess;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.chain.contracts.AssetRegistry;
import ai.aicrypto.plaza.chain.contracts.Marketplace;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.search.Search;
import ai.aicrypto.plaza.search.SearchQuery;
import ai.aicrypto.plaza.search.SearchResults;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.chain.ChainLog;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;
import org.web3j.tx.gas.DefaultGasProvider;
import tools.jackson.databind.json.JsonMapper;

/**
 * Selling the asset itself, end to end against a real chain (anvil, the real contracts): the creator
 * publishes with a 5 % royalty written into the token at mint, offers the asset for sale from the
 * wallet (approval, then offerAsset, as the plaza prepares them), a buyer pays with approve and
 * buyAsset, and the listing changes hands only once the watcher has the confirmed logs, with the
 * exact AIC of seller, treasury and creator. Also: hostile offers and purchases are refused with a
 * message and change nothing, a sale by contracts that are not the plaza's is ignored, a
 * reorganisation that drops a resale undoes it, the royalty is paid on the resale, an offer goes
 * stale when the token moves, and a token bought or received by a wallet no account has goes to a
 * new account of that wallet.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OwnershipSaleTest extends IntegrationTest {

    private static final int TREASURY = 0, CREATOR = 3, BUYER = 4, RESALE_BUYER = 5, UNLINKED = 6;
    private static final int ROYALTY_BPS = 500;
    private static final BigInteger PRICE = TestChain.AIC.multiply(BigInteger.valueOf(100));
    private static final BigInteger RESALE_PRICE = TestChain.AIC.multiply(BigInteger.valueOf(200));
    private static final BigInteger BPS = BigInteger.valueOf(10_000);
    private static final String TAG = "sale" + Long.toString(System.nanoTime(), 36);
    private static TestChain chain;

    @DynamicPropertySource
    static void chainAndSearch(DynamicPropertyRegistry registry) {
        chain = TestChain.deployFor(registry);
        registry.add("plaza.market.pending-check-interval", () -> "300ms");
        String es = System.getenv("PLAZA_TEST_ES_URL");
        if (es == null || es.isBlank()) {
            throw new IllegalStateException("PLAZA_TEST_ES_URL is not set: run the tests with ops/test, which starts Elasticsearch");
        }
        registry.add("plaza.search.es-url", () -> es);
        registry.add("plaza.search.alias", () -> "test-sales-" + Long.toString(System.nanoTime(), 36));
        registry.add("plaza.events.retry-interval", () -> "1s");
        registry.add("plaza.events.retry-after", () -> "1s");
        registry.add("plaza.search.retry-interval", () -> "1s");
        // This busy machine's Elasticsearch may miss a read timeout; searches try it again soon after.
        registry.add("plaza.search.es-read-timeout", () -> "10s");
        registry.add("plaza.search.es-cooldown", () -> "1s");
    }

    @Autowired
    Accounts accounts;
    @Autowired
    Datasets datasets;
    @Autowired
    ListingAccess access;
    @Autowired
    Search search;
    @Autowired
    JsonMapper json;
    @Autowired
    TestUsers users;
    @Autowired
    ApplicationEventPublisher events;
    @Autowired
    TransactionTemplate transactions;

    AccountPrincipal creator, buyer, resaleBuyer, licensee, stranger;
    long listing;

    @BeforeAll
    void creatorPublishesADatasetWithARoyalty() throws Exception {
        creator = users.withWallet(CREATOR);
        buyer = users.withWallet(BUYER);
        resaleBuyer = users.withWallet(RESALE_BUYER);
        licensee = users.member();
        stranger = users.member();
        chain.fund(TestChain.address(BUYER), PRICE);
        // (one AIC more: the sale on foreign contracts below takes one wei of it)
        chain.fund(TestChain.address(RESALE_BUYER), RESALE_PRICE.add(TestChain.AIC));

        Path csv = Files.createTempFile("readings", ".csv");
        Files.writeString(csv, "a,b,label\n1,2,x\n3,4,y\n5,6,x\n");
        listing = datasets.importDataset(creator.id(), new DatasetUpload(new ListingDraft("Sold readings " + TAG,
                "Three rows", List.of(TAG), "MIT", BigDecimal.ZERO, ROYALTY_BPS), csv, "readings.csv", null, null, "label"));
        Files.delete(csv);
        // A license taken before any sale: it must outlive the sales.
        mvc.perform(post("/listings/" + listing + "/license").with(user(licensee)).with(csrf())).andExpect(status().isOk());
    }

    @Test
    @Order(0)
    void theUploadFormRefusesARoyaltyOutsideItsBoundsAndStoresNothing() throws Exception {
        long listings = count("listings"), blobs = blobFiles();
        for (String[] bad : new String[][] {{"10.5", "en", "from 0 to 10 %"}, {"-1", "en", "from 0 to 10 %"},
                {"lots", "en", "not a number"}, {"2.555", "en", "two decimals"}, {"11", "ko", "0에서 10 %"}}) {
            String page = mvc.perform(multipart("/datasets/new")
                            .file(new MockMultipartFile("file", "rows.csv", "text/csv", "a,label\n1,x\n2,y\n".getBytes()))
                            .param("listing.title", "Too greedy").param("listing.license", "MIT").param("listing.priceAic", "0")
                            .param("listing.royaltyPercent", bad[0]).param("labelColumn", "label")
                            .header("Accept-Language", bad[1]).with(user(creator)).with(csrf().asHeader()))
                    .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
            assertThat(page).as(bad[0]).contains(bad[2]);
        }
        assertThat(count("listings")).isEqualTo(listings);
        assertThat(blobFiles()).isEqualTo(blobs);
    }

    @Test
    @Order(1)
    void theTokenIsMintedWithTheCreatorsRoyalty() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> count("asset_tokens") == 1);
        awaitConfirmedMint(chain, listing);
        var royalty = chain.registry.royaltyInfo(BigInteger.valueOf(listing), BPS).send();
        assertThat(royalty.component1()).isEqualToIgnoringCase(TestChain.address(CREATOR));
        assertThat(royalty.component2()).isEqualTo(BigInteger.valueOf(ROYALTY_BPS));

        Map<?, ?> metadata = json.readValue(mvc.perform(get("/api/nft/" + listing)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString(), Map.class);
        assertThat(metadata.get("seller_fee_basis_points")).isEqualTo(ROYALTY_BPS);
        assertThat((String) metadata.get("fee_recipient")).isEqualToIgnoringCase(TestChain.address(CREATOR));
        assertThat(metadata.get("attributes").toString()).contains("trait_type=Creator royalty (%), value=5");
        assertThat(panel(stranger)).contains("5 % of the price").contains("not for sale");
        assertThat(panel(creator)).contains("id=\"sell-ownership\"");

        // A mint sent and not yet confirmed (its row is written at the send): nothing is offered until the chain says so.
        jdbc.sql("UPDATE asset_tokens SET mint_confirmed = false WHERE listing_id = ?").param(listing).update();
        try {
            assertThat(panel(creator)).contains("being minted").contains("ownership-minting").doesNotContain("sell-ownership");
            assertThat(error("/ownership/offer", creator, Map.of("price", "10"))).contains("not minted yet");
        } finally {
            jdbc.sql("UPDATE asset_tokens SET mint_confirmed = true WHERE listing_id = ?").param(listing).update();
        }
        // Fixed once published: an edit cannot change what the token says.
        mvc.perform(post("/listings/" + listing + "/edit").with(user(creator)).with(csrf()).param("title", "Sold readings " + TAG)
                .param("tags", TAG).param("license", "MIT").param("priceAic", "0").param("royaltyPercent", "0"));
        assertThat(jdbc.sql("SELECT royalty_bps FROM listings WHERE id = ?").param(listing).query(Integer.class).single())
                .isEqualTo(ROYALTY_BPS);

        // An instance that sent the mint and died before recording it (the cluster scenario's kill -9): the token is on
        // the chain, so the minting round has nothing left to send or record; the mint's own Transfer log completes it.
        String mintTx = jdbc.sql("SELECT mint_tx FROM asset_tokens WHERE listing_id = ?").param(listing).query(String.class)
                .single().strip();
        jdbc.sql("UPDATE asset_tokens SET mint_tx = NULL, royalty_bps = NULL, royalty_receiver = NULL WHERE listing_id = ?")
                .param(listing).update();
        transactions.executeWithoutResult(status -> events.publishEvent(new ChainLog.AssetTransferred(mintTx, 0, listing,
                "0x0000000000000000000000000000000000000000", TestChain.address(CREATOR).toLowerCase())));
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql(
                "SELECT mint_tx IS NOT NULL FROM asset_tokens WHERE listing_id = ?").param(listing).query(Boolean.class).single());
        assertThat(jdbc.sql("SELECT mint_tx, royalty_bps, royalty_receiver FROM asset_tokens WHERE listing_id = ?").param(listing)
                .query((rs, n) -> List.of(rs.getString(1).strip(), rs.getInt(2), rs.getString(3).strip())).single())
                .containsExactly(mintTx, ROYALTY_BPS, TestChain.address(CREATOR).toLowerCase());
    }

    @Test
    @Order(2)
    void offersFromOthersAndBadPricesAreRefusedAndChangeNothing() throws Exception {
        assertThat(error("/ownership/offer", stranger, Map.of("price", "10"))).contains("Only the owner");
        assertThat(error("/ownership/offer", buyer, Map.of("price", "10"))).contains("Only the owner");
        assertThat(error("/ownership/offer", creator, Map.of("price", "0"))).contains("more than 0");
        assertThat(error("/ownership/offer", creator, Map.of("price", "-5"))).contains("more than 0");
        assertThat(error("/ownership/offer", creator, Map.of("price", "ten"))).contains("not a number");
        assertThat(error("/ownership/offer", creator, Map.of("price", ""))).contains("not a number");
        assertThat(error("/ownership/offer", creator, Map.of("price", "1e30"))).contains("at most 1000000000 AIC");
        assertThat(error("/ownership/offer", creator, Map.of("price", "0.0000000000000000001"))).contains("18 decimals");
        assertThat(error("/ownership/cancel", creator, Map.of())).contains("no open offer");
        assertThat(errorIn("ko", "/ownership/offer", creator, Map.of("price", "ten"))).contains("숫자가 아닙니다");
        assertThat(count("asset_offers")).isZero();
        assertThat(chain.registry.getApproved(BigInteger.valueOf(listing)).send()).isEqualTo("0x" + "0".repeat(40));
    }

    @Test
    @Order(3)
    void theOwnerOffersTheAssetFromTheWallet() throws Exception {
        Map<?, ?> steps = postJson("/listings/" + listing + "/ownership/offer", creator, Map.of("price", "100"), 200);
        assertThat((String) steps.get("from")).isEqualToIgnoringCase(TestChain.address(CREATOR));
        assertThat((List<?>) steps.get("calls")).as("approve the market for the token, then offer").hasSize(2);
        send(CREATOR, steps);
        assertThat(panel(buyer)).as("nothing shown before the confirmations").doesNotContain("for sale for 100 AIC");
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> panel(buyer).contains("for sale for 100 AIC"));
        // 2.5 % fee to the treasury; no royalty when the creator sells (the market pays none to the seller).
        assertThat(panel(buyer)).contains("platform fee 2.5 AIC, creator royalty 0 AIC, the seller receives 97.5 AIC")
                .contains("id=\"buy-ownership\"");
        assertThat(panel(creator)).contains("You offer the ownership of this asset for 100 AIC").contains("id=\"cancel-ownership\"");
    }

    @Test
    @Order(4)
    void purchasesThatCannotSucceedAreRefusedWithAMessage() throws Exception {
        String wei = PRICE.toString();
        assertThat(error("/ownership/purchase/transactions", creator, Map.of("buyer", TestChain.address(CREATOR), "price", wei)))
                .contains("You own this asset");
        assertThat(error("/ownership/purchase/transactions", stranger, Map.of("buyer", TestChain.address(UNLINKED), "price", wei)))
                .contains("not linked");
        assertThat(error("/ownership/purchase/transactions", buyer, Map.of("buyer", TestChain.address(BUYER), "price", "1")))
                .contains("The price is now 100 AIC");
        AccountPrincipal poor = users.withWallet(7);
        assertThat(error("/ownership/purchase/transactions", poor, Map.of("buyer", TestChain.address(7), "price", wei)))
                .contains("holds 0 AIC").contains("costs 100 AIC");
        assertThat(error("/ownership/purchase", buyer, Map.of("buyer", TestChain.address(BUYER), "txHash", "0xnothex")))
                .contains("not a transaction hash");
        assertThat(count("purchases")).isZero();
    }

    @Test
    @Order(5)
    void aConfirmedPurchasePaysExactlyAndMovesTheListingWithItsRights() throws Exception {
        BigInteger creatorBefore = chain.balance(CREATOR), buyerBefore = chain.balance(BUYER), treasuryBefore = chain.balance(TREASURY);

        String txHash = buy(buyer, BUYER, PRICE);
        assertThat(owner()).as("nothing moves before the confirmations").isEqualTo(creator.id());
        assertThat(panel(buyer)).contains("id=\"ownership-pending\"");
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> owner() == buyer.id());
        await().atMost(Duration.ofSeconds(10)).until(() -> "CONFIRMED".equals(purchaseStatus(txHash)));

        BigInteger fee = PRICE.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BPS);
        assertThat(chain.balance(BUYER)).isEqualTo(buyerBefore.subtract(PRICE));
        assertThat(chain.balance(CREATOR)).as("the creator sells: no royalty to themself").isEqualTo(creatorBefore.add(PRICE).subtract(fee));
        assertThat(chain.balance(TREASURY)).isEqualTo(treasuryBefore.add(fee));
        assertThat(chain.registry.ownerOf(BigInteger.valueOf(listing)).send()).isEqualToIgnoringCase(TestChain.address(BUYER));
        await().atMost(Duration.ofSeconds(10)).until(() -> count("asset_sales") == 1);

        // The offer is closed; the old owner lost the owner's rights, the new one has them; the license stays.
        assertThat(panel(stranger)).contains("not for sale").contains("100 AIC (creator royalty 0 AIC)");
        assertThat(error("/ownership/offer", creator, Map.of("price", "5"))).contains("Only the owner");
        mvc.perform(get("/listings/" + listing + "/edit").with(user(creator))).andExpect(status().isNotFound());
        mvc.perform(get("/listings/" + listing + "/edit").with(user(buyer))).andExpect(status().isOk());
        mvc.perform(get("/datasets/" + listing + "/download").with(user(creator))).andExpect(status().isNotFound());
        var download = mvc.perform(get("/datasets/" + listing + "/download").with(user(buyer))).andReturn();
        mvc.perform(asyncDispatch(download)).andExpect(status().isOk());
        assertThat(access.mayUse(licensee.id(), listing)).as("licenses sold before stay valid").isTrue();
        assertThat(access.mayUse(creator.id(), listing)).isFalse();
        // Search follows the new owner (Elasticsearch, fed from the outbox).
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            SearchResults results = search.search(new SearchQuery("", null, TAG, null, null, null, null, null, null, null, null, 10));
            return results.backend().equals("elasticsearch") && results.hits().size() == 1
                    && results.hits().get(0).ownerName().equals(buyer.getUsername());
        });
    }

    @Test
    @Order(6)
    void aSaleOnContractsThatAreNotThePlazasChangesNothing() throws Exception {
        // Anyone may deploy the same contracts and sell a token with the same id there.
        var tm = chain.transactions(UNLINKED);
        var gas = new DefaultGasProvider();
        String faker = TestChain.address(UNLINKED);
        AssetRegistry fakeRegistry = AssetRegistry.deploy(chain.web3j, tm, gas, "http://evil.example/", faker).send();
        Marketplace fakeMarket = Marketplace.deploy(chain.web3j, tm, gas, chain.token.getContractAddress(),
                fakeRegistry.getContractAddress(), faker, BigInteger.ZERO, faker).send();
        fakeRegistry.grantRole(fakeRegistry.MINTER_ROLE().send(), faker).send();
        byte[] contentHash = new byte[32];
        contentHash[31] = 1;
        fakeRegistry.mint(faker, BigInteger.valueOf(listing), BigInteger.ZERO, contentHash, faker, BigInteger.ZERO).send();
        fakeRegistry.approve(fakeMarket.getContractAddress(), BigInteger.valueOf(listing)).send();
        fakeMarket.offerAsset(BigInteger.valueOf(listing), BigInteger.ONE).send();
        chain.tokenAs(RESALE_BUYER).approve(fakeMarket.getContractAddress(), BigInteger.ONE).send();
        var sold = Marketplace.load(fakeMarket.getContractAddress(), chain.web3j, chain.transactions(RESALE_BUYER), gas)
                .buyAsset(BigInteger.valueOf(listing), BigInteger.ONE).send();
        assertThat(sold.isStatusOK()).isTrue();
        long head = chain.head();
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.sql("SELECT next_block FROM chain_cursors").query(Long.class).single() > head);
        assertThat(owner()).isEqualTo(buyer.id());
        assertThat(count("asset_sales")).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM chain_logs WHERE tx_hash = ?").param(sold.getTransactionHash()).query(Long.class).single())
                .isZero();
    }

    @Test
    @Order(7)
    void aResalePaysTheCreatorsRoyaltyAndADroppedOneIsUndone() throws Exception {
        Map<?, ?> steps = postJson("/listings/" + listing + "/ownership/offer", buyer, Map.of("price", "200"), 200);
        assertThat((List<?>) steps.get("calls")).as("the new owner approves the market for the token again").hasSize(2);
        send(BUYER, steps);
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> panel(resaleBuyer).contains("for sale for 200 AIC"));
        BigInteger fee = RESALE_PRICE.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BPS);
        BigInteger royalty = RESALE_PRICE.multiply(BigInteger.valueOf(ROYALTY_BPS)).divide(BPS);
        assertThat(panel(resaleBuyer)).contains("platform fee 5 AIC, creator royalty 10 AIC, the seller receives 185 AIC");

        // A resale the chain then drops: the listing, the sale and the offer are as before it.
        String snapshot = chain.snapshot();
        buy(resaleBuyer, RESALE_BUYER, RESALE_PRICE);
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> owner() == resaleBuyer.id());
        chain.revert(snapshot);
        chain.mine(5);
        await().atMost(Duration.ofSeconds(30)).until(() -> owner() == buyer.id()
                && jdbc.sql("SELECT count(*) FROM asset_sales WHERE NOT revoked").query(Long.class).single() == 1
                && panel(resaleBuyer).contains("for sale for 200 AIC"));

        BigInteger creatorBefore = chain.balance(CREATOR), sellerBefore = chain.balance(BUYER),
                buyerBefore = chain.balance(RESALE_BUYER), treasuryBefore = chain.balance(TREASURY);
        String txHash = buy(resaleBuyer, RESALE_BUYER, RESALE_PRICE);
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> owner() == resaleBuyer.id() && "CONFIRMED".equals(purchaseStatus(txHash)));
        assertThat(chain.balance(RESALE_BUYER)).isEqualTo(buyerBefore.subtract(RESALE_PRICE));
        assertThat(chain.balance(TREASURY)).isEqualTo(treasuryBefore.add(fee));
        assertThat(chain.balance(CREATOR)).as("the creator's royalty").isEqualTo(creatorBefore.add(royalty));
        assertThat(chain.balance(BUYER)).isEqualTo(sellerBefore.add(RESALE_PRICE).subtract(fee).subtract(royalty));
        assertThat(jdbc.sql("SELECT royalty_wei FROM asset_sales WHERE tx_hash = ? AND NOT revoked").param(txHash)
                .query(BigDecimal.class).single().toBigIntegerExact()).isEqualTo(royalty);
        assertThat(access.mayUse(licensee.id(), listing)).isTrue();
    }

    @Test
    @Order(8)
    void anOfferGoesStaleWhenTheTokenMovesAndAWalletWithoutAccountGetsOne() throws Exception {
        send(RESALE_BUYER, postJson("/listings/" + listing + "/ownership/offer", resaleBuyer, Map.of("price", "300"), 200));
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> panel(buyer).contains("for sale for 300 AIC"));

        // Given away outside the market, to a wallet no account has linked.
        chain.registryAs(RESALE_BUYER).transferFrom(TestChain.address(RESALE_BUYER), TestChain.address(UNLINKED),
                BigInteger.valueOf(listing)).send();
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> owner() != resaleBuyer.id());
        long walletAccount = accounts.accountOfWallet(TestChain.address(UNLINKED)).orElseThrow();
        assertThat(owner()).isEqualTo(walletAccount);
        assertThat(jdbc.sql("SELECT username FROM users WHERE id = ?").param(walletAccount).query(String.class).single()).startsWith("eth-");
        mvc.perform(get("/listings/" + listing + "/edit").with(user(resaleBuyer))).andExpect(status().isNotFound());

        assertThat(panel(buyer)).contains("not for sale");
        assertThat(error("/ownership/purchase/transactions", buyer, Map.of("buyer", TestChain.address(BUYER), "price",
                TestChain.AIC.multiply(BigInteger.valueOf(300)).toString()))).contains("not for sale");
    }

    /** The wallet flow of the page's script: the prepared transactions, in order, then the sent hash. */
    private String buy(AccountPrincipal who, int account, BigInteger price) throws Exception {
        String wallet = TestChain.address(account);
        Map<?, ?> steps = postJson("/listings/" + listing + "/ownership/purchase/transactions", who, Map.of("buyer", wallet, "price", price.toString()), 200);
        List<?> calls = (List<?>) steps.get("calls");
        assertThat(calls).as("approve exactly the price, then buyAsset").hasSize(2);
        assertThat(((Map<?, ?>) calls.get(1)).get("data")).as("buyAsset at most the price shown")
                .isEqualTo(chain.market.buyAsset(BigInteger.valueOf(listing), price).encodeFunctionCall());
        String txHash = send(account, steps);
        postJson("/listings/" + listing + "/ownership/purchase", who, Map.of("buyer", wallet, "txHash", txHash), 200);
        return txHash;
    }

    private String send(int account, Map<?, ?> steps) throws Exception {
        String txHash = null;
        for (Object call : (List<?>) steps.get("calls")) {
            Map<?, ?> c = (Map<?, ?>) call;
            var receipt = chain.send(account, (String) c.get("to"), (String) c.get("data"));
            assertThat(receipt.isStatusOK()).as("transaction to " + c.get("to")).isTrue();
            txHash = receipt.getTransactionHash();
        }
        return txHash;
    }

    private long owner() {
        return jdbc.sql("SELECT owner_id FROM listings WHERE id = ?").param(listing).query(Long.class).single();
    }

    private String panel(AccountPrincipal who) throws Exception {
        return mvc.perform(get("/listings/" + listing + "/ownership-panel").with(user(who)))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
    }

    private String purchaseStatus(String txHash) {
        return jdbc.sql("SELECT status FROM purchases WHERE tx_hash = ?").param(txHash.toLowerCase()).query(String.class).single();
    }

    private String error(String step, AccountPrincipal who, Map<String, String> body) throws Exception {
        return errorIn("en", step, who, body);
    }

    private String errorIn(String language, String step, AccountPrincipal who, Map<String, String> body) throws Exception {
        String answer = mvc.perform(post("/listings/" + listing + step).with(user(who)).with(csrf()).header("Accept-Language", language)
                        .contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(body)))
                .andExpect(status().isBadRequest())
                .andReturn().getResponse().getContentAsString();
        return json.readValue(answer, Map.class).get("error").toString();
    }
}
