package ai.aicrypto.plaza.earnings.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.earnings.Earning;
import ai.aicrypto.plaza.earnings.Earning.Kind;
import ai.aicrypto.plaza.earnings.internal.EarningsLedger.Line;
import ai.aicrypto.plaza.serving.Credit;
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
import org.springframework.transaction.support.TransactionTemplate;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * The Coin Payroll against a real chain (anvil, the real contracts) and PostgreSQL: each source's earning appears in
 * the ledger with its exact amounts (the ones the contracts moved) once its log is confirmed, with the paying
 * transaction and block; a paid call's charge is pending until its batch's settlement log is confirmed; a purchase a
 * reorganisation drops leaves the ledger with its license; the CSV export lists exactly the ledger; only the member
 * sees their earnings, and a visitor is sent to sign in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CoinPayrollTest extends IntegrationTest {

    private static final int TREASURY = 0, PAYER = 2, CREATOR = 3, BUYER = 4, RESALE_BUYER = 5, LATE_BUYER = 6;
    private static final BigInteger AIC = TestChain.AIC, BPS = BigInteger.valueOf(10_000);
    private static final BigInteger LICENSE_PRICE = AIC.multiply(BigInteger.valueOf(5));
    private static final BigInteger SALE_PRICE = AIC.multiply(BigInteger.valueOf(40)), RESALE_PRICE = AIC.multiply(BigInteger.valueOf(100));
    private static final int ROYALTY_BPS = 500;
    private static TestChain chain;

    @DynamicPropertySource
    static void chain(DynamicPropertyRegistry registry) {
        chain = TestChain.deployFor(registry);
        registry.add("plaza.credit.settle-interval", () -> "1s");
        registry.add("plaza.earnings.explorer-url", () -> "https://explorer.example/");
        // No reward epoch is closed (and published by the plaza's sender) while the test takes the chain back.
        registry.add("plaza.rewards.close-interval", () -> "1h");
    }

    @Autowired
    TestUsers users;
    @Autowired
    Accounts accounts;
    @Autowired
    Datasets datasets;
    @Autowired
    Credit credit;
    @Autowired
    TransactionTemplate transaction;
    @Autowired
    EarningsLedger ledger;

    AccountPrincipal creator, buyer, resaleBuyer, payer, stranger;
    long listing;
    String licenseTx;

    @BeforeAll
    void aCreatorPublishesWithARoyalty() throws Exception {
        creator = withWallet(CREATOR);
        buyer = withWallet(BUYER);
        resaleBuyer = withWallet(RESALE_BUYER);
        payer = withWallet(PAYER);
        stranger = users.member();
        for (int account : List.of(BUYER, RESALE_BUYER, LATE_BUYER, PAYER)) {
            chain.fund(TestChain.address(account), AIC.multiply(BigInteger.valueOf(200)));
        }
        Path csv = Files.createTempFile("readings", ".csv");
        Files.writeString(csv, "a,b,label\n1,2,x\n3,4,y\n5,6,x\n");
        listing = datasets.importDataset(creator.id(), new DatasetUpload(new ListingDraft("Payroll readings " + System.nanoTime(),
                "Three rows", List.of("test"), "MIT", new BigDecimal("5"), ROYALTY_BPS), csv, "readings.csv", null, null, "label"));
        Files.delete(csv);
        await().atMost(Duration.ofSeconds(30)).until(() -> chain.registry.ownerOf(BigInteger.valueOf(listing)).sendAsync()
                .handle((owner, e) -> e == null).get());
    }

    @Test
    @Order(1)
    void aLicenseSaleIsPaidNetOfTheFeeInItsOwnTransaction() throws Exception {
        assertThat(ledger.of(creator.id())).isEmpty();
        chain.marketAs(CREATOR).listLicense(BigInteger.valueOf(listing), LICENSE_PRICE).send();
        TransactionReceipt bought = buyLicense(BUYER);
        licenseTx = bought.getTransactionHash();
        assertThat(ledger.of(creator.id())).as("nothing before the confirmations").isEmpty();
        chain.mine(2);
        Line line = awaitLine(creator, Kind.LICENSE, licenseTx);

        BigInteger fee = LICENSE_PRICE.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BPS);
        assertThat(line.earning().grossWei()).isEqualTo(LICENSE_PRICE);
        assertThat(line.earning().feeWei()).isEqualTo(fee);
        assertThat(line.earning().netWei()).isEqualTo(LICENSE_PRICE.subtract(fee)); // 4.875 AIC: what the market paid
        assertThat(line.earning().listingId()).isEqualTo(listing);
        assertThat(line.paidBlock()).isEqualTo(bought.getBlockNumber().longValueExact());
        assertThat(ledger.of(buyer.id())).as("the buyer earned nothing").isEmpty();
    }

    @Test
    @Order(2)
    void ownershipSalesPayTheSellerAndTheCreatorsRoyaltyOnAResale() throws Exception {
        TransactionReceipt sale = sellAsset(CREATOR, BUYER, SALE_PRICE);
        chain.mine(2);
        Line creatorsSale = awaitLine(creator, Kind.OWNERSHIP_SALE, sale.getTransactionHash());
        BigInteger saleFee = SALE_PRICE.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BPS);
        assertThat(creatorsSale.earning().grossWei()).as("no royalty when the creator sells").isEqualTo(SALE_PRICE);
        assertThat(creatorsSale.earning().feeWei()).isEqualTo(saleFee);

        BigInteger creatorBefore = chain.balance(CREATOR), buyerBefore = chain.balance(BUYER);
        TransactionReceipt resale = sellAsset(BUYER, RESALE_BUYER, RESALE_PRICE);
        chain.mine(2);
        Line royalty = awaitLine(creator, Kind.ROYALTY, resale.getTransactionHash());
        Line buyersSale = awaitLine(buyer, Kind.OWNERSHIP_SALE, resale.getTransactionHash());
        BigInteger resaleFee = RESALE_PRICE.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BPS);
        BigInteger royaltyWei = RESALE_PRICE.multiply(BigInteger.valueOf(ROYALTY_BPS)).divide(BPS);
        assertThat(royalty.earning().netWei()).isEqualTo(royaltyWei).isEqualTo(chain.balance(CREATOR).subtract(creatorBefore));
        assertThat(buyersSale.earning().netWei()).isEqualTo(RESALE_PRICE.subtract(resaleFee).subtract(royaltyWei))
                .isEqualTo(chain.balance(BUYER).subtract(buyerBefore));
        assertThat(royalty.paidBlock()).isEqualTo(resale.getBlockNumber().longValueExact());
        // The license sold before stays the creator's though the listing has changed hands twice.
        assertThat(lines(resaleBuyer)).isEmpty();
        assertThat(lines(creator).stream().filter(l -> l.earning().kind() == Kind.LICENSE)).hasSize(1);
    }

    @Test
    @Order(3)
    void paidCallsArePendingUntilTheirSettlementIsConfirmed() throws Exception {
        BigInteger deposit = AIC;
        chain.tokenAs(PAYER).approve(chain.usageCredit.getContractAddress(), deposit).send();
        chain.usageCreditAs(PAYER).deposit(deposit).send();
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.sql("SELECT count(*) FROM credit_accounts WHERE deposited_wei > 0")
                .query(Long.class).single() == 1);
        BigInteger charged = new BigInteger("400000000000000000"); // 0.4 AIC: 40 predictions at 10 AIC per 1,000
        BigInteger resaleOwnerBefore = chain.balance(RESALE_BUYER);
        // What a paid call records, in the call's transaction: a charge for the listing's owner (now the resale buyer).
        transaction.executeWithoutResult(s -> credit.charge(payer.id(), resaleBuyer.id(), listing, charged));

        BigInteger fee = charged.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BPS);
        Line paid = await().atMost(Duration.ofSeconds(30)).until(() -> {
            chain.mine(1);
            return lines(resaleBuyer).stream().filter(l -> l.earning().kind() == Kind.API_CALLS).findFirst().orElse(null);
        }, line -> line != null && line.earning().paid());
        assertThat(paid.earning().grossWei()).isEqualTo(charged);
        assertThat(paid.earning().feeWei()).isEqualTo(fee);
        assertThat(paid.earning().netWei()).isEqualTo(chain.balance(RESALE_BUYER).subtract(resaleOwnerBefore));
        assertThat(paid.paidBlock()).isEqualTo(chain.receipt(paid.earning().paidTx()).getBlockNumber().longValueExact());
    }

    @Test
    @Order(4)
    void aPendingChargeShowsTheFeeTheEscrowWouldTake() {
        // The payer's credit is charged again while no settlement runs for the next second: pending, fee at the rate now.
        BigInteger charged = new BigInteger("100000000000000000");
        transaction.executeWithoutResult(s -> credit.charge(payer.id(), stranger.id(), listing, charged)); // no wallet: held
        Line pending = lines(stranger).stream().filter(l -> l.earning().kind() == Kind.API_CALLS).findFirst().orElseThrow();
        assertThat(pending.earning().paid()).isFalse();
        assertThat(pending.paidBlock()).isNull();
        assertThat(pending.earning().feeWei()).isEqualTo(charged.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BPS));
    }

    @Test
    @Order(5)
    void aPurchaseAReorganisationDropsLeavesTheLedger() throws Exception {
        String snapshot = chain.snapshot();
        chain.marketAs(RESALE_BUYER).listLicense(BigInteger.valueOf(listing), LICENSE_PRICE).send();
        TransactionReceipt dropped = buyLicense(LATE_BUYER);
        chain.mine(2);
        awaitLine(resaleBuyer, Kind.LICENSE, dropped.getTransactionHash());

        chain.revert(snapshot);
        chain.mine(5);
        await().atMost(Duration.ofSeconds(20)).until(() -> lines(resaleBuyer).stream()
                .noneMatch(l -> dropped.getTransactionHash().equals(l.earning().paidTx())));
        assertThat(lines(creator).stream().filter(l -> l.earning().kind() == Kind.LICENSE).map(l -> l.earning().paidTx()))
                .as("the older purchase stays").containsExactly(licenseTx);
    }

    @Test
    @Order(6)
    void theCsvListsTheLedgerWithAHeaderAndDecimalAic() throws Exception {
        var started = mvc.perform(get("/earnings.csv").with(user(creator))).andReturn();
        var response = mvc.perform(asyncDispatch(started)).andExpect(status().isOk()).andReturn().getResponse();
        assertThat(response.getContentType()).startsWith("text/csv");
        assertThat(response.getHeader("Content-Disposition")).contains("earnings.csv");
        List<String> rows = response.getContentAsString(StandardCharsets.UTF_8).lines().toList();
        assertThat(rows.get(0)).isEqualTo("accrued_at,source,listing_id,item,gross_aic,fee_aic,net_aic,status,tx_hash,block,paid_at");
        List<Line> lines = ledger.of(creator.id());
        assertThat(rows).hasSize(lines.size() + 1);
        long licenseBlock = chain.receipt(licenseTx).getBlockNumber().longValueExact();
        assertThat(rows).anySatisfy(row -> assertThat(row).contains(",LICENSE," + listing + ",Payroll readings ")
                .contains(",5,0.125,4.875,PAID," + licenseTx + "," + licenseBlock + ","));
        assertThat(rows).anySatisfy(row -> assertThat(row).contains(",ROYALTY," + listing + ",").contains(",5,0,5,PAID,"));
        assertThat(rows).anySatisfy(row -> assertThat(row).contains(",OWNERSHIP_SALE,").contains(",40,1,39,PAID,"));
    }

    @Test
    @Order(7)
    void membersSeeOnlyTheirOwnEarningsAndVisitorsAreSentToSignIn() throws Exception {
        mvc.perform(get("/earnings")).andExpect(status().is3xxRedirection()).andExpect(redirectedUrl("/login"));
        mvc.perform(get("/earnings.csv")).andExpect(status().is3xxRedirection()).andExpect(redirectedUrl("/login"));

        String mine = mvc.perform(get("/earnings").with(user(creator))).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString();
        // 4.875 (license) + 39 (first sale) + 5 (royalty)
        assertThat(mine).contains("id=\"total-paid\">48.875 AIC<").contains("https://explorer.example/tx/" + licenseTx)
                .contains("id=\"source-ROYALTY\"").contains("id=\"nav-earnings\"");
        String theirs = mvc.perform(get("/earnings").with(user(stranger))).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString();
        assertThat(theirs).doesNotContain(licenseTx).contains("id=\"total-paid\">0 AIC<").contains("id=\"total-pending\">0.0975 AIC<");
        assertThat(earningsCsv(stranger)).noneMatch(row -> row.contains(licenseTx) || row.contains("LICENSE"));
        String korean = mvc.perform(get("/earnings").with(user(creator)).header("Accept-Language", "ko")).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(korean).contains("온체인 지급 완료").contains("창작자 로열티");
    }

    private TransactionReceipt buyLicense(int account) throws Exception {
        chain.tokenAs(account).approve(chain.market.getContractAddress(), LICENSE_PRICE).send();
        TransactionReceipt receipt = chain.marketAs(account).buyLicense(BigInteger.valueOf(listing), LICENSE_PRICE).send();
        assertThat(receipt.isStatusOK()).isTrue();
        return receipt;
    }

    private TransactionReceipt sellAsset(int seller, int buyerAccount, BigInteger price) throws Exception {
        chain.registryAs(seller).approve(chain.market.getContractAddress(), BigInteger.valueOf(listing)).send();
        chain.marketAs(seller).offerAsset(BigInteger.valueOf(listing), price).send();
        chain.tokenAs(buyerAccount).approve(chain.market.getContractAddress(), price).send();
        TransactionReceipt receipt = chain.marketAs(buyerAccount).buyAsset(BigInteger.valueOf(listing), price).send();
        assertThat(receipt.isStatusOK()).isTrue();
        return receipt;
    }

    private Line awaitLine(AccountPrincipal who, Kind kind, String txHash) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> lines(who).stream()
                .filter(l -> l.earning().kind() == kind && txHash.equals(l.earning().paidTx())).findFirst().orElse(null),
                java.util.Objects::nonNull);
    }

    private List<Line> lines(AccountPrincipal who) {
        return ledger.of(who.id());
    }

    private AccountPrincipal withWallet(int account) {
        AccountPrincipal who = users.member();
        accounts.linkWalletTrusted(who.id(), TestChain.address(account));
        return who;
    }
}
