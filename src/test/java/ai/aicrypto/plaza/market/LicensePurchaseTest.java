package ai.aicrypto.plaza.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.ListingAccess;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.web3j.crypto.Sign;
import org.web3j.crypto.StructuredDataEncoder;
import org.web3j.utils.Numeric;

/**
 * A paid license bought with a wallet, end to end against a real chain (anvil): the plaza mints the
 * asset token to the seller's wallet, the seller opens sales, the buyer signs the permit and sends
 * the transaction the plaza prepared, and the license exists only once the watcher has seen the
 * LicensePurchased log with enough confirmations. Also: a re-read of the chain adds nothing, a
 * reorganisation revokes, a reverted purchase fails, one never mined expires, bad input is refused
 * with a message, and a token transfer moves the listing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LicensePurchaseTest extends IntegrationTest {

    private static final int SELLER = 3, BUYER = 4, POOR = 5, LATE_BUYER = 6;
    private static final BigInteger PRICE = TestChain.AIC.multiply(BigInteger.valueOf(5));
    private static final String PUBLIC_RPC_URL = "https://rpc.plaza.example/public";
    private static TestChain chain;

    @DynamicPropertySource
    static void chain(DynamicPropertyRegistry registry) throws Exception {
        chain = TestChain.deployFor(registry);
        registry.add("plaza.market.pending-check-interval", () -> "300ms");
        registry.add("plaza.chain.pending-timeout", () -> "2s");
        registry.add("plaza.chain.public-rpc-url", () -> PUBLIC_RPC_URL);
    }

    @Autowired
    Datasets datasets;
    @Autowired
    ListingAccess access;
    @Autowired
    TestUsers users;

    AccountPrincipal seller, buyer, poor, lateBuyer, stranger;
    long listing;

    @BeforeAll
    void sellerPublishesAPaidDataset() throws Exception {
        seller = users.withWallet(SELLER);
        buyer = users.withWallet(BUYER);
        poor = users.withWallet(POOR);
        lateBuyer = users.withWallet(LATE_BUYER);
        stranger = users.member();
        chain.fund(TestChain.address(BUYER), PRICE.multiply(BigInteger.TWO));
        chain.fund(TestChain.address(LATE_BUYER), PRICE);

        Path csv = Files.createTempFile("readings", ".csv");
        Files.writeString(csv, "a,b,label\n1,2,x\n3,4,y\n5,6,x\n");
        listing = datasets.importDataset(seller.id(), new DatasetUpload(new ListingDraft("Readings " + System.nanoTime(),
                "Three rows", List.of("test"), "MIT", new BigDecimal("5")), csv, "readings.csv", null, null, "label"));
        Files.delete(csv);
    }

    @Test
    @Order(1)
    void theAssetTokenIsMintedToTheSellersWallet() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> count("asset_tokens") == 1);
        awaitConfirmedMint(chain, listing);
        // A mint sent and not yet confirmed (its row is written at the send): the sale is not offered until the chain says so.
        jdbc.sql("UPDATE asset_tokens SET mint_confirmed = false WHERE listing_id = ?").param(listing).update();
        try {
            assertThat(mvc.perform(get("/listings/" + listing + "/license-panel").with(user(seller))).andReturn().getResponse()
                    .getContentAsString()).contains("license-minting").doesNotContain("open-sale");
            assertThat(postJson("/listings/" + listing + "/sale/transaction", seller, Map.of(), 400).toString()).contains("not minted yet");
        } finally {
            jdbc.sql("UPDATE asset_tokens SET mint_confirmed = true WHERE listing_id = ?").param(listing).update();
        }
        assertThat(chain.registry.ownerOf(BigInteger.valueOf(listing)).send()).isEqualToIgnoringCase(TestChain.address(SELLER));
        var asset = chain.registry.assetOf(BigInteger.valueOf(listing)).send();
        assertThat(asset.component1()).isEqualTo(BigInteger.ZERO); // Kind.Dataset
        assertThat(Numeric.toHexString(asset.component2())).isNotEqualTo("0x" + "0".repeat(64));
        // tokenURI = base URI + id, served by the plaza as ERC-721 metadata JSON.
        assertThat(chain.registry.tokenURI(BigInteger.valueOf(listing)).send()).endsWith("/api/nft/" + listing);
        // Absolute URLs start with the configured public URL, whatever Host the request names.
        String metadata = mvc.perform(get("/api/nft/" + listing).header("Host", "evil.example")).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        assertThat(metadata).contains("\"name\":\"Readings").contains("\"trait_type\":\"Kind\",\"value\":\"DATASET\"")
                .contains("\"external_url\":\"http://localhost/datasets/" + listing + "\"")
                .contains("\"image\":\"http://localhost/favicon.svg\"").doesNotContain("evil.example");
    }

    @Test
    @Order(2)
    void theSellerOpensSalesOnChain() throws Exception {
        Map<?, ?> tx = postJson("/listings/" + listing + "/sale/transaction", seller, Map.of(), 200);
        assertThat(tx.get("to")).isEqualTo(chain.market.getContractAddress().toLowerCase());
        assertThat(chain.send(SELLER, (String) tx.get("to"), (String) tx.get("data")).isStatusOK()).isTrue();
        assertThat(chain.market.licenseListing(BigInteger.valueOf(listing)).send().component2()).isEqualTo(PRICE);
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.sql("SELECT license_price_wei FROM asset_tokens WHERE listing_id = ?")
                .param(listing).query(BigDecimal.class).optional().map(p -> p.toBigInteger().equals(PRICE)).orElse(false));
    }

    @Test
    @Order(3)
    void badInputIsRefusedWithAMessageAndLeavesNothing() throws Exception {
        assertThat(postJson("/listings/" + listing + "/purchase/permit", poor, Map.of("buyer", TestChain.address(POOR)), 400)
                .get("error").toString()).contains("0 AIC").contains("5 AIC");
        assertThat(postJson("/listings/" + listing + "/purchase/permit", buyer, Map.of("buyer", TestChain.address(POOR)), 400)
                .get("error").toString()).contains("not linked");
        assertThat(postJson("/listings/" + listing + "/purchase/permit", seller, Map.of("buyer", TestChain.address(SELLER)), 400)
                .get("error").toString()).contains("own");
        assertThat(postJson("/listings/" + listing + "/purchase/transaction", buyer,
                Map.of("deadline", "99999999999", "signature", "0x1234"), 400).get("error").toString()).contains("signature");
        assertThat(postJson("/listings/" + listing + "/purchase/transaction", buyer,
                Map.of("deadline", "1000", "signature", "0x" + "ab".repeat(65)), 400).get("error").toString()).contains("expired");
        assertThat(postJson("/listings/" + listing + "/purchase", buyer,
                Map.of("buyer", TestChain.address(BUYER), "txHash", "0xnothex"), 400).get("error")).isNotNull();
        assertThat(count("purchases")).isZero();
        assertThat(count("licenses")).isZero();
    }

    @Test
    @Order(4)
    void aConfirmedPurchaseGrantsExactlyOneLicenseAndMovesExactAmounts() throws Exception {
        BigInteger sellerBefore = chain.balance(SELLER), buyerBefore = chain.balance(BUYER), treasuryBefore = chain.balance(0);

        String txHash = send(buyer, BUYER);
        // Review L2: another member reports the hash first, as a purchase of theirs. It is their report only: the
        // buyer's is taken too, and the chain's log says whose purchase it is.
        postJson("/listings/" + listing + "/purchase", poor, Map.of("buyer", TestChain.address(POOR), "txHash", txHash), 200);
        report(buyer, BUYER, txHash);

        assertThat(access.mayUse(buyer.id(), listing)).as("no license before confirmations").isFalse();
        mvc.perform(get("/datasets/" + listing + "/download").with(user(buyer))).andExpect(status().isNotFound());
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> access.mayUse(buyer.id(), listing));
        await().atMost(Duration.ofSeconds(10)).until(() -> "CONFIRMED".equals(purchaseStatus(txHash, buyer)));
        await().atMost(Duration.ofSeconds(10)).until(() -> "EXPIRED".equals(purchaseStatus(txHash, poor)));
        assertThat(access.mayUse(poor.id(), listing)).isFalse();

        BigInteger fee = PRICE.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BigInteger.valueOf(10_000));
        assertThat(chain.balance(BUYER)).isEqualTo(buyerBefore.subtract(PRICE));
        assertThat(chain.balance(SELLER)).isEqualTo(sellerBefore.add(PRICE).subtract(fee));
        assertThat(chain.balance(0)).isEqualTo(treasuryBefore.add(fee));

        var download = mvc.perform(get("/datasets/" + listing + "/download").with(user(buyer))).andReturn();
        String body = mvc.perform(asyncDispatch(download)).andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(body).startsWith("a,b,label");
        mvc.perform(get("/datasets/" + listing + "/download").with(user(stranger))).andExpect(status().isNotFound());
        assertThat(mvc.perform(get("/listings/" + listing + "/license-panel").with(user(buyer))).andReturn()
                .getResponse().getContentAsString()).contains("id=\"licensed\"");
    }

    @Test
    @Order(5)
    void readingTheChainAgainAddsNothing() throws Exception {
        long head = chain.head();
        jdbc.sql("UPDATE chain_cursors SET next_block = ?, last_block_hash = NULL").param(chain.deployedAtBlock).update();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                jdbc.sql("SELECT next_block FROM chain_cursors").query(Long.class).single() >= head);
        assertThat(count("licenses")).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM chain_logs WHERE event = 'LicensePurchased'").query(Long.class).single()).isEqualTo(1);
    }

    @Test
    @Order(6)
    void aRevertedPurchaseFailsAndGrantsNothing() throws Exception {
        // No permit and no allowance: the market's transferFrom reverts.
        String data = chain.market.buyLicense(BigInteger.valueOf(listing), PRICE).encodeFunctionCall();
        var receipt = chain.send(POOR, chain.market.getContractAddress(), data);
        assertThat(receipt.isStatusOK()).isFalse();
        String txHash = receipt.getTransactionHash();
        postJson("/listings/" + listing + "/purchase", poor, Map.of("buyer", TestChain.address(POOR), "txHash", txHash), 200);
        await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(purchaseStatus(txHash)));
        assertThat(access.mayUse(poor.id(), listing)).isFalse();
        assertThat(mvc.perform(get("/listings/" + listing + "/license-panel").with(user(poor))).andReturn()
                .getResponse().getContentAsString()).contains("id=\"purchase-failed\"");
    }

    @Test
    @Order(7)
    void aReorganisationThatDropsThePurchaseRevokesItsLicense() throws Exception {
        String snapshot = chain.snapshot();
        buy(lateBuyer, LATE_BUYER);
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> access.mayUse(lateBuyer.id(), listing));

        chain.revert(snapshot);
        chain.mine(5);
        await().atMost(Duration.ofSeconds(20)).until(() -> !access.mayUse(lateBuyer.id(), listing));
        assertThat(access.mayUse(buyer.id(), listing)).as("an older purchase stays").isTrue();
    }

    @Test
    @Order(8)
    void aPurchaseDroppedAndMinedAgainEndsAsOneValidLicense() throws Exception {
        chain.fund(TestChain.address(LATE_BUYER), PRICE);
        String snapshot = chain.snapshot();
        String txHash = buy(lateBuyer, LATE_BUYER);
        String data = chain.web3j.ethGetTransactionByHash(txHash).send().getTransaction().orElseThrow().getInput();
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> access.mayUse(lateBuyer.id(), listing));

        // The block is dropped and the same transaction (same sender, nonce and fees: the same hash) is
        // mined again at once: the watcher sees both in one pass over the chain.
        chain.revert(snapshot);
        var again = chain.send(LATE_BUYER, chain.market.getContractAddress(), data);
        assertThat(again.getTransactionHash()).isEqualTo(txHash);
        chain.mine(5);
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.sql("SELECT count(*) FROM chain_logs WHERE tx_hash = ? AND NOT reverted")
                .param(txHash).query(Long.class).single() == 1 && access.mayUse(lateBuyer.id(), listing));
        Thread.sleep(2_000); // listeners of both passes have run: the state is that of one inclusion
        assertThat(access.mayUse(lateBuyer.id(), listing)).isTrue();
        assertThat(jdbc.sql("SELECT count(*) FROM licenses WHERE tx_hash = ? AND NOT revoked").param(txHash).query(Long.class).single())
                .isEqualTo(1);
    }

    @Test
    @Order(9)
    void aTokenTransferOnChainMovesTheListingAndADroppedOneMovesItBack() throws Exception {
        String snapshot = chain.snapshot();
        chain.registryAs(SELLER).transferFrom(TestChain.address(SELLER), TestChain.address(BUYER), BigInteger.valueOf(listing)).send();
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                jdbc.sql("SELECT owner_id FROM listings WHERE id = ?").param(listing).query(Long.class).single() == buyer.id());

        chain.revert(snapshot);
        chain.mine(5);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                jdbc.sql("SELECT owner_id FROM listings WHERE id = ?").param(listing).query(Long.class).single() == seller.id());
        assertThat(jdbc.sql("SELECT owner_address FROM asset_tokens WHERE listing_id = ?").param(listing).query(String.class).single())
                .isEqualToIgnoringCase(TestChain.address(SELLER));

        chain.registryAs(SELLER).transferFrom(TestChain.address(SELLER), TestChain.address(BUYER), BigInteger.valueOf(listing)).send();
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                jdbc.sql("SELECT owner_id FROM listings WHERE id = ?").param(listing).query(Long.class).single() == buyer.id());
    }

    @Test
    @Order(10)
    void aPurchaseTheChainNeverSawExpires() throws Exception {
        String unknown = "0x" + "5a".repeat(32);
        // (the buyer owns the asset since the transfer above)
        postJson("/listings/" + listing + "/purchase", lateBuyer, Map.of("buyer", TestChain.address(LATE_BUYER), "txHash", unknown), 200);
        assertThat(purchaseStatus(unknown)).isEqualTo("PENDING");
        await().atMost(Duration.ofSeconds(20)).until(() -> "EXPIRED".equals(purchaseStatus(unknown)));
    }

    @Test
    @Order(11)
    void anonymousVisitorsAreShownThePublicRpcUrlAndNoSecret() throws Exception {
        assertThat(chain.url).isNotEqualTo(PUBLIC_RPC_URL);
        for (String path : List.of("/listings/" + listing + "/license-panel", "/siwe/nonce", "/datasets/" + listing)) {
            String page = mvc.perform(get(path)).andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
            assertThat(page).as(path).doesNotContain(chain.url)
                    .doesNotContainIgnoringCase(TestChain.KEYS.get(0).substring(2))
                    .doesNotContainIgnoringCase(TestChain.KEYS.get(TestChain.ESCROW_OPERATOR).substring(2));
            if (!path.startsWith("/datasets/")) { // the dataset page loads its license panel afterwards
                assertThat(page).as(path).contains(PUBLIC_RPC_URL);
            }
        }
    }

    /** The wallet flow the page's script runs: permit, signature, prepared transaction, sent hash. */
    private String buy(AccountPrincipal who, int account) throws Exception {
        String txHash = send(who, account);
        report(who, account, txHash);
        return txHash;
    }

    /** The permit, its signature, the prepared transaction sent by the wallet; its hash, not yet reported. */
    private String send(AccountPrincipal who, int account) throws Exception {
        String wallet = TestChain.address(account);
        Map<?, ?> permit = postJson("/listings/" + listing + "/purchase/permit", who, Map.of("buyer", wallet), 200);
        byte[] digest = new StructuredDataEncoder((String) permit.get("typedData")).hashStructuredData();
        Sign.SignatureData sig = Sign.signMessage(digest, TestChain.credentials(account).getEcKeyPair(), false);
        String signature = Numeric.toHexString(sig.getR()) + Numeric.toHexStringNoPrefix(sig.getS())
                + Numeric.toHexStringNoPrefix(sig.getV());
        Map<?, ?> tx = postJson("/listings/" + listing + "/purchase/transaction", who,
                Map.of("deadline", permit.get("deadline").toString(), "signature", signature), 200);
        return chain.send(account, (String) tx.get("to"), (String) tx.get("data")).getTransactionHash();
    }

    /** What the page reports once the wallet sent the transaction. */
    private void report(AccountPrincipal who, int account, String txHash) throws Exception {
        postJson("/listings/" + listing + "/purchase", who, Map.of("buyer", TestChain.address(account), "txHash", txHash), 200);
        assertThat(purchaseStatus(txHash, who)).isIn("PENDING", "CONFIRMED");
    }

    private String purchaseStatus(String txHash) {
        return jdbc.sql("SELECT status FROM purchases WHERE tx_hash = ?").param(txHash.toLowerCase()).query(String.class).single();
    }

    private String purchaseStatus(String txHash, AccountPrincipal who) {
        return jdbc.sql("SELECT status FROM purchases WHERE tx_hash = ? AND user_id = ?").params(txHash.toLowerCase(), who.id())
                .query(String.class).single();
    }
}
