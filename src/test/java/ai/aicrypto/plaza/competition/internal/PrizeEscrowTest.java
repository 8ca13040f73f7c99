package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.chain.ChainLogQuarantine;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.support.DepositSteps;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.WorkerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import tools.jackson.databind.json.JsonMapper;

/**
 * A competition's prize pool through CompetitionEscrow, against a real chain (anvil) and PostgreSQL:
 * the host funds it from the plaza's permit and calldata, the page shows it funded only from the
 * confirmed log; after the final ranking the operator finalizes with the teams' wallets: the winner
 * is paid by the split at once, the runner-up's team has no wallet, so its prize is held, and paid
 * once a member links one. Bad input gets a message and funds nothing. A data competition's pool pays the teams whose
 * data trained the better models (a real gpu-worker trains the host's fixed model on each), and a place no team reached
 * goes back to the host.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT) // for the data competition's worker
class PrizeEscrowTest extends CompetitionTestSupport {

    private static final int HOST = 1, DATA_HOST = 2, PROVIDER = 3, WINNER = 4, LATE = 5, STRANGER = 6, TREASURY = 0;
    private static final BigInteger POOL = TestChain.AIC.multiply(BigInteger.valueOf(100));
    private static final int WAIT_SECONDS = 600;
    private static TestChain chain;

    @DynamicPropertySource
    static void chain(DynamicPropertyRegistry registry) throws Exception {
        chain = TestChain.deployFor(registry);
        registry.add("plaza.competition.payout-interval", () -> "1h"); // the test runs payOut itself
        registry.add("plaza.competition.training-poll", () -> "1h"); // and moves data submissions on itself
        registry.add("plaza.compute.escrow.settle-interval", () -> "300ms"); // training paid and refunded quickly
        registry.add("plaza.market.pending-check-interval", () -> "300ms");
    }

    @Autowired
    Accounts accounts;
    @Autowired
    PrizeEscrow prizes;
    @Autowired
    JsonMapper json;
    @Autowired
    ChainLogQuarantine quarantine;
    @Autowired
    DataCompetitions data;
    @Autowired
    Datasets datasets;
    @Autowired
    GpuOffers offers;
    @LocalServerPort
    int port;
    @TempDir
    Path tmp;

    /** The test moves the shared chain's clock to the competition's end; later tests sign permits by the wall clock. */
    @AfterEach
    void resetTheChainsClock() {
        chain.resetClock();
    }

    @Test
    void aFundedPoolIsPaidByTheSplitAndAHeldPrizeOnceTheTeamLinksAWallet() throws Exception {
        // The plaza's clock and the chain's agree here: the contract checks times against its blocks.
        Instant chainNow = Instant.ofEpochSecond(chain.now());
        clock.set(chainNow);
        AccountPrincipal host = users.member();
        accounts.linkWalletTrusted(host.id(), TestChain.address(HOST));
        chain.fund(TestChain.address(HOST), POOL);
        Instant start = chainNow.truncatedTo(ChronoUnit.MINUTES).plus(2, ChronoUnit.MINUTES);
        Competition c = hostWithPool(host, start);

        // Bad input: no pool is funded, and nothing is left pending.
        AccountPrincipal stranger = users.member();
        step(c, "permit", stranger, Map.of("wallet", TestChain.address(HOST)), 404);
        assertThat(step(c, "permit", host, Map.of("wallet", TestChain.address(LATE)), 400)).contains("not linked");
        assertThat(step(c, "transaction", host, Map.of("deadline", "99999999999", "signature", "0x12"), 400)).contains("signature");
        assertThat(page(c, host)).contains("id=\"pool-awaiting\"").contains("id=\"fund-competition\"");

        // A stranger funds a pool under the competition's id first: quarantined, and it blocks nobody.
        chain.fund(TestChain.address(STRANGER), TestChain.AIC);
        chain.tokenAs(STRANGER).approve(chain.competitionEscrow.getContractAddress(), TestChain.AIC).send();
        var squat = chain.competitionEscrowAs(STRANGER).fund(BigInteger.valueOf(c.id()), BigInteger.valueOf(start.getEpochSecond()),
                BigInteger.valueOf(c.endsAt().getEpochSecond()), List.of(BigInteger.valueOf(7000), BigInteger.valueOf(3000)),
                TestChain.AIC).send();
        assertThat(squat.isStatusOK()).isTrue();
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> quarantine.recent(100).stream()
                .anyMatch(e -> e.txHash().equalsIgnoreCase(squat.getTransactionHash())));
        assertThat(page(c, host)).contains("id=\"pool-awaiting\"").contains("id=\"fund-competition\"");

        // The host funds it; the page says so only once the log is confirmed.
        Map<?, ?> permit = json.readValue(step(c, "permit", host, Map.of("wallet", TestChain.address(HOST)), 200), Map.class);
        String signature = TestChain.signTypedData(HOST, (String) permit.get("typedData"));
        Map<?, ?> tx = json.readValue(step(c, "transaction", host,
                Map.of("deadline", permit.get("deadline").toString(), "signature", signature), 200), Map.class);
        String beforeFunding = chain.snapshot();
        assertThat(chain.send(HOST, (String) tx.get("to"), (String) tx.get("data")).isStatusOK()).isTrue();
        assertThat(page(c, host)).contains("id=\"pool-awaiting\"");
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> page(c, host).contains("id=\"pool-funded\""));

        // A reorganisation that drops the funding shows the pool as awaiting again; the same funding mined again
        // (its permit is valid again on the new chain) shows it funded once more.
        chain.revert(beforeFunding);
        chain.mine(5);
        await().atMost(Duration.ofSeconds(20)).until(() -> page(c, host).contains("id=\"pool-awaiting\""));
        assertThat(chain.send(HOST, (String) tx.get("to"), (String) tx.get("data")).isStatusOK()).isTrue();
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> page(c, host).contains("id=\"pool-funded\""));
        assertThat(step(c, "permit", host, Map.of("wallet", TestChain.address(HOST)), 400)).contains("funded already");

        // Two teams play: the first has a wallet, the second not yet.
        clock.set(start.plus(1, ChronoUnit.MINUTES));
        AccountPrincipal winner = joined(c);
        accounts.linkWalletTrusted(winner.id(), TestChain.address(WINNER));
        AccountPrincipal runnerUp = joined(c);
        assertThat(awaitScored(submit(c, winner, predictions(phase(c).testRows(), 0.1)).id())).isEqualTo("SCORED");
        assertThat(awaitScored(submit(c, runnerUp, predictions(phase(c).testRows(), 0.5)).id())).isEqualTo("SCORED");

        // The end: the final ranking, then the operator's finalize.
        // The escrow pays out only from the competition's end time on.
        chain.warp(c.endsAt().getEpochSecond() - chain.now() + 5);
        clock.set(c.endsAt().plus(1, ChronoUnit.MINUTES));
        runner.sweep();
        assertThat(competitions.find(c.id()).finalized()).isTrue();
        BigInteger winnerBefore = chain.balance(WINNER);
        prizes.payOut();
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> page(c, host).contains("held until a member of the team links a wallet"));
        BigInteger first = POOL.multiply(BigInteger.valueOf(70)).divide(BigInteger.valueOf(100));
        BigInteger second = POOL.subtract(first);
        assertThat(chain.balance(WINNER)).isEqualTo(winnerBefore.add(first));
        assertThat(page(c, host)).contains("70 AIC paid to " + TestChain.address(WINNER).toLowerCase());
        // The Coin Payroll (issue 17): the winner's prize paid, the held one pending for the runner-up's team.
        assertThat(earningsCsv(winner)).anySatisfy(row -> assertThat(row).contains(",PRIZE,,").contains(",70,0,70,PAID,0x"));
        assertThat(earningsCsv(runnerUp)).anySatisfy(row -> assertThat(row).contains(",PRIZE,,").contains(",30,0,30,PENDING,,,"));
        // Running it again sends nothing twice.
        prizes.payOut();
        assertThat(chain.balance(WINNER)).isEqualTo(winnerBefore.add(first));

        // A member of the second team links a wallet: the held prize follows.
        BigInteger lateBefore = chain.balance(LATE);
        accounts.linkWalletTrusted(runnerUp.id(), TestChain.address(LATE));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            chain.mine(1);
            return page(c, host).contains("30 AIC paid to " + TestChain.address(LATE).toLowerCase());
        });
        assertThat(chain.balance(LATE)).isEqualTo(lateBefore.add(second));
        assertThat(earningsCsv(runnerUp)).anySatisfy(row -> assertThat(row).contains(",PRIZE,,").contains(",30,0,30,PAID,0x"));
        assertThat(chain.competitionEscrow.outstanding(TestChain.address(HOST), BigInteger.valueOf(c.id())).send()).isZero();
    }


    /**
     * A data competition with a prize pool of 100 AIC split 60/30/10: two teams submit the wine table, one as measured
     * and one mislabelled; a real worker trains the host's fixed network on each (paid from the host's training pool),
     * both are scored on the hidden test inputs, and after the end the escrow pays the first place to the team whose data
     * was better, the second to the other, and the third, which no team reached, back to the host. No fee is taken.
     */
    @Test
    void aDataCompetitionsPoolPaysTheBetterDatasTeamFirstAndTheHostGetsBackThePlaceNobodyReached() throws Exception {
        Instant chainNow = Instant.ofEpochSecond(chain.now());
        clock.set(chainNow);
        AccountPrincipal host = users.withWallet(DATA_HOST);
        AccountPrincipal provider = users.withWallet(PROVIDER);
        BigInteger trainingPool = TestChain.AIC.multiply(BigInteger.valueOf(6));
        chain.fund(TestChain.address(DATA_HOST), POOL.add(trainingPool));
        long reference = WineSplit.upload(datasets, host.id(), tmp, "Wine training rows", WineSplit.training(UnaryOperator.identity()));
        Instant start = chainNow.truncatedTo(ChronoUnit.MINUTES).plus(2, ChronoUnit.MINUTES);
        CompetitionForm form = prizedForm(start, "60,30,10");
        form.setMetric("ACCURACY");
        form.setKind(CompetitionForm.DATA);
        form.setDatasetId(reference);
        form.setTemplateRecommendation("mlp");
        form.setHyperparameters("{\"epochs\": 10}");
        form.setTrainingMinutes(30);
        form.setTrainingBudgetAic(new BigDecimal("3"));
        form.setTrainingSubmissions(2);
        Competition c = hostWith(host, form, WineSplit.solution(), WineSplit.testInputs(UnaryOperator.identity()));

        // Before the start the host funds both: the prize pool (CompetitionEscrow) and the training pool (JobEscrow).
        BigInteger hostBefore = chain.balance(DATA_HOST);
        fundPrizePool(c, host, DATA_HOST);
        assertThat(chain.balance(DATA_HOST)).isEqualTo(hostBefore.subtract(POOL));
        long trainingPoolId = jdbc.sql("SELECT training_pool_id FROM data_competitions WHERE competition_id = ?").param(c.id())
                .query(Long.class).single();
        new DepositSteps(mvc, json, chain).deposit(DepositSteps.ofPool(trainingPoolId), host, DATA_HOST, trainingPool);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            chain.mine(1);
            return "FUNDED".equals(trainingPoolStatus(trainingPoolId));
        });

        // Two teams, each with a wallet of its own: one submits the wines as measured, the other mislabelled.
        clock.set(start.plus(1, ChronoUnit.MINUTES));
        String goodWallet = freshWallet(), badWallet = freshWallet();
        AccountPrincipal alice = joined(c), bob = joined(c);
        accounts.linkWalletTrusted(alice.id(), goodWallet);
        accounts.linkWalletTrusted(bob.id(), badWallet);
        long good = WineSplit.upload(datasets, alice.id(), tmp, "Wine as measured", WineSplit.training(UnaryOperator.identity()));
        long bad = WineSplit.upload(datasets, bob.id(), tmp, "Wine relabelled", WineSplit.training(WineSplit::mislabelled));
        long aliceEntry = submissions.submitData(c, alice, good, "as measured").id();
        long bobEntry = submissions.submitData(c, bob, bad, "relabelled").id();

        // A real worker trains the host's network on each; the trained models are scored on the hidden test inputs.
        GpuOffers.IssuedWorker worker = WorkerProcess.registerCpuOffer(offers, provider.id());
        try (WorkerProcess process = WorkerProcess.start("http://127.0.0.1:" + port, worker.token(), tmp.resolve("cache"), "--no-benchmark")) {
            for (int i = 0; i < WAIT_SECONDS * 5 && !(ended(aliceEntry) && ended(bobEntry)); i++) {
                data.advance();
                chain.mine(1);
                Thread.sleep(200);
                clock.advance(Duration.ofMillis(200)); // the plaza's clock moves as the training takes time
            }
            assertThat(statusOf(aliceEntry)).as(process.log()).isEqualTo("SCORED");
            assertThat(statusOf(bobEntry)).as(process.log()).isEqualTo("SCORED");
        }
        double aliceScore = publicScore(aliceEntry), bobScore = publicScore(bobEntry);
        System.out.printf("prized wine data competition, 10 epochs: correct data %.3f, mislabelled %.3f%n", aliceScore, bobScore);
        assertThat(aliceScore).as("the correct data trained the better model").isGreaterThan(bobScore);

        // The end: the final ranking; what the training did not spend goes back to the host's wallet.
        chain.warp(c.endsAt().getEpochSecond() - chain.now() + 5);
        clock.set(c.endsAt().plus(1, ChronoUnit.MINUTES));
        runner.sweep();
        assertThat(competitions.find(c.id()).finalized()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            chain.mine(1);
            return "REFUNDED".equals(trainingPoolStatus(trainingPoolId));
        });

        // The operator finalizes: 60 AIC to the better data's team, 30 to the other, 10 back to the host; no fee.
        BigInteger goodBefore = balanceOf(goodWallet), badBefore = balanceOf(badWallet);
        BigInteger hostAtEnd = chain.balance(DATA_HOST), treasuryAtEnd = chain.balance(TREASURY);
        prizes.payOut();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            chain.mine(1);
            return page(c, host).contains("no team reached this place");
        });
        BigInteger first = aic(60), second = aic(30), third = aic(10);
        assertThat(balanceOf(goodWallet)).isEqualTo(goodBefore.add(first));
        assertThat(balanceOf(badWallet)).isEqualTo(badBefore.add(second));
        assertThat(chain.balance(DATA_HOST)).isEqualTo(hostAtEnd.add(third));
        assertThat(chain.balance(TREASURY)).as("the escrow takes no fee").isEqualTo(treasuryAtEnd);
        assertThat(chain.competitionEscrow.outstanding(TestChain.address(DATA_HOST), BigInteger.valueOf(c.id())).send()).isZero();

        // The page shows each place's payment; the earnings show the teams' prizes, and nothing for the host.
        String hostWallet = TestChain.address(DATA_HOST).toLowerCase();
        assertThat(page(c, bob)).contains("#1 " + alice.getUsername() + ": 60 AIC paid to " + goodWallet.toLowerCase())
                .contains("#2 " + bob.getUsername() + ": 30 AIC paid to " + badWallet.toLowerCase())
                .contains("#3: no team reached this place, so its 10 AIC went back to the host&#39;s wallet " + hostWallet);
        String korean = mvc.perform(get("/competitions/" + c.slug() + "?lang=ko")).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(korean).contains("1위 " + alice.getUsername() + ": 60 AIC를 " + goodWallet.toLowerCase() + "(으)로 지급")
                .contains("3위: 이 순위에 든 팀이 없어 10 AIC가 주최자의 지갑 " + hostWallet + "(으)로 돌아갔습니다");
        assertThat(earningsCsv(alice)).anySatisfy(row -> assertThat(row).contains(",PRIZE,,").contains(",60,0,60,PAID,0x"));
        assertThat(earningsCsv(bob)).anySatisfy(row -> assertThat(row).contains(",PRIZE,,").contains(",30,0,30,PAID,0x"));
        assertThat(earningsCsv(host)).noneSatisfy(row -> assertThat(row).contains(",PRIZE,"));
    }


    @Test
    void aPoolNotFundedByTheStartIsShownAsNotFundedNotAsAwaiting() throws Exception {
        Instant chainNow = Instant.ofEpochSecond(chain.now());
        clock.set(chainNow);
        AccountPrincipal host = users.member();
        Competition c = hostWithPool(host, chainNow.truncatedTo(ChronoUnit.MINUTES).plus(2, ChronoUnit.MINUTES));
        assertThat(page(c, host)).contains("id=\"pool-awaiting\"").doesNotContain("id=\"pool-unfunded\"");

        clock.set(chainNow.plus(3, ChronoUnit.MINUTES)); // started, never funded
        assertThat(page(c, host)).contains("id=\"pool-unfunded\"").doesNotContain("id=\"pool-awaiting\"")
                .doesNotContain("id=\"fund-competition\"");
    }

    private Competition hostWithPool(AccountPrincipal host, Instant start) {
        return hostWith(host, prizedForm(start, "70,30"), solutionCsv(20));
    }

    /** A day-long RMSE competition from {@code start} with a pool of 100 AIC split as {@code split}. */
    private static CompetitionForm prizedForm(Instant start, String split) {
        CompetitionForm form = new CompetitionForm();
        form.setTitle("Prized forecast " + System.nanoTime());
        form.setSlug("prized-" + System.nanoTime() % 1_000_000_000);
        form.setMetric("RMSE");
        form.setStartsAt(LocalDateTime.ofInstant(start, ZoneOffset.UTC));
        form.setEndsAt(LocalDateTime.ofInstant(start.plus(1, ChronoUnit.DAYS), ZoneOffset.UTC));
        form.setMergeDeadline(LocalDateTime.ofInstant(start.plus(12, ChronoUnit.HOURS), ZoneOffset.UTC));
        form.setSubmissionsPerDay(5);
        form.setMaxTeamSize(2);
        form.setPrizePoolAic(new BigDecimal("100"));
        form.setPrizeSplit(split);
        return form;
    }

    /** The host's wallet (dev account {@code account}) funds the prize pool with the page's steps; waits until the page shows it. */
    private void fundPrizePool(Competition c, AccountPrincipal host, int account) throws Exception {
        Map<?, ?> permit = json.readValue(step(c, "permit", host, Map.of("wallet", TestChain.address(account)), 200), Map.class);
        String signature = TestChain.signTypedData(account, (String) permit.get("typedData"));
        Map<?, ?> tx = json.readValue(step(c, "transaction", host,
                Map.of("deadline", permit.get("deadline").toString(), "signature", signature), 200), Map.class);
        assertThat(chain.send(account, (String) tx.get("to"), (String) tx.get("data")).isStatusOK()).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            chain.mine(1);
            return page(c, host).contains("id=\"pool-funded\"");
        });
    }

    private String trainingPoolStatus(long pool) {
        return jdbc.sql("SELECT status FROM training_pools WHERE id = ?").param(pool).query(String.class).single();
    }

    /** A new wallet's address: it only receives. */
    private static String freshWallet() throws Exception {
        return Credentials.create(Keys.createEcKeyPair()).getAddress();
    }

    private static BigInteger balanceOf(String wallet) throws Exception {
        return chain.token.balanceOf(wallet).send();
    }

    private static BigInteger aic(long whole) {
        return TestChain.AIC.multiply(BigInteger.valueOf(whole));
    }

    private String page(Competition c, AccountPrincipal who) throws Exception {
        return mvc.perform(get("/competitions/" + c.slug()).with(user(who))).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
    }

    private String step(Competition c, String step, AccountPrincipal who, Map<String, String> body, int expectedStatus) throws Exception {
        var response = mvc.perform(post("/competitions/" + c.slug() + "/funding/" + step).with(user(who)).with(csrf())
                        .contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(body)))
                .andReturn().getResponse();
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(expectedStatus);
        return response.getContentAsString(StandardCharsets.UTF_8);
    }
}
