package ai.aicrypto.plaza.bounty.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.chain.contracts.AICToken;
import ai.aicrypto.plaza.chain.contracts.AssetRegistry;
import ai.aicrypto.plaza.chain.contracts.BountyEscrow;
import ai.aicrypto.plaza.catalog.ListingAccess;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.MutableClock;
import ai.aicrypto.plaza.support.SklearnData;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.ClassPathResource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MvcResult;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

/**
 * Data requests end to end against a real chain (anvil, the real BountyEscrow) and PostgreSQL: the requester escrows
 * the bounty from the plaza's permit and calldata with their wallet, creators submit datasets, the requester judges them
 * by the automatic check and accepts one with their wallet: the creator is paid the bounty minus the fee exactly once,
 * the dataset is published on the agreed terms and licensed to the requester, and the creator's earnings show it; a
 * reorganisation that drops the acceptance undoes it until it is mined again. An unaccepted bounty goes back to the
 * requester after the deadline through a transaction any wallet sends (no operator). Bad input stores nothing.
 */
@Import(MutableClock.Config.class)
class DataRequestTest extends IntegrationTest {

    private static final int REQUESTER = 1, CREATOR = 2, RIVAL = 3, LATE_REQUESTER = 4, STRANGER = 5, TREASURY = 0;
    private static final BigInteger BOUNTY = TestChain.AIC.multiply(BigInteger.valueOf(100));
    private static final BigInteger FEE = BOUNTY.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BigInteger.valueOf(10_000));
    private static TestChain chain;

    @DynamicPropertySource
    static void chain(DynamicPropertyRegistry registry) {
        chain = TestChain.deployFor(registry);
    }

    @Autowired
    TestUsers users;
    @Autowired
    MutableClock clock;
    @Autowired
    Datasets datasets;
    @Autowired
    ListingAccess access;
    @Autowired
    Accounts accounts;
    @Autowired
    Models models;
    @TempDir
    Path tmp;

    /** The contract checks deadlines against its blocks: the plaza's clock follows the chain's. */
    @BeforeEach
    void clocksAgree() throws Exception {
        clock.set(Instant.ofEpochSecond(chain.now()));
    }

    @AfterEach
    void resetTheChainsClock() {
        chain.resetClock();
    }

    @Test
    void aFundedRequestIsJudgedAcceptedOncePaysTheCreatorAndPublishesTheData() throws Exception {
        AccountPrincipal requester = users.withWallet(REQUESTER);
        chain.fund(TestChain.address(REQUESTER), BOUNTY.multiply(BigInteger.TWO));
        AccountPrincipal creator = users.withWallet(CREATOR);
        AccountPrincipal rival = users.withWallet(RIVAL);
        String deadline = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).plusDays(3).toString();

        // Bad input: a message, and nothing stored.
        long before = count("bounties");
        assertThat(create(requester, "0", deadline)).contains("Give an amount of AIC above 0");
        assertThat(create(requester, "1000", deadline)).contains("The bounty of 1000 AIC is more than your wallet holds (200 AIC)");
        assertThat(create(requester, "100", "2020-01-01")).contains("at least a day from now");
        assertThat(create(requester, "100", LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).plusDays(400).toString()))
                .contains("at most 365 days");
        assertThat(create(users.member(), "100", deadline)).contains("Link a wallet to your account first");
        assertThat(count("bounties")).isEqualTo(before);

        long id = created(create(requester, "100", deadline));
        assertThat(page(id, requester)).contains("id=\"status-awaiting_funding\"").contains("id=\"fund-request\"");

        // Creators submit only once the bounty is escrowed.
        long wine = importWine(creator, 178);
        long smallWine = importWine(rival, 100);
        assertThat(submit(id, creator, wine)).contains("takes no submissions");

        // Funding: the requester's own linked wallet only; the page says funded only from the confirmed log.
        assertThat(jsonStatus("/requests/" + id + "/funding/permit", rival, TestChain.address(RIVAL))).isEqualTo(404);
        assertThat(postJson("/requests/" + id + "/funding/permit", requester, Map.of("wallet", TestChain.address(RIVAL)), 400)
                .get("error").toString()).contains("not linked");
        fund(id, requester, REQUESTER);
        assertThat(postJson("/requests/" + id + "/funding/permit", requester, Map.of("wallet", TestChain.address(REQUESTER)), 400)
                .get("error").toString()).contains("funded already");
        assertThat(chain.token.balanceOf(chain.bountyEscrow.getContractAddress()).send()).isEqualTo(BOUNTY);

        // Submissions: someone else's dataset is refused; each creator submits one of their own, once.
        assertThat(submit(id, creator, smallWine)).contains("Pick one of your own datasets");
        assertThat(submit(id, requester, wine)).contains("your own request");
        AccountPrincipal shy = users.member();
        long hidden = importWine(shy, 178);
        mvc.perform(post("/listings/" + hidden + "/unpublish").with(user(shy)).with(csrf()));
        assertThat(submit(id, shy, hidden)).contains("Publish this dataset first");
        assertThat(submit(id, creator, wine)).isEmpty();
        assertThat(submit(id, creator, wine)).contains("submitted a dataset to this request already");
        assertThat(submit(id, rival, smallWine)).isEmpty();
        assertThat(jdbc.sql("SELECT count(*) FROM bounty_submissions WHERE bounty_id = ?").param(id).query(Long.class).single())
                .isEqualTo(2);

        // The requester judges: the automatic check against the request (rows, columns, label).
        long good = submissionOf(id, creator), weak = submissionOf(id, rival);
        String judged = page(id, requester);
        assertThat(judged).contains("Passes the request&#39;s checks").contains("Has 100 rows; the request asks for at least 150.");
        // A creator sees only their own submission, and accepts nothing.
        assertThat(page(id, rival)).contains("submission-" + weak).doesNotContain("submission-" + good).doesNotContain("id=\"accept-");
        assertThat(judged).contains("id=\"accept-" + good + "\"");

        // Accepting: not from another wallet, not a submission of another request.
        long other = jdbc.sql("""
                        INSERT INTO bounties (requester_id, title, description, expected_columns, min_rows, quality_bar, license,
                                              price_aic, bounty_wei, deadline)
                        VALUES (?, 'other', '', '', 1, '', 'MIT', 0, 1, now() + interval '2 days') RETURNING id""")
                .param(rival.id()).query(Long.class).single();
        long elsewhere = jdbc.sql("INSERT INTO bounty_submissions (bounty_id, creator_id, listing_id) VALUES (?, ?, ?) RETURNING id")
                .params(other, creator.id(), wine).query(Long.class).single();
        assertThat(accept(id, elsewhere, requester, REQUESTER, 400)).contains("not a submission of this request");
        assertThat(accept(id, good, requester, CREATOR, 400)).contains("the wallet that escrowed the bounty");
        assertThat(jsonStatus("/requests/" + id + "/submissions/" + good + "/accept", rival, TestChain.address(RIVAL))).isEqualTo(404);

        // The requester accepts the best one with their wallet.
        BigInteger creatorBefore = chain.balance(CREATOR), treasuryBefore = chain.balance(TREASURY);
        Map<?, ?> acceptance = postJson("/requests/" + id + "/submissions/" + good + "/accept", requester,
                Map.of("wallet", TestChain.address(REQUESTER)), 200);
        String beforeAcceptance = chain.snapshot();
        assertThat(chain.send(REQUESTER, (String) acceptance.get("to"), (String) acceptance.get("data")).isStatusOK()).isTrue();
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> page(id, requester).contains("id=\"status-accepted\""));
        assertThat(chain.balance(CREATOR)).isEqualTo(creatorBefore.add(BOUNTY).subtract(FEE));
        assertThat(chain.balance(TREASURY)).isEqualTo(treasuryBefore.add(FEE));
        assertThat(page(id, requester)).contains("the bounty (minus the fee) to " + TestChain.address(CREATOR).toLowerCase());
        assertThat(chain.token.balanceOf(chain.bountyEscrow.getContractAddress()).send()).isZero();
        // The data is a listing on the agreed terms, and the requester may use it.
        assertThat(listing(wine)).isEqualTo(List.of("ODbL-1.0", "2", "PUBLISHED"));
        assertThat(access.mayUse(requester.id(), wine)).isTrue();
        assertThat(earningsCsv(creator)).anySatisfy(row -> assertThat(row).contains(",BOUNTY," + wine + ",")
                .contains(",100,2.5,97.5,PAID,0x"));

        // Accepting twice pays nothing: the plaza refuses, and so would the escrow.
        assertThat(accept(id, weak, requester, REQUESTER, 400)).contains("accepted already");

        // A reorganisation drops the acceptance: funded again, the license withdrawn and the listing the acceptance
        // published on the agreed terms taken down (nobody paid for them), until it is mined again.
        chain.revert(beforeAcceptance);
        chain.mine(5);
        await().atMost(Duration.ofSeconds(60)).until(() -> page(id, requester).contains("id=\"status-funded\""));
        assertThat(access.mayUse(requester.id(), wine)).isFalse();
        assertThat(listing(wine).get(2)).isEqualTo("UNPUBLISHED");
        assertThat(earningsCsv(creator)).noneSatisfy(row -> assertThat(row).contains(",BOUNTY,"));
        assertThat(chain.send(REQUESTER, (String) acceptance.get("to"), (String) acceptance.get("data")).isStatusOK()).isTrue();
        chain.mine(1);
        await().atMost(Duration.ofSeconds(60)).until(() -> page(id, requester).contains("id=\"status-accepted\""));
        assertThat(access.mayUse(requester.id(), wine)).isTrue();
        assertThat(listing(wine)).isEqualTo(List.of("ODbL-1.0", "2", "PUBLISHED"));
        assertThat(chain.balance(CREATOR)).isEqualTo(creatorBefore.add(BOUNTY).subtract(FEE));
    }

    @Test
    void anUnacceptedBountyGoesBackToTheRequesterAfterTheDeadlineWithoutTheOperator() throws Exception {
        AccountPrincipal requester = users.withWallet(LATE_REQUESTER);
        chain.fund(TestChain.address(LATE_REQUESTER), BOUNTY);
        long id = created(create(requester, "100", LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).plusDays(2).toString()));
        BigInteger before = chain.balance(LATE_REQUESTER);
        assertThat(postJson("/requests/" + id + "/refund", requester, Map.of(), 400).get("error").toString())
                .contains("not escrowed yet");
        fund(id, requester, LATE_REQUESTER);
        assertThat(chain.balance(LATE_REQUESTER)).isEqualTo(before.subtract(BOUNTY));
        assertThat(postJson("/requests/" + id + "/refund", requester, Map.of(), 400).get("error").toString())
                .contains("only from the deadline on");
        assertThat(jsonStatus("/requests/" + id + "/refund", users.member(), TestChain.address(STRANGER))).isEqualTo(404);

        // The deadline passes: the page offers the refund, which a stranger's wallet (not the plaza's operator) sends.
        Instant deadline = jdbc.sql("SELECT deadline FROM bounties WHERE id = ?").param(id).query(java.sql.Timestamp.class)
                .single().toInstant();
        chain.warp(deadline.getEpochSecond() - chain.now() + 5);
        clock.set(deadline.plusSeconds(10));
        assertThat(page(id, requester)).contains("id=\"refund-request\"");
        Map<?, ?> refund = postJson("/requests/" + id + "/refund", requester, Map.of(), 200);
        chain.fundGas(TestChain.address(STRANGER));
        assertThat(chain.send(STRANGER, (String) refund.get("to"), (String) refund.get("data")).isStatusOK()).isTrue();
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> page(id, requester).contains("id=\"status-refunded\""));
        assertThat(page(id, requester)).contains("The bounty went back to " + TestChain.address(LATE_REQUESTER).toLowerCase());
        assertThat(chain.balance(LATE_REQUESTER)).isEqualTo(before);
        assertThat(chain.token.balanceOf(chain.bountyEscrow.getContractAddress()).send()).isZero();
        assertThat(postJson("/requests/" + id + "/refund", requester, Map.of(), 400).get("error").toString())
                .contains("closed");
    }

    /**
     * The commission path of the escrow, on-chain and outside the plaza (CommissionTest has it through the plaza's pages):
     * the creator submits their
     * model's token to the requester's bounty and approves the escrow, the requester accepts it, and in that one
     * transaction the token moves to the requester and the creator is paid. The plaza's ownership-from-chain logic
     * follows the Transfer: the listing becomes the requester's. The escrow logs name no request of the plaza, so they
     * are quarantined and change no request.
     */
    @Test
    void aCommissionedModelsTokenMovesToTheRequesterOnChainAndTheListingFollows() throws Exception {
        Credentials requesterKey = Credentials.create(Keys.createEcKeyPair()), creatorKey = Credentials.create(Keys.createEcKeyPair());
        String requesterWallet = requesterKey.getAddress(), creatorWallet = creatorKey.getAddress();
        chain.fundGas(requesterWallet);
        chain.fundGas(creatorWallet);
        AccountPrincipal requester = users.member(), creator = users.member();
        accounts.linkWalletTrusted(requester.id(), requesterWallet);
        accounts.linkWalletTrusted(creator.id(), creatorWallet);
        chain.fund(requesterWallet, BOUNTY);
        long model = models.publish(creator.id(), new ModelUpload(new ClassPathResource(
                "model-card/examples/tabular-softmax-regression.json").getContentAsString(StandardCharsets.UTF_8), List.of(), null));
        BigInteger token = BigInteger.valueOf(model);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions() // ownerOf reverts until the plaza mints the token
                .until(() -> chain.registry.ownerOf(token).send().equalsIgnoreCase(creatorWallet));

        BountyEscrow asRequester = BountyEscrow.load(chain.bountyEscrow.getContractAddress(), chain.web3j,
                transactions(requesterKey), new DefaultGasProvider());
        BountyEscrow asCreator = BountyEscrow.load(chain.bountyEscrow.getContractAddress(), chain.web3j,
                transactions(creatorKey), new DefaultGasProvider());
        BigInteger commission = BigInteger.valueOf(Long.MAX_VALUE); // no request of the plaza has this id
        AICToken.load(chain.token.getContractAddress(), chain.web3j, transactions(requesterKey), new DefaultGasProvider())
                .approve(chain.bountyEscrow.getContractAddress(), BOUNTY).send();
        assertThat(asRequester.open(commission, BOUNTY, BigInteger.valueOf(chain.now() + 86_400)).send().isStatusOK()).isTrue();
        assertThat(asCreator.submitAsset(requesterWallet, commission, token).send().isStatusOK()).isTrue();
        AssetRegistry.load(chain.registry.getContractAddress(), chain.web3j, transactions(creatorKey), new DefaultGasProvider())
                .approve(chain.bountyEscrow.getContractAddress(), token).send();
        assertThat(asRequester.accept(commission, creatorWallet, token).send().isStatusOK()).isTrue();
        chain.mine(2);

        assertThat(chain.registry.ownerOf(token).send()).isEqualToIgnoringCase(requesterWallet);
        assertThat(chain.token.balanceOf(creatorWallet).send()).isEqualTo(BOUNTY.subtract(FEE));
        await().atMost(Duration.ofSeconds(60)).until(() -> jdbc.sql("SELECT owner_id FROM listings WHERE id = ?").param(model)
                .query(Long.class).single() == requester.id());
    }

    private TransactionManager transactions(Credentials key) {
        return new RawTransactionManager(chain.web3j, key, 31337, new PollingTransactionReceiptProcessor(chain.web3j, 100, 100));
    }

    /** The permit and calldata from the plaza, signed and sent by the requester's wallet; waits for the confirmed log. */
    private void fund(long id, AccountPrincipal requester, int wallet) throws Exception {
        Map<?, ?> permit = postJson("/requests/" + id + "/funding/permit", requester, Map.of("wallet", TestChain.address(wallet)), 200);
        String signature = TestChain.signTypedData(wallet, (String) permit.get("typedData"));
        assertThat(postJson("/requests/" + id + "/funding/transaction", requester, Map.of("deadline", permit.get("deadline").toString(),
                "signature", "0x12"), 400).get("error").toString()).contains("signature");
        Map<?, ?> tx = postJson("/requests/" + id + "/funding/transaction", requester,
                Map.of("deadline", permit.get("deadline").toString(), "signature", signature), 200);
        assertThat(chain.send(wallet, (String) tx.get("to"), (String) tx.get("data")).isStatusOK()).isTrue();
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> page(id, requester).contains("id=\"status-funded\""));
    }

    /** Posts the create form; the redirect's location, or the form page with its messages. */
    private String create(AccountPrincipal who, String bountyAic, String deadline) throws Exception {
        MvcResult r = mvc.perform(post("/requests/new").with(user(who)).with(csrf())
                .param("title", "Wine measurements").param("description", "Chemical analyses of wines")
                .param("expectedColumns", "alcohol, malic_acid").param("labelColumn", "cultivar").param("minRows", "150")
                .param("qualityBar", "No missing values").param("license", "ODbL-1.0").param("priceAic", "2")
                .param("bountyAic", bountyAic).param("deadline", deadline)).andReturn();
        return r.getResponse().getRedirectedUrl() != null ? r.getResponse().getRedirectedUrl()
                : r.getResponse().getContentAsString(StandardCharsets.UTF_8);
    }

    private static long created(String location) {
        assertThat(location).matches("/requests/\\d+");
        return Long.parseLong(location.substring("/requests/".length()));
    }

    /** Submits a dataset: empty when accepted (a redirect), else the refusal page. */
    private String submit(long id, AccountPrincipal who, long dataset) throws Exception {
        var response = mvc.perform(post("/requests/" + id + "/submissions").param("datasetId", String.valueOf(dataset))
                .with(user(who)).with(csrf())).andReturn().getResponse();
        return response.getStatus() == 302 ? "" : response.getContentAsString(StandardCharsets.UTF_8);
    }

    private String accept(long id, long submission, AccountPrincipal who, int wallet, int expectedStatus) throws Exception {
        Map<?, ?> answer = postJson("/requests/" + id + "/submissions/" + submission + "/accept", who,
                Map.of("wallet", TestChain.address(wallet)), expectedStatus);
        return String.valueOf(answer.get("error"));
    }

    /** The status of a wallet step asked by someone it is not for (their wallet in the body). */
    private int jsonStatus(String path, AccountPrincipal who, String wallet) throws Exception {
        return mvc.perform(post(path).with(user(who)).with(csrf()).contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .content("{\"wallet\": \"" + wallet + "\"}")).andReturn().getResponse().getStatus();
    }

    private long submissionOf(long id, AccountPrincipal creator) {
        return jdbc.sql("SELECT id FROM bounty_submissions WHERE bounty_id = ? AND creator_id = ?").params(id, creator.id())
                .query(Long.class).single();
    }

    private String page(long id, AccountPrincipal who) throws Exception {
        return mvc.perform(get("/requests/" + id).with(user(who))).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
    }

    private List<String> listing(long id) {
        return jdbc.sql("SELECT license, price_aic, status FROM listings WHERE id = ?").param(id)
                .query((rs, n) -> List.of(rs.getString(1), rs.getBigDecimal(2).stripTrailingZeros().toPlainString(), rs.getString(3)))
                .single();
    }

    /** The sklearn wine table (real data), its first {@code rows} rows, as the member's free dataset. */
    private long importWine(AccountPrincipal owner, int rows) throws Exception {
        List<String> lines = SklearnData.wineCsv().lines().toList();
        Path csv = Files.writeString(tmp.resolve("wine-" + owner.id() + ".csv"), String.join("\n", lines.subList(0, rows + 1)) + "\n");
        return datasets.importDataset(owner.id(), new DatasetUpload(new ListingDraft("Wine " + rows, "", List.of(), "CC0-1.0",
                BigDecimal.ZERO), csv, "wine.csv", null, null, "cultivar"));
    }
}
