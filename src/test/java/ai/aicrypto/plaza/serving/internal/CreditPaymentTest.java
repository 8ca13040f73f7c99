package ai.aicrypto.plaza.serving.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.chain.contracts.UsageCredit;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.model.card.RecommendedModels;
import ai.aicrypto.plaza.model.card.TrainedCards;
import ai.aicrypto.plaza.support.DenseWeights;
import ai.aicrypto.plaza.support.SklearnData;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Paid model calls against a real chain (anvil, the real UsageCredit) and PostgreSQL: without credit a paid call is
 * answered 402 and nothing is recorded; a member deposits with a permit through the page's JSON steps, makes paid
 * calls, and a batch settlement pays the owner and the treasury exactly and debits the member; the same batch sent
 * again pays nothing; parallel calls never take more than the credit; a withdrawal request is paid by the operator once
 * the member's usage is settled; a request the plaza cannot release (a charge held for an owner without a wallet) is
 * taken by the member alone after the escrow's delay, and the held charge settles later with its shortfall reported; a
 * settlement a reorganisation drops is sent again and pays once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CreditPaymentTest extends CreditTest {

    private static final int TREASURY = 0, MEMBER = 2, OWNER = 3, LATE_OWNER = 5, OPERATOR = TestChain.ESCROW_OPERATOR;
    private static final BigInteger AIC = TestChain.AIC;
    private static final BigInteger CENT = AIC.divide(BigInteger.valueOf(100));
    private static TestChain chain;

    @DynamicPropertySource
    static void chain(DynamicPropertyRegistry registry) {
        chain = TestChain.deployFor(registry);
        registry.add("plaza.credit.settle-interval", () -> "1h"); // rounds run when the test says (and on their events)
    }

    @Autowired
    TestUsers users;
    @Autowired
    Accounts accounts;
    @Autowired
    Datasets datasets;
    @Autowired
    Models models;
    @Autowired
    ApiTokens tokens;
    @Autowired
    UsageSettlements settlements;
    @Autowired
    JsonMapper json;

    AccountPrincipal member, owner, lateOwner;
    String memberToken;
    long model, lateModel;
    Map<String, String> wine;

    @BeforeAll
    void membersAndAPaidModel() throws Exception {
        member = users.withWallet(MEMBER);
        owner = users.withWallet(OWNER);
        lateOwner = users.member(); // links a wallet only at the end
        chain.fund(TestChain.address(MEMBER), AIC.multiply(BigInteger.TEN));
        memberToken = tokens.issue(member.id(), "script").token();
        Path csv = Files.createTempFile("wine", ".csv");
        Files.writeString(csv, SklearnData.wineCsv());
        long dataset = datasets.importDataset(owner.id(), new DatasetUpload(new ListingDraft("Wine", "", List.of(), "CC0-1.0",
                BigDecimal.ZERO), csv, "wine.csv", null, null, "cultivar"));
        Files.delete(csv);
        Preprocessing input = datasets.preprocessing(dataset);
        ObjectNode card = (ObjectNode) RecommendedModels.find(RecommendedModels.MLP, "Wine", input, 178).orElseThrow().card().json().deepCopy();
        TrainedCards.describeInput(card, input);
        model = publish(owner, card.toString(), input);
        lateModel = publish(lateOwner, card.toString(), input);
        List<String> lines = SklearnData.wineCsv().lines().toList();
        String[] header = lines.get(0).split(","), row = lines.get(1).split(",");
        wine = new LinkedHashMap<>();
        for (int i = 0; i < header.length - 1; i++) {
            wine.put(header[i], row[i]);
        }
        price(owner, model, "10"); // 0.01 AIC a prediction
        price(lateOwner, lateModel, "100");
    }

    @AfterAll
    void clockBack() {
        chain.resetClock();
    }

    @Test
    @Order(1)
    void withoutCreditAPaidCallIs402AndNothingIsRecordedAndBadDepositsAreRefused() throws Exception {
        assertThat(call(model, 1, 402).toString()).contains("costs 0.01 AIC").contains("has 0 AIC available");
        assertThat(count("model_calls") + count("credit_charges") + count("credit_accounts")).isZero();

        AccountPrincipal stranger = users.member();
        assertThat(refusal("/credit/deposit/permit", member, Map.of("wallet", TestChain.address(OWNER), "amount", "1")))
                .contains("not linked");
        for (String amount : List.of("0", "-1", "abc", "1000001", "1.0000000000000000001")) {
            assertThat(refusal("/credit/deposit/permit", member, Map.of("wallet", TestChain.address(MEMBER), "amount", amount)))
                    .contains("AIC");
        }
        assertThat(refusal("/credit/deposit/permit", member, Map.of("wallet", TestChain.address(MEMBER), "amount", "20")))
                .contains("less than the 20 AIC");
        assertThat(refusal("/credit/deposit/transaction", member, Map.of("amount", "1", "deadline", "99999999999", "signature", "0x12")))
                .contains("signature");
        assertThat(refusal("/credit/withdrawal/transaction", stranger, Map.of("wallet", TestChain.address(MEMBER), "amount", "1")))
                .contains("not linked");
        assertThat(refusal("/credit/withdraw/transaction", member, Map.of("wallet", TestChain.address(MEMBER))))
                .contains("no withdrawal request");
    }

    @Test
    @Order(2)
    void aDepositWithPermitPaysForCallsAndABatchSettlementPaysOwnerAndTreasuryExactly() throws Exception {
        deposit(chain, member, MEMBER, "1");
        assertThat(mvc.perform(get("/credit").with(user(member))).andReturn().getResponse().getContentAsString())
                .contains(TestChain.address(MEMBER).toLowerCase()).contains("1 AIC");

        for (int i = 0; i < 7; i++) {
            JsonNode answer = call(model, 3, 200);
            assertThat(answer.at("/predictions").size()).isEqualTo(3);
        }
        Map<String, Object> bad = Map.of("instances", List.of(Map.of("alcohol", "13")));
        api(model, bad, 400);
        BigInteger spent = CENT.multiply(BigInteger.valueOf(21));
        assertThat(wei("SELECT debited_wei FROM credit_accounts")).isEqualTo(spent);
        assertThat(jdbc.sql("SELECT count(*) FROM model_calls WHERE charged_wei = ? AND token_id IS NOT NULL AND instances = 3 AND via = 'API'")
                .param(new BigDecimal(CENT.multiply(BigInteger.valueOf(3)))).query(Long.class).single()).isEqualTo(7);
        Instant now = Instant.now();
        assertThat(models.licenseeCallsBetween(now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(1))))
                .as("paid calls count as use of the model for Proof of Value, paid from the wallet that deposited the credit")
                .contains(new Models.LicenseeCalls(model, owner.id(), member.id(), TestChain.address(MEMBER).toLowerCase(), 7,
                        lastCallAt()));

        BigInteger ownerBefore = chain.balance(OWNER), treasuryBefore = chain.balance(TREASURY);
        settlements.execute();
        long batch = jdbc.sql("SELECT id FROM credit_batches").query(Long.class).single();
        awaitDone(batch);

        BigInteger fee = spent.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BigInteger.valueOf(10_000));
        assertThat(chain.balance(OWNER).subtract(ownerBefore)).isEqualTo(spent.subtract(fee));
        assertThat(chain.balance(TREASURY).subtract(treasuryBefore)).isEqualTo(fee);
        assertThat(escrowBalance()).isEqualTo(AIC.subtract(spent));
        assertThat(wei("SELECT settled_wei FROM credit_accounts")).isEqualTo(spent);
        assertThat(wei("SELECT fee_wei FROM credit_batches")).isEqualTo(fee);
        assertThat(mvc.perform(get("/usage").with(user(member))).andReturn().getResponse().getContentAsString())
                .contains("<td class=\"calls\">7</td>").contains("<td class=\"spent\">0.21</td>");
        assertThat(mvc.perform(get("/usage").with(user(owner))).andReturn().getResponse().getContentAsString())
                .contains("<td class=\"revenue\">0.21</td>");

        // The same batch again: the escrow refuses it, and another round sends nothing.
        var entries = List.of(new UsageCredit.Entry(TestChain.address(MEMBER), TestChain.address(OWNER), spent));
        assertThatThrownBy(() -> chain.usageCreditAs(OPERATOR).settle(BigInteger.valueOf(batch), entries).send())
                .as("BatchAlreadySettled").isInstanceOf(Exception.class);
        settlements.execute();
        chain.mine(3);
        assertThat(chain.balance(OWNER).subtract(ownerBefore)).isEqualTo(spent.subtract(fee));
        assertThat(escrowBalance()).isEqualTo(AIC.subtract(spent));
        assertThat(count("credit_batches")).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM chain_transactions WHERE purpose LIKE 'settle-usage:%'").query(Long.class).single())
                .isEqualTo(1);
    }

    @Test
    @Order(3)
    void parallelCallsNeverTakeMoreThanTheCredit() throws Exception {
        price(owner, model, "100"); // 0.1 AIC a prediction; 0.79 AIC left: 7 calls
        List<String> tokensOfMember = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            tokensOfMember.add(tokens.issue(member.id(), "parallel " + i).token());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (String token : tokensOfMember) {
                answers.add(pool.submit(() -> api(token, model, Map.of("instances", List.of(wine))).getStatus()));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> answer : answers) {
                statuses.add(answer.get());
            }
            assertThat(statuses).containsOnly(200, 402);
            assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(7);
        } finally {
            pool.shutdown();
        }
        assertThat(wei("SELECT debited_wei FROM credit_accounts")).isEqualTo(CENT.multiply(BigInteger.valueOf(91)));
        assertThat(jdbc.sql("SELECT count(*) FROM model_calls WHERE charged_wei = ?").param(new BigDecimal(CENT.multiply(BigInteger.TEN)))
                .query(Long.class).single()).isEqualTo(7);
        assertThat(count("credit_charges")).isEqualTo(14);
    }

    @Test
    @Order(4)
    void aWithdrawalRequestIsPaidByTheOperatorOnceTheUsageIsSettled() throws Exception {
        BigInteger ownerBefore = chain.balance(OWNER), memberBefore = chain.balance(MEMBER);
        send(chain, MEMBER, postJson("/credit/withdrawal/transaction", member, Map.of("wallet", TestChain.address(MEMBER), "amount", "0.79"), 200));
        // The request is settled first (the charges of the parallel calls), then released: at most what is left.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            chain.mine(1);
            settlements.execute();
            return wei("SELECT withdrawn_wei FROM credit_accounts").signum() > 0;
        });
        BigInteger settledNow = CENT.multiply(BigInteger.valueOf(70));
        BigInteger fee = settledNow.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BigInteger.valueOf(10_000));
        assertThat(chain.balance(OWNER).subtract(ownerBefore)).isEqualTo(settledNow.subtract(fee));
        assertThat(chain.balance(MEMBER).subtract(memberBefore)).isEqualTo(CENT.multiply(BigInteger.valueOf(9)));
        assertThat(escrowBalance()).isZero();
        assertThat(wei("SELECT withdrawn_wei FROM credit_accounts")).isEqualTo(CENT.multiply(BigInteger.valueOf(9)));
        assertThat(wei("SELECT pending_withdrawal_wei FROM credit_accounts")).isZero();
        assertThat(call(model, 1, 402).toString()).contains("has 0 AIC available");
    }

    /** A reorganisation drops a settlement: the batch is due again, sent again with the same id, and paid once. */
    @Test
    @Order(5)
    void aSettlementDroppedByAReorganisationIsSentAgainAndPaysOnce() throws Exception {
        deposit(chain, member, MEMBER, "0.3");
        call(model, 1, 200); // 0.1 AIC
        BigInteger ownerBefore = chain.balance(OWNER);
        String beforeSettlement = chain.snapshot();
        settlements.execute();
        long batch = jdbc.sql("SELECT max(id) FROM credit_batches").query(Long.class).single();
        awaitDone(batch);

        chain.revert(beforeSettlement);
        chain.mine(5);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                jdbc.sql("SELECT state FROM credit_batches WHERE id = ?").param(batch).query(String.class).single().equals("DUE"));
        assertThat(chain.balance(OWNER)).as("dropped").isEqualTo(ownerBefore);
        settlements.execute();
        awaitDone(batch);
        BigInteger tenth = CENT.multiply(BigInteger.TEN);
        BigInteger fee = tenth.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BigInteger.valueOf(10_000));
        assertThat(chain.balance(OWNER)).as("paid once").isEqualTo(ownerBefore.add(tenth).subtract(fee));
        assertThat(escrowBalance()).isEqualTo(CENT.multiply(BigInteger.valueOf(20)));
        assertThat(wei("SELECT settled_wei FROM credit_accounts")).isEqualTo(wei("SELECT debited_wei FROM credit_accounts"));
    }

    @Test
    @Order(6)
    void withoutTheOperatorTheMemberWithdrawsAloneAfterTheDelayAndALateSettlementReportsItsShortfall() throws Exception {
        deposit(chain, member, MEMBER, "0.3"); // 0.5 AIC in the escrow with what is left from before
        call(lateModel, 1, 200); // 0.1 AIC owed to an owner without a wallet: held, so the plaza cannot release
        BigInteger memberBefore = chain.balance(MEMBER);
        send(chain, MEMBER, postJson("/credit/withdrawal/transaction", member, Map.of("wallet", TestChain.address(MEMBER), "amount", "0.5"), 200));
        await().atMost(Duration.ofSeconds(20)).until(() -> { chain.mine(1); return wei("SELECT pending_withdrawal_wei FROM credit_accounts").signum() > 0; });
        assertThat(call(lateModel, 1, 402).toString()).as("nothing is charged against a request").contains("has 0 AIC available");
        settlements.execute();
        chain.mine(3);
        assertThat(escrowBalance()).as("not released: a charge is open").isEqualTo(AIC.divide(BigInteger.TWO));

        var early = chain.send(MEMBER, chain.usageCredit.getContractAddress(), postJson("/credit/withdraw/transaction", member,
                Map.of("wallet", TestChain.address(MEMBER)), 200).get("data").toString());
        assertThat(early.isStatusOK()).as("too early").isFalse();
        chain.warp(TestChain.CREDIT_WITHDRAWAL_DELAY + 1);
        send(chain, MEMBER, postJson("/credit/withdraw/transaction", member, Map.of("wallet", TestChain.address(MEMBER)), 200));
        await().atMost(Duration.ofSeconds(20)).until(() -> { chain.mine(1); return wei("SELECT pending_withdrawal_wei FROM credit_accounts").signum() == 0; });
        assertThat(chain.balance(MEMBER).subtract(memberBefore)).isEqualTo(AIC.divide(BigInteger.TWO));
        assertThat(escrowBalance()).isZero();

        BigInteger lateBefore = chain.balance(LATE_OWNER);
        accounts.linkWalletTrusted(lateOwner.id(), TestChain.address(LATE_OWNER));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            chain.mine(1);
            settlements.execute();
            return jdbc.sql("SELECT count(*) FROM credit_batches WHERE state = 'DONE'").query(Long.class).single() == 4;
        });
        assertThat(wei("SELECT shortfall_wei FROM credit_batches ORDER BY id DESC LIMIT 1")).isEqualTo(CENT.multiply(BigInteger.TEN));
        assertThat(chain.balance(LATE_OWNER)).isEqualTo(lateBefore);
        assertThat(count("chain_logs_quarantined")).isZero();
    }

    private long publish(AccountPrincipal who, String card, Preprocessing input) throws Exception {
        Path file = Files.createTempFile("w", ".safetensors");
        Files.write(file, new DenseWeights(7, input.featureCount(), 32, 3).safetensors());
        long id = models.publish(who.id(), new ModelUpload(card, List.of(), file));
        Files.delete(file);
        return id;
    }

    private Instant lastCallAt() {
        return jdbc.sql("SELECT max(created_at) FROM model_calls WHERE caller_id = ?").param(member.id())
                .query(Timestamp.class).single().toInstant();
    }

    private void price(AccountPrincipal who, long id, String aic) throws Exception {
        assertThat(mvc.perform(post("/models/" + id + "/api-settings").with(user(who)).with(csrf()).param("visibility", "PUBLIC")
                .param("price", aic)).andReturn().getResponse().getStatus()).isEqualTo(302);
    }

    private void awaitDone(long batch) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            chain.mine(1);
            return jdbc.sql("SELECT state FROM credit_batches WHERE id = ?").param(batch).query(String.class).single().equals("DONE");
        });
    }

    private BigInteger escrowBalance() throws Exception {
        return chain.usageCredit.account(TestChain.address(MEMBER)).send().balance;
    }

    private JsonNode call(long id, int instances, int status) throws Exception {
        return api(id, Map.of("instances", java.util.Collections.nCopies(instances, wine)), status);
    }

    private JsonNode api(long id, Object body, int status) throws Exception {
        MockHttpServletResponse response = api(memberToken, id, body);
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(status);
        return json.readTree(response.getContentAsString(StandardCharsets.UTF_8));
    }

    private MockHttpServletResponse api(String token, long id, Object body) throws Exception {
        return mvc.perform(post("/api/v1/models/" + id + "/predict").header("Authorization", "Bearer " + token)
                .contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(body))).andReturn().getResponse();
    }
}
