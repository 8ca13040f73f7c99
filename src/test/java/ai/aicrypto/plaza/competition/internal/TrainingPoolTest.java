package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.chain.ChainLogQuarantine;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.support.DepositSteps;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.TestCompetitions;
import ai.aicrypto.plaza.support.WorkerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who pays a data competition's training, against a real chain (anvil), PostgreSQL and a real gpu-worker: the host
 * deposits a training pool (budget per submission x submissions covered) from their wallet as ONE JobEscrow deposit;
 * submissions open only once the chain confirmed it; each submission's job is paid from it to the GPU provider
 * (JobEscrow.release), the submitters pay nothing; a submission the pool cannot cover is refused with nothing stored,
 * what a job did not spend stays in the pool, and the rest goes back to the host when the competition ends. Strangers
 * can neither fund the pool nor take anything from it; a deposit the host sent by hand that does not fund it goes back.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TrainingPoolTest extends DataCompetitionTestSupport {

    private static final int TREASURY = 0, HOST = 2, PROVIDER = 3, OTHER_HOST = 4, STRANGER = 5;
    private static final BigInteger AIC = TestChain.AIC;
    private static final int WAIT_SECONDS = 600;
    private static TestChain chain;

    @DynamicPropertySource
    static void chain(DynamicPropertyRegistry registry) throws Exception {
        chain = TestChain.deployFor(registry);
        registry.add("plaza.market.pending-check-interval", () -> "300ms");
        registry.add("plaza.compute.escrow.settle-interval", () -> "300ms");
        registry.add("plaza.competition.training-poll", () -> "1h");
    }

    @LocalServerPort
    int port;
    @Autowired
    HostTools hostTools;
    @Autowired
    Datasets datasets;
    @Autowired
    GpuOffers offers;
    @Autowired
    ChainLogQuarantine quarantine;
    @Autowired
    JsonMapper json;
    @TempDir
    Path tmp;

    @Test
    void theHostsPoolPaysTheProviderForEachSubmissionAndTheRestGoesBackAtTheEnd() throws Exception {
        AccountPrincipal host = users.withWallet(HOST), provider = users.withWallet(PROVIDER), stranger = users.withWallet(STRANGER);
        chain.fund(TestChain.address(HOST), AIC.multiply(BigInteger.valueOf(20)));
        chain.fund(TestChain.address(STRANGER), AIC.multiply(BigInteger.valueOf(10)));
        long reference = WineSplit.upload(datasets, host.id(), tmp, "Wine training rows", WineSplit.training(UnaryOperator.identity()));
        Competition c = host(host, dataForm(reference, new BigDecimal("3"), 2));
        long firstId = poolOf(c);
        assertThat(jdbc.sql("SELECT count(*) FROM training_jobs WHERE id = ?").param(firstId).query(Long.class).single())
                .as("a pool's escrow id is never a job's").isZero();

        // Before the deposit: the host is asked for it, and a data submission is refused with nothing stored.
        assertThat(body("/competitions/" + c.slug(), host)).contains("id=\"training-pool-panel\"").contains("data-pool=\"" + firstId + "\"")
                .contains("Deposit 6 AIC with MetaMask").contains("awaiting the host&#39;s deposit");
        AccountPrincipal alice = joined(c), bob = joined(c), carol = joined(c);
        assertThat(body("/competitions/" + c.slug(), alice)).doesNotContain("id=\"training-pool-panel\"");
        long aliceData = WineSplit.upload(datasets, alice.id(), tmp, "Alice's wines", WineSplit.training(UnaryOperator.identity()));
        assertRefused(c, alice, aliceData, "pool.error.not-funded");
        String korean = mvc.perform(post("/competitions/" + c.slug() + "/submissions/data").with(user(alice)).with(csrf())
                .param("datasetId", Long.toString(aliceData)).locale(Locale.KOREAN)).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(korean).contains("주최자가 아직 학습 풀을 예치하지 않았습니다");
        assertNothingStoredFor(c, alice);

        // A stranger may not fund it: the steps say there is no such pool, and a deposit sent under its id is quarantined.
        step(firstId, "permit", stranger, Map.of("wallet", TestChain.address(STRANGER)), 404);
        step(firstId, "", stranger, Map.of("wallet", TestChain.address(STRANGER), "txHash", "0x" + "ab".repeat(32)), 404);
        chain.tokenAs(STRANGER).approve(chain.jobEscrow.getContractAddress(), AIC.multiply(BigInteger.valueOf(6))).send();
        String stray = chain.jobEscrowAs(STRANGER).deposit(BigInteger.valueOf(firstId), AIC.multiply(BigInteger.valueOf(6)),
                BigInteger.valueOf(3600)).send().getTransactionHash();
        await().atMost(Duration.ofSeconds(20)).until(() -> { chain.mine(1); return quarantine.recent(1_000).stream()
                .anyMatch(e -> e.txHash().equalsIgnoreCase(stray)); });
        assertThat(poolStatus(firstId)).isEqualTo("AWAITING_DEPOSIT");

        // The host's own deposit sent by hand, less than the pool: refused and sent back at once. The escrow takes one
        // deposit per wallet and id, ever, so the pool takes a new id, under which the host's wallet can still fund it.
        BigInteger hostAtStart = chain.balance(HOST);
        chain.tokenAs(HOST).approve(chain.jobEscrow.getContractAddress(), AIC.multiply(BigInteger.valueOf(2))).send();
        chain.jobEscrowAs(HOST).deposit(BigInteger.valueOf(firstId), AIC.multiply(BigInteger.valueOf(2)),
                BigInteger.valueOf(Duration.ofDays(30).toSeconds())).send();
        chain.automine(false); // the plaza's refund waits in the mempool while the refusal is looked at
        try {
            chain.mine(3);
            await().atMost(Duration.ofSeconds(20)).until(() -> "too-little".equals(jdbc.sql(
                    "SELECT reason FROM job_deposits WHERE job_id = ? AND status = 'REFUSED'").param(firstId).query(String.class)
                    .optional().orElse(null)));
            assertThat(poolOf(c)).as("a new escrow id").isNotEqualTo(firstId);
            assertThat(poolStatus(poolOf(c))).isEqualTo("AWAITING_DEPOSIT");
            assertThat(body("/competitions/" + c.slug(), host)).contains("id=\"training-pool-refused\"")
                    .contains("Your deposit was less than the pool").contains("data-pool=\"" + poolOf(c) + "\"");
            assertThat(body("/competitions/" + c.slug(), alice)).doesNotContain("training-pool-refused");
            step(firstId, "permit", host, Map.of("wallet", TestChain.address(HOST)), 404);
        } finally {
            chain.automine(true);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> { chain.mine(1); return jdbc.sql(
                "SELECT count(*) FROM job_deposits WHERE job_id = ? AND status = 'RETURNED' AND return_tx_hash IS NOT NULL")
                .param(firstId).query(Long.class).single() == 1; });
        assertThat(chain.balance(HOST)).as("all of it came back").isEqualTo(hostAtStart);
        assertThat(body("/competitions/" + c.slug(), host)).doesNotContain("training-pool-refused");
        long pool = poolOf(c);

        // The host deposits the whole pool with the wallet steps; it is funded from the confirmed log.
        BigInteger hostBefore = chain.balance(HOST), providerBefore = chain.balance(PROVIDER), treasuryBefore = chain.balance(TREASURY);
        deposit(pool, host, AIC.multiply(BigInteger.valueOf(6)));
        await().atMost(Duration.ofSeconds(20)).until(() -> { chain.mine(1); return poolStatus(pool).equals("FUNDED"); });
        assertThat(chain.balance(HOST)).isEqualTo(hostBefore.subtract(AIC.multiply(BigInteger.valueOf(6))));
        step(pool, "permit", host, Map.of("wallet", TestChain.address(HOST)), 400);
        assertThat(body("/competitions/" + c.slug(), alice)).contains("Training pool: 2 of 2 submissions left (6 AIC, 3 AIC each)");

        // Two submissions take the pool's two shares; the third is refused and nothing of it is stored.
        long bobData = WineSplit.upload(datasets, bob.id(), tmp, "Bob's wines", WineSplit.training(UnaryOperator.identity()));
        long carolData = WineSplit.upload(datasets, carol.id(), tmp, "Carol's wines", WineSplit.training(UnaryOperator.identity()));
        Submission aliceEntry = submissions.submitData(c, alice, aliceData, "");
        Submission bobEntry = submissions.submitData(c, bob, bobData, "");
        assertThat(jdbc.sql("SELECT count(*) FROM training_jobs WHERE escrow_job_id = ? AND status = 'QUEUED' AND budget_aic = 3")
                .param(pool).query(Long.class).single()).as("queued at once, each with the pool's budget").isEqualTo(2);
        assertRefused(c, carol, carolData, "pool.error.spent", 2, "6");
        assertNothingStoredFor(c, carol);
        assertThat(body("/competitions/" + c.slug(), carol)).contains("Training pool: 0 of 2 submissions left");

        // A real worker trains both; each job's cost is released from the host's deposit to the provider.
        GpuOffers.IssuedWorker worker = WorkerProcess.registerCpuOffer(offers, provider.id());
        try (WorkerProcess process = WorkerProcess.start("http://127.0.0.1:" + port, worker.token(), tmp.resolve("cache"), "--no-benchmark")) {
            trainAndScore(process, aliceEntry.id(), bobEntry.id());
            // What the jobs did not spend stayed in the pool: it covers another submission, which is trained the same way.
            assertThat(body("/competitions/" + c.slug(), carol)).contains("Training pool: 1 of 2 submissions left");
            Submission carolEntry = submissions.submitData(c, carol, carolData, "");
            trainAndScore(process, carolEntry.id());
        }
        assertThat(jdbc.sql("SELECT count(*) FROM chain_logs WHERE event = 'JobReleased'").query(Long.class).single()).isEqualTo(3);
        BigInteger paid = jdbc.sql("""
                        SELECT coalesce(sum(least(s.amount_aic, j.budget_aic)), 0) FROM settlements s JOIN training_jobs j ON j.id = s.job_id
                        WHERE j.escrow_job_id = ? AND s.kind = 'PAY_PROVIDER' AND s.state = 'DONE'""")
                .param(pool).query(BigDecimal.class).single().movePointRight(18).toBigIntegerExact();
        BigInteger fees = jdbc.sql("""
                        SELECT coalesce(sum(s.fee_wei), 0) FROM settlements s JOIN training_jobs j ON j.id = s.job_id
                        WHERE j.escrow_job_id = ? AND s.kind = 'PAY_PROVIDER'""")
                .param(pool).query(BigDecimal.class).single().toBigIntegerExact();
        assertThat(paid).as("the provider was paid for the training").isPositive();
        assertThat(chain.balance(PROVIDER)).isEqualTo(providerBefore.add(paid).subtract(fees));
        assertThat(chain.balance(TREASURY)).isEqualTo(treasuryBefore.add(fees));
        assertThat(jdbc.sql("SELECT count(*) FROM settlements WHERE kind = 'REFUND_REQUESTER' AND user_id IN (?, ?, ?)")
                .params(alice.id(), bob.id(), carol.id()).query(Long.class).single()).as("submitters paid nothing").isZero();
        assertThat(poolStatus(pool)).as("not refunded while the competition runs").isEqualTo("FUNDED");

        // The competition ends (closed early by its host): the rest of the pool goes back to the host's wallet.
        hostTools.close(competitions.bySlug(c.slug()), host, "enough data");
        await().atMost(Duration.ofSeconds(30)).until(() -> { chain.mine(1); return poolStatus(pool).equals("REFUNDED"); });
        assertThat(chain.balance(HOST)).isEqualTo(hostBefore.subtract(paid));
        assertThat(chain.jobEscrow.outstanding(TestChain.address(HOST), BigInteger.valueOf(pool)).send()).isZero();
        assertThat(body("/competitions/" + c.slug() + "?lang=ko", alice)).contains("남은 금액은 주최자에게 돌아갔습니다");
        assertThat(chain.jobEscrow.outstanding(TestChain.address(STRANGER), BigInteger.valueOf(firstId)).send())
                .as("the stranger's own deposit paid nothing and stays theirs to reclaim").isEqualTo(AIC.multiply(BigInteger.valueOf(6)));
    }

    @Test
    void aDataCompetitionOnChainNeedsAPoolItsDepositCanLast() {
        AccountPrincipal host = users.withWallet(OTHER_HOST);
        long reference;
        try {
            reference = WineSplit.upload(datasets, host.id(), tmp, "Wine rows", WineSplit.training(UnaryOperator.identity()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        assertHostingRefused(host, dataForm(reference, BigDecimal.ZERO, 2), "competition.error.training-budget");
        assertHostingRefused(host, dataForm(reference, BigDecimal.ONE, 0), "competition.error.training-submissions");
        assertHostingRefused(host, dataForm(reference, new BigDecimal("200000"), 10), "competition.error.training-budget");
        CompetitionForm tooLong = dataForm(reference, BigDecimal.ONE, 2);
        tooLong.setEndsAt(LocalDateTime.now(ZoneOffset.UTC).plusDays(200));
        assertHostingRefused(host, tooLong, "pool.error.too-long");
        assertThat(jdbc.sql("SELECT count(*) FROM competitions WHERE host_id = ?").param(host.id()).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM training_pools WHERE owner_id = ?").param(host.id()).query(Long.class).single()).isZero();
    }

    /** Runs the data competition's turns until the entries are scored (their jobs paid from the pool first). */
    private void trainAndScore(WorkerProcess process, long... entries) throws Exception {
        for (int i = 0; i < WAIT_SECONDS * 5 && !java.util.Arrays.stream(entries).allMatch(this::ended); i++) {
            data.advance();
            chain.mine(1);
            Thread.sleep(200);
        }
        for (long entry : entries) {
            assertThat(statusOf(entry)).as(process.log()).isEqualTo("SCORED");
        }
    }

    /** A data competition ending in three days, its pool covering {@code submissions} at {@code budget} each. */
    private static CompetitionForm dataForm(long reference, BigDecimal budget, int submissions) {
        CompetitionForm form = new CompetitionForm();
        form.setTitle("Best wine data");
        form.setSlug(TestCompetitions.slug("wine-pool"));
        form.setMetric("ACCURACY");
        form.setStartsAt(LocalDateTime.now(ZoneOffset.UTC).minusHours(1));
        form.setEndsAt(LocalDateTime.now(ZoneOffset.UTC).plusDays(3));
        form.setSubmissionsPerDay(5);
        form.setMaxTeamSize(2);
        form.setPrizeSplit("");
        form.setDatasetId(reference);
        form.setKind(CompetitionForm.DATA);
        form.setTemplateRecommendation("mlp");
        form.setHyperparameters("{\"epochs\": 5}");
        form.setTrainingMinutes(30);
        form.setTrainingBudgetAic(budget);
        form.setTrainingSubmissions(submissions);
        return form;
    }

    private Competition host(AccountPrincipal host, CompetitionForm form) {
        Path solution = CompetitionTestSupport.temp(WineSplit.solution());
        Path inputs = CompetitionTestSupport.temp(WineSplit.testInputs(UnaryOperator.identity()));
        try {
            return competitions.host(host, form, solution, inputs);
        } finally {
            CompetitionTestSupport.delete(solution);
            CompetitionTestSupport.delete(inputs);
        }
    }

    private void assertHostingRefused(AccountPrincipal host, CompetitionForm form, String key) {
        assertThatThrownBy(() -> host(host, form)).isInstanceOfSatisfying(UserFacingException.class,
                e -> assertThat(e.messageKey()).isEqualTo(key));
    }

    private void assertNothingStoredFor(Competition c, AccountPrincipal who) {
        assertThat(jdbc.sql("SELECT count(*) FROM submissions WHERE competition_id = ? AND submitter_id = ?").params(c.id(), who.id())
                .query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM training_jobs WHERE requester_id = ?").param(who.id()).query(Long.class).single()).isZero();
    }

    private void deposit(long pool, AccountPrincipal who, BigInteger expected) throws Exception {
        new DepositSteps(mvc, json, chain).deposit(DepositSteps.ofPool(pool), who, HOST, expected);
    }

    private String step(long pool, String step, AccountPrincipal who, Map<String, String> body, int expectedStatus) throws Exception {
        return new DepositSteps(mvc, json, chain).step(DepositSteps.ofPool(pool), step, who, body, expectedStatus);
    }

    private long poolOf(Competition c) {
        return jdbc.sql("SELECT training_pool_id FROM data_competitions WHERE competition_id = ?").param(c.id()).query(Long.class).single();
    }

    private String poolStatus(long pool) {
        return jdbc.sql("SELECT status FROM training_pools WHERE id = ?").param(pool).query(String.class).single();
    }
}
