package ai.aicrypto.plaza.bounty.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.chain.contracts.BountyEscrow;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.support.DenseWeights;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.MutableClock;
import ai.aicrypto.plaza.support.SklearnData;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.TestUsers;
import ai.aicrypto.plaza.support.WineModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.web3j.tx.gas.DefaultGasProvider;

/**
 * AI commissions end to end against a real chain (anvil, the real BountyEscrow and AssetRegistry) and PostgreSQL: the
 * requester posts a task with a hidden test set of real wines and escrows the bounty with their wallet; two developers'
 * wine models (of different quality) run on the hidden inputs and are scored, ranked, passing or failing the bar; each
 * developer offers their token with their wallet (approval, submitAsset) and the confirmed AssetSubmitted log makes it
 * acceptable; the requester accepts the best passing one: its token moves to the requester on-chain and in the plaza,
 * the developer is paid the bounty minus 2.5%, the treasury the fee, and nothing is left in the escrow. Logs of
 * strangers change nothing; bad input stores nothing; after the deadline a stranger's wallet returns the bounty.
 */
@Import(MutableClock.Config.class)
@TestPropertySource(properties = "plaza.bounty.commission-sweep-interval=1h") // the sweep runs when a test says
class CommissionTest extends IntegrationTest {

    private static final int REQUESTER = 1, GOOD_DEV = 2, WEAK_DEV = 3, OTHER_REQUESTER = 4, STRANGER = 5, TREASURY = 0;
    private static final BigInteger BOUNTY = TestChain.AIC.multiply(BigInteger.valueOf(100));
    private static final BigInteger FEE = BOUNTY.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BigInteger.valueOf(10_000));
    private static final int WINES = 178;
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
    Models models;
    @Autowired
    CommissionScoring scoring;
    @TempDir
    java.nio.file.Path tmp;

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
    void twoModelsAreScoredRankedAndTheBestPassingOneIsDeliveredAndPaid() throws Exception {
        AccountPrincipal requester = users.withWallet(REQUESTER);
        chain.fund(TestChain.address(REQUESTER), BOUNTY);
        AccountPrincipal goodDev = users.withWallet(GOOD_DEV), weakDev = users.withWallet(WEAK_DEV);
        String deadline = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).plusDays(3).toString();

        // Two wine networks; their accuracies on every wine, computed apart from the plaza, set a bar between them.
        WineModel first = WineModel.create(datasets, models, goodDev.id(), tmp, 1, true);
        long secondSeed = 2;
        while (Math.abs(accuracy(first.preprocessing(), secondSeed) - accuracy(first.preprocessing(), 1)) < 0.1) {
            secondSeed++;
        }
        boolean firstIsBetter = accuracy(first.preprocessing(), 1) > accuracy(first.preprocessing(), secondSeed);
        WineModel good = firstIsBetter ? first : WineModel.create(datasets, models, goodDev.id(), tmp, secondSeed, true);
        WineModel weak = WineModel.create(datasets, models, weakDev.id(), tmp, firstIsBetter ? secondSeed : 1, true);
        double goodAccuracy = accuracy(good), weakAccuracy = accuracy(weak);
        double bar = Math.floor((goodAccuracy + weakAccuracy) / 2 * 100) / 100;
        assertThat(bar).isGreaterThan(weakAccuracy).isLessThanOrEqualTo(goodAccuracy);
        awaitMinted(good.id(), GOOD_DEV);
        awaitMinted(weak.id(), WEAK_DEV);

        // Bad input: a message, and nothing stored.
        long before = count("bounties");
        assertThat(create(requester, "", testInputs(WINES), solution(WINES), deadline)).contains("Give the bar for ACCURACY as a number from 0 to 1");
        assertThat(create(requester, "1.5", testInputs(WINES), solution(WINES), deadline)).contains("as a number from 0 to 1");
        assertThat(create(requester, "0.5", testInputs(WINES - 1), solution(WINES), deadline))
                .contains("1 ids of the solution have no row in the test inputs");
        assertThat(create(requester, "0.5", testInputs(WINES) + testInputs(1).lines().skip(1).findFirst().orElseThrow() + "\n",
                solution(WINES), deadline)).contains("of the test inputs: the id").contains("already appeared on line 2");
        assertThat(create(requester, "0.5", testInputs(WINES), solution(WINES) + "w0,class_0\n", deadline))
                .contains("of the solution: the id").contains("Ids must be unique");
        assertThat(create(requester, "0.5", testInputs(WINES), null, deadline)).contains("Choose a file");
        assertThat(create(users.member(), "0.5", testInputs(WINES), solution(WINES), deadline))
                .contains("Link a wallet to your account first");
        assertThat(count("bounties")).isEqualTo(before);

        long id = created(create(requester, String.valueOf(bar), testInputs(WINES), solution(WINES), deadline));
        assertThat(page(id, requester)).contains("id=\"status-awaiting_funding\"").contains("id=\"commission-bar\"");
        assertThat(submitModel(id, goodDev, good.id())).contains("takes no submissions");
        fund(id, requester, REQUESTER);

        // Submissions: not a model of someone else, not to one's own request, nothing stored.
        assertThat(submitModel(id, weakDev, good.id())).contains("Choose one of your own models");
        assertThat(submitModel(id, requester, good.id())).contains("your own request");
        assertThat(submitModel(id, goodDev, Long.MAX_VALUE)).contains("Choose one of your own models");
        assertThat(submitModel(id, goodDev, 0)).contains("Give a valid id");
        assertThat(submissionsTo(id)).isZero();

        // A model whose inputs are not the test set's is answered at once, runs off the request and fails with the
        // reason, in the developer's language; the developer may then submit another model.
        WineModel cancer = WineModel.onTable(datasets, models, weakDev.id(), tmp, 7, true, "Cancer", SklearnData.breastCancerCsv(),
                "diagnosis");
        assertThat(submitModel(id, weakDev, cancer.id())).isEmpty();
        long failed = submissionOf(id, weakDev);
        awaitEnded(failed);
        assertThat(page(id, weakDev)).contains("Not scored: The test inputs lack 30 column(s) this model reads");
        assertThat(pageIn(id, weakDev, "ko")).contains("채점되지 않음: ");
        assertThat(jdbc.sql("SELECT score IS NULL AND status = 'FAILED' FROM commission_submissions WHERE id = ?").param(failed)
                .query(Boolean.class).single()).isTrue();
        assertThat(page(id, requester)).contains("model-submission-" + failed).doesNotContain("id=\"accept-" + failed + "\"");
        assertThat(postJson("/requests/" + id + "/models/" + failed + "/transactions", weakDev,
                Map.of("wallet", TestChain.address(WEAK_DEV)), 400).get("error").toString()).contains("not a submission of this request");

        // Each developer's model is recorded pending and answered at once, runs on the hidden inputs off the request
        // and is scored: exactly its accuracy. Once per developer.
        assertThat(submitModel(id, goodDev, good.id())).isEmpty();
        assertThat(submitModel(id, weakDev, weak.id())).isEmpty();
        assertThat(submitModel(id, weakDev, weak.id())).contains("submitted a model to this commission already");
        long goodSubmission = submissionOf(id, goodDev), weakSubmission = submissionOf(id, weakDev);
        assertThat(weakSubmission).isNotEqualTo(failed);
        assertThat(submissionsTo(id)).isEqualTo(2); // the failed run was replaced
        awaitEnded(goodSubmission);
        awaitEnded(weakSubmission);
        assertThat(jdbc.sql("SELECT score FROM commission_submissions WHERE id = ?").param(goodSubmission).query(Double.class).single())
                .isEqualTo(goodAccuracy);
        assertThat(jdbc.sql("SELECT score FROM commission_submissions WHERE id = ?").param(weakSubmission).query(Double.class).single())
                .isEqualTo(weakAccuracy);

        // The requester sees both ranked, the better first, with the verdict against the bar; each developer only theirs.
        String judged = page(id, requester);
        assertThat(judged.indexOf("model-submission-" + goodSubmission)).isPositive()
                .isLessThan(judged.indexOf("model-submission-" + weakSubmission));
        assertThat(judged).contains(score(goodAccuracy)).contains(score(weakAccuracy)).contains("Below the bar");
        assertThat(page(id, weakDev)).contains("model-submission-" + weakSubmission).doesNotContain("model-submission-" + goodSubmission);
        // Nobody sees the hidden test set: no page shows a wine's id or its measurements.
        assertThat(judged + page(id, goodDev)).doesNotContain("w17,").doesNotContain("class_0,");

        // Not acceptable before the developer offered the token on-chain, nor the one below the bar.
        assertThat(accept(id, goodSubmission, requester, 400)).contains("has not offered this model's token on-chain yet");
        assertThat(accept(id, weakSubmission, requester, 400)).contains("does not reach the bar");

        // Hostile logs: the developer offers the token to another requester's bounty under the same id, and a stranger
        // offers a token the plaza never scored: quarantined, and no submission becomes acceptable.
        long quarantined = count("chain_logs_quarantined");
        chain.fund(TestChain.address(OTHER_REQUESTER), BOUNTY);
        chain.tokenAs(OTHER_REQUESTER).approve(chain.bountyEscrow.getContractAddress(), BOUNTY).send();
        escrowAs(OTHER_REQUESTER).open(BigInteger.valueOf(id), BOUNTY, BigInteger.valueOf(chain.now() + 86_400)).send();
        escrowAs(GOOD_DEV).submitAsset(TestChain.address(OTHER_REQUESTER), BigInteger.valueOf(id), BigInteger.valueOf(good.id())).send();
        AccountPrincipal stranger = users.withWallet(STRANGER);
        chain.fundGas(TestChain.address(STRANGER));
        WineModel unscored = WineModel.create(datasets, models, stranger.id(), tmp, 11, true);
        awaitMinted(unscored.id(), STRANGER);
        escrowAs(STRANGER).submitAsset(TestChain.address(REQUESTER), BigInteger.valueOf(id), BigInteger.valueOf(unscored.id())).send();
        chain.mine(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> count("chain_logs_quarantined") >= quarantined + 3);
        assertThat(jdbc.sql("SELECT count(*) FROM commission_submissions WHERE submitted_tx IS NOT NULL").query(Long.class).single())
                .isZero();

        // The developers offer their tokens with their wallets: an approval of the escrow, then submitAsset.
        assertThat(postJson("/requests/" + id + "/models/" + goodSubmission + "/transactions", goodDev,
                Map.of("wallet", TestChain.address(REQUESTER)), 400).get("error").toString()).contains("not linked");
        assertThat(postJson("/requests/" + id + "/models/" + goodSubmission + "/transactions", weakDev,
                Map.of("wallet", TestChain.address(WEAK_DEV)), 400).get("error").toString()).contains("not a submission of this request");
        offer(id, goodSubmission, goodDev, GOOD_DEV);
        // A reorganisation that drops an offer makes the submission unacceptable again, until it is offered again.
        String beforeWeakOffer = chain.snapshot();
        offer(id, weakSubmission, weakDev, WEAK_DEV);
        chain.revert(beforeWeakOffer);
        chain.mine(5);
        await().atMost(Duration.ofSeconds(60)).until(() -> jdbc.sql(
                "SELECT submitted_tx IS NULL FROM commission_submissions WHERE id = ?").param(weakSubmission).query(Boolean.class).single());
        offer(id, weakSubmission, weakDev, WEAK_DEV);
        assertThat(postJson("/requests/" + id + "/models/" + goodSubmission + "/transactions", goodDev,
                Map.of("wallet", TestChain.address(GOOD_DEV)), 400).get("error").toString()).contains("offered to the commission already");
        assertThat(accept(id, weakSubmission, requester, 400)).contains("does not reach the bar");
        // The page offers the requester the passing, offered model alone; developers accept nothing.
        assertThat(page(id, requester)).contains("id=\"accept-" + goodSubmission + "\"").doesNotContain("id=\"accept-" + weakSubmission + "\"");
        assertThat(page(id, goodDev)).doesNotContain("id=\"accept-");
        // Accepting is the requester's alone: anyone else is told there is no such commission.
        assertThat(mvc.perform(post("/requests/" + id + "/submissions/" + goodSubmission + "/accept").with(user(goodDev)).with(csrf())
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON).content("{\"wallet\": \"" + TestChain.address(GOOD_DEV)
                        + "\"}")).andReturn().getResponse().getStatus()).isEqualTo(404);

        // The requester accepts the best passing one with their wallet: token delivered, developer paid, fee taken.
        BigInteger devBefore = chain.balance(GOOD_DEV), treasuryBefore = chain.balance(TREASURY);
        Map<?, ?> acceptance = postJson("/requests/" + id + "/submissions/" + goodSubmission + "/accept", requester,
                Map.of("wallet", TestChain.address(REQUESTER)), 200);
        assertThat(chain.send(REQUESTER, (String) acceptance.get("to"), (String) acceptance.get("data")).isStatusOK()).isTrue();
        chain.mine(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> page(id, requester).contains("id=\"status-accepted\""));
        assertThat(chain.registry.ownerOf(BigInteger.valueOf(good.id())).send()).isEqualToIgnoringCase(TestChain.address(REQUESTER));
        assertThat(chain.balance(GOOD_DEV)).isEqualTo(devBefore.add(BOUNTY).subtract(FEE));
        assertThat(chain.balance(TREASURY)).isEqualTo(treasuryBefore.add(FEE));
        assertThat(chain.token.balanceOf(chain.bountyEscrow.getContractAddress()).send()).isEqualTo(BOUNTY); // the other requester's alone
        assertThat(chain.bountyEscrow.bounty(TestChain.address(REQUESTER), BigInteger.valueOf(id)).send().status)
                .isEqualTo(BigInteger.TWO);
        // The plaza follows the Transfer: the model is the requester's; the developer's earnings show the bounty.
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql("SELECT owner_id FROM listings WHERE id = ?").param(good.id())
                .query(Long.class).single() == requester.id());
        assertThat(jdbc.sql("SELECT accepted_listing FROM bounties WHERE id = ?").param(id).query(Long.class).single()).isEqualTo(good.id());
        assertThat(earningsCsv(goodDev)).anySatisfy(row -> assertThat(row).contains(",BOUNTY," + good.id() + ",")
                .contains(",100,2.5,97.5,PAID,0x"));
        assertThat(jdbc.sql("SELECT creator_wallet FROM bounties WHERE id = ?").param(id).query(String.class).single())
                .isEqualToIgnoringCase(TestChain.address(GOOD_DEV));
        // Paid once.
        assertThat(accept(id, goodSubmission, requester, 400)).contains("accepted already");
    }

    /**
     * After a crash nothing waits forever: the sweep fails a run whose instance died (started long ago, never ended),
     * with the reason on the page, and runs a PENDING model nobody started.
     */
    @Test
    void theSweepFailsARunWhoseInstanceDiedAndRunsAModelNobodyStarted() throws Exception {
        AccountPrincipal requester = users.withWallet(OTHER_REQUESTER + 3), dead = users.member(), waiting = users.member();
        chain.fund(TestChain.address(OTHER_REQUESTER + 3), BOUNTY);
        long id = created(create(requester, "0.5", testInputs(WINES), solution(WINES),
                LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).plusDays(2).toString()));
        WineModel deadModel = WineModel.create(datasets, models, dead.id(), tmp, 21, true);
        WineModel waitingModel = WineModel.create(datasets, models, waiting.id(), tmp, 22, true);
        long stuck = jdbc.sql("""
                        INSERT INTO commission_submissions (bounty_id, creator_id, model_id, started_at)
                        VALUES (?, ?, ?, ?) RETURNING id""")
                .params(id, dead.id(), deadModel.id(), java.sql.Timestamp.from(clock.instant().minus(Duration.ofHours(1))))
                .query(Long.class).single();
        long unstarted = jdbc.sql("INSERT INTO commission_submissions (bounty_id, creator_id, model_id) VALUES (?, ?, ?) RETURNING id")
                .params(id, waiting.id(), waitingModel.id()).query(Long.class).single();
        assertThat(page(id, waiting)).contains("Waiting to run or running").contains("hx-trigger=\"every 3s\"");

        scoring.sweep();
        awaitEnded(unstarted);
        assertThat(jdbc.sql("SELECT status, failure FROM commission_submissions WHERE id = ?").param(stuck)
                .query((rs, n) -> rs.getString(1) + " " + rs.getString(2)).single()).isEqualTo("FAILED " + CommissionScoring.FAILED_STUCK);
        assertThat(page(id, dead)).contains("Not scored: The run was cut off");
        assertThat(jdbc.sql("SELECT score FROM commission_submissions WHERE id = ?").param(unstarted).query(Double.class).single())
                .isEqualTo(accuracy(waitingModel));
        assertThat(page(id, waiting)).contains(score(accuracy(waitingModel))).doesNotContain("hx-trigger=\"every 3s\"");
    }

    @Test
    void anUnacceptedCommissionsBountyGoesBackToTheRequesterAfterTheDeadlineByAStrangersWallet() throws Exception {
        AccountPrincipal requester = users.withWallet(OTHER_REQUESTER + 2);
        chain.fund(TestChain.address(OTHER_REQUESTER + 2), BOUNTY);
        long id = created(create(requester, "0.9", testInputs(20), solution(20),
                LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).plusDays(2).toString()));
        BigInteger before = chain.balance(OTHER_REQUESTER + 2);
        fund(id, requester, OTHER_REQUESTER + 2);
        assertThat(chain.balance(OTHER_REQUESTER + 2)).isEqualTo(before.subtract(BOUNTY));
        assertThat(postJson("/requests/" + id + "/refund", requester, Map.of(), 400).get("error").toString())
                .contains("only from the deadline on");

        Instant deadline = jdbc.sql("SELECT deadline FROM bounties WHERE id = ?").param(id).query(java.sql.Timestamp.class)
                .single().toInstant();
        chain.warp(deadline.getEpochSecond() - chain.now() + 5);
        clock.set(deadline.plusSeconds(10));
        Map<?, ?> refund = postJson("/requests/" + id + "/refund", requester, Map.of(), 200);
        chain.fundGas(TestChain.address(STRANGER));
        assertThat(chain.send(STRANGER, (String) refund.get("to"), (String) refund.get("data")).isStatusOK()).isTrue();
        chain.mine(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> page(id, requester).contains("id=\"status-refunded\""));
        assertThat(chain.balance(OTHER_REQUESTER + 2)).isEqualTo(before);
        assertThat(chain.bountyEscrow.bounty(TestChain.address(OTHER_REQUESTER + 2), BigInteger.valueOf(id)).send().amount)
                .isEqualTo(BOUNTY);
    }

    // ------------------------------------------------------------------ the hidden test set: real wines

    /** The first {@code rows} wines' measurements, each under the id w0, w1, ...: no cultivar. */
    private static String testInputs(int rows) {
        List<String> lines = SklearnData.wineCsv().lines().toList();
        StringBuilder csv = new StringBuilder("id,").append(lines.get(0), 0, lines.get(0).lastIndexOf(',')).append('\n');
        for (int i = 0; i < rows; i++) {
            String line = lines.get(1 + i);
            csv.append('w').append(i).append(',').append(line, 0, line.lastIndexOf(',')).append('\n');
        }
        return csv.toString();
    }

    /** The cultivar of every wine under its id. */
    private static String solution(int rows) {
        StringBuilder csv = new StringBuilder("id,cultivar\n");
        for (int i = 0; i < rows; i++) {
            csv.append('w').append(i).append(',').append(WineModel.cultivar(i)).append('\n');
        }
        return csv.toString();
    }

    private static double accuracy(WineModel model) {
        int right = 0;
        for (int i = 0; i < WINES; i++) {
            right += model.label(WineModel.record(i)).equals(WineModel.cultivar(i)) ? 1 : 0;
        }
        return (double) right / WINES;
    }

    private static double accuracy(ai.aicrypto.plaza.dataset.format.Preprocessing p, long seed) {
        return accuracy(new WineModel(0, null, p, new DenseWeights(seed, p.featureCount(), 32, 3)));
    }

    private static String score(double score) {
        return String.format(Locale.ROOT, "%.4f", score);
    }

    // ------------------------------------------------------------------ steps

    /** Posts the create form with its files; the redirect's location, or the form page with its messages. */
    private String create(AccountPrincipal who, String bar, String testInputs, String solution, String deadline) throws Exception {
        var form = multipart("/commissions/new")
                .file(new MockMultipartFile("testInputs", "test.csv", "text/csv", testInputs.getBytes(StandardCharsets.UTF_8)));
        if (solution != null) {
            form.file(new MockMultipartFile("solution", "solution.csv", "text/csv", solution.getBytes(StandardCharsets.UTF_8)));
        }
        form.param("title", "Wine cultivar classifier").param("description", "Tell the three cultivars apart")
                .param("metric", "ACCURACY").param("bar", bar).param("bountyAic", "100").param("deadline", deadline);
        MockHttpServletResponse r = mvc.perform(form.with(user(who)).with(csrf().asHeader())).andReturn().getResponse();
        return r.getRedirectedUrl() != null ? r.getRedirectedUrl() : r.getContentAsString(StandardCharsets.UTF_8);
    }

    private static long created(String location) {
        assertThat(location).matches("/requests/\\d+");
        return Long.parseLong(location.substring("/requests/".length()));
    }

    /** The permit and calldata from the plaza, signed and sent by the requester's wallet; waits for the confirmed log. */
    private void fund(long id, AccountPrincipal requester, int wallet) throws Exception {
        Map<?, ?> permit = postJson("/requests/" + id + "/funding/permit", requester, Map.of("wallet", TestChain.address(wallet)), 200);
        String signature = TestChain.signTypedData(wallet, (String) permit.get("typedData"));
        Map<?, ?> tx = postJson("/requests/" + id + "/funding/transaction", requester,
                Map.of("deadline", permit.get("deadline").toString(), "signature", signature), 200);
        assertThat(chain.send(wallet, (String) tx.get("to"), (String) tx.get("data")).isStatusOK()).isTrue();
        chain.mine(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> page(id, requester).contains("id=\"status-funded\""));
    }

    /** The developer's wallet sends the plaza's transactions in order; waits for the confirmed AssetSubmitted log. */
    private void offer(long id, long submission, AccountPrincipal developer, int wallet) throws Exception {
        Map<?, ?> steps = postJson("/requests/" + id + "/models/" + submission + "/transactions", developer,
                Map.of("wallet", TestChain.address(wallet)), 200);
        assertThat(steps.get("from")).isEqualTo(TestChain.address(wallet).toLowerCase(Locale.ROOT));
        List<?> calls = (List<?>) steps.get("calls");
        assertThat(calls).hasSize(2); // the escrow's approval for the token first
        for (Object call : calls) {
            Map<?, ?> c = (Map<?, ?>) call;
            assertThat(chain.send(wallet, (String) c.get("to"), (String) c.get("data")).isStatusOK()).isTrue();
        }
        chain.mine(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql("SELECT submitted_tx IS NOT NULL FROM commission_submissions WHERE id = ?")
                .param(submission).query(Boolean.class).single());
        assertThat(jdbc.sql("SELECT creator_wallet FROM commission_submissions WHERE id = ?").param(submission).query(String.class)
                .single()).isEqualToIgnoringCase(TestChain.address(wallet));
    }

    /** Submits a model: empty when it was recorded (a redirect), else the refusal page. */
    private String submitModel(long id, AccountPrincipal who, long model) throws Exception {
        var response = mvc.perform(post("/requests/" + id + "/models").param("modelId", String.valueOf(model))
                .with(user(who)).with(csrf())).andReturn().getResponse();
        return response.getStatus() == 302 ? "" : response.getContentAsString(StandardCharsets.UTF_8);
    }

    private String accept(long id, long submission, AccountPrincipal who, int expectedStatus) throws Exception {
        return String.valueOf(postJson("/requests/" + id + "/submissions/" + submission + "/accept", who,
                Map.of("wallet", TestChain.address(REQUESTER)), expectedStatus).get("error"));
    }

    /** Waits until the submission's run has ended, scored or failed. */
    private void awaitEnded(long submission) {
        await().atMost(Duration.ofSeconds(60)).until(() -> !jdbc.sql("SELECT status FROM commission_submissions WHERE id = ?")
                .param(submission).query(String.class).single().equals("PENDING"));
    }

    private long submissionsTo(long id) {
        return jdbc.sql("SELECT count(*) FROM commission_submissions WHERE bounty_id = ?").param(id).query(Long.class).single();
    }

    private long submissionOf(long id, AccountPrincipal developer) {
        return jdbc.sql("SELECT id FROM commission_submissions WHERE bounty_id = ? AND creator_id = ?").params(id, developer.id())
                .query(Long.class).single();
    }

    private void awaitMinted(long model, int wallet) {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions() // ownerOf reverts until the plaza mints the token
                .until(() -> chain.registry.ownerOf(BigInteger.valueOf(model)).send().equalsIgnoreCase(TestChain.address(wallet)));
    }

    private BountyEscrow escrowAs(int account) {
        return BountyEscrow.load(chain.bountyEscrow.getContractAddress(), chain.web3j, chain.transactions(account),
                new DefaultGasProvider());
    }

    private String page(long id, AccountPrincipal who) throws Exception {
        return mvc.perform(get("/requests/" + id).with(user(who))).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
    }

    private String pageIn(long id, AccountPrincipal who, String language) throws Exception {
        return mvc.perform(get("/requests/" + id).with(user(who)).header("Accept-Language", language)).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
    }
}
