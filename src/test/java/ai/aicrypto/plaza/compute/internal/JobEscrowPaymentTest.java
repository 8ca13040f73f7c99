package ai.aicrypto.plaza.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainLogQuarantine;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.compute.Settlement;
import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.IrisJob;
import ai.aicrypto.plaza.support.DepositSteps;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Training jobs paid through JobEscrow, against a real chain (anvil) and PostgreSQL: a job with a
 * budget waits for its deposit and is queued only from the confirmed JobFunded log; the recorded
 * settlement of a verified job pays the provider exactly (fee to the treasury, the rest back to the
 * requester), a failed one is refunded, both executed only from their confirmed logs; re-reading
 * the chain changes nothing and the provider's dashboard shows the payment as paid; a provider without a wallet is held until they link one; bad input is
 * refused with a message; a deposit never confirmed fails or expires and the job is cancelled; a
 * deposit short of the budget cancels the job and is refunded; a reorganisation that drops a deposit
 * puts the job back to waiting for it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JobEscrowPaymentTest extends IntegrationTest {

    private static final int TREASURY = 0, REQUESTER = 2, PROVIDER = 3, POOR = 4, LATE_PROVIDER = 5, STRANGER = 6;
    private static final BigInteger AIC = TestChain.AIC;
    private static final BigInteger BUDGET = AIC.multiply(BigInteger.TEN);
    private static TestChain chain;

    @DynamicPropertySource
    static void chain(DynamicPropertyRegistry registry) throws Exception {
        chain = TestChain.deployFor(registry);
        registry.add("plaza.market.pending-check-interval", () -> "300ms");
        registry.add("plaza.compute.escrow.settle-interval", () -> "300ms");
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
    GpuOffers offers;
    @Autowired
    TrainingJobs jobs;
    @Autowired
    Settlement settlement;
    @Autowired
    JobDeposits deposits;
    @Autowired
    EscrowSettlements executor;
    @Autowired
    Chain plazaChain;
    @Autowired
    JsonMapper json;
    @Autowired
    ChainLogQuarantine quarantine;

    AccountPrincipal requester, provider, poor, lateProvider, stranger;
    long dataset, model, offer;
    String workerToken;
    long paidJob;

    @BeforeAll
    void accountsDataAndAnOffer() throws Exception {
        requester = users.withWallet(REQUESTER);
        provider = users.withWallet(PROVIDER);
        poor = users.withWallet(POOR);
        lateProvider = users.member();
        stranger = users.member();
        chain.fund(TestChain.address(REQUESTER), BUDGET.multiply(BigInteger.valueOf(4)));
        dataset = IrisJob.dataset(datasets, requester.id());
        model = IrisJob.softmaxModel(models, requester.id());
        GpuOffers.IssuedWorker issued = offers.register(provider.id(), new GpuOffers.NewOffer("GPU " + System.nanoTime(),
                "RTX 4090", 24_576, new BigDecimal("1"), "kr-seoul"));
        offer = issued.offerId();
        workerToken = issued.token();
    }

    @Test
    @Order(1)
    void badInputIsRefusedWithAMessageAndLeavesNothing() throws Exception {
        long job = submit(requester);
        long poorJob = submit(poor);
        assertThat(step(job, "permit", requester, Map.of("wallet", TestChain.address(POOR)), 400)).contains("not linked");
        assertThat(step(poorJob, "permit", poor, Map.of("wallet", TestChain.address(POOR)), 400)).contains("0 AIC").contains("10 AIC");
        step(job, "permit", stranger, Map.of("wallet", TestChain.address(REQUESTER)), 404);
        assertThat(step(job, "transaction", requester, Map.of("deadline", "99999999999", "signature", "0x12"), 400)).contains("signature");
        assertThat(step(job, "transaction", requester, Map.of("deadline", "1000", "signature", "0x" + "ab".repeat(65)), 400))
                .contains("expired");
        assertThat(step(job, "", requester, Map.of("wallet", TestChain.address(REQUESTER), "txHash", "0xnothex"), 400)).isNotEmpty();
        assertThat(count("job_deposits")).isZero();
        assertThat(status(job)).isEqualTo("AWAITING_DEPOSIT");
        jobs.cancel(requester.id(), job);
        jobs.cancel(poor.id(), poorJob);
    }

    @Test
    @Order(2)
    void aJobAwaitingItsDepositIsNeverLeasedAndIsQueuedByTheConfirmedDeposit() throws Exception {
        paidJob = submit(requester);
        mvc.perform(post("/api/worker/v1/heartbeat").header("Authorization", "Bearer " + workerToken)
                .contentType(MediaType.APPLICATION_JSON).content("{\"engine\": \"cpu\", \"gpuMemoryMb\": 24576, \"cachedDatasets\": []}"));
        assertThat(lease()).isEqualTo(204);
        assertThat(mvc.perform(get("/jobs/" + paidJob).with(user(requester))).andReturn().getResponse().getContentAsString())
                .contains("id=\"deposit-job\"").contains("Deposit 10 AIC with MetaMask");
        BigInteger before = chain.balance(REQUESTER);

        String txHash = deposit(paidJob, requester, REQUESTER);

        assertThat(status(paidJob)).as("not before confirmations").isEqualTo("AWAITING_DEPOSIT");
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(paidJob).equals("QUEUED"));
        assertThat(jdbc.sql("SELECT status FROM job_deposits WHERE tx_hash = ?").param(txHash).query(String.class).single())
                .isEqualTo("CONFIRMED");
        assertThat(chain.balance(REQUESTER)).isEqualTo(before.subtract(BUDGET));
        assertThat(lease()).isEqualTo(200);
        // The lease is recorded on-chain: the escrow will pay this provider and no one else.
        await().atMost(Duration.ofSeconds(20)).until(() -> TestChain.address(PROVIDER).equalsIgnoreCase(
                plazaChain.escrowedJob(TestChain.address(REQUESTER).toLowerCase(), paidJob).provider()));
    }

    @Test
    @Order(3)
    void aVerifiedJobPaysTheProviderExactlyAndReturnsTheRest() throws Exception {
        BigInteger providerBefore = chain.balance(PROVIDER), requesterBefore = chain.balance(REQUESTER),
                treasuryBefore = chain.balance(TREASURY);
        BigInteger price = AIC.multiply(BigInteger.valueOf(4));
        settlement.payProvider(paidJob, provider.id(), new BigDecimal("4"), "verified");

        await().atMost(Duration.ofSeconds(20)).until(() -> chain.jobEscrow.job(TestChain.address(REQUESTER), BigInteger.valueOf(paidJob)).send().status.intValue() == 2);
        assertThat(executedAt(paidJob, "PAY_PROVIDER")).as("not before confirmations").isNull();
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> executedAt(paidJob, "PAY_PROVIDER") != null);

        BigInteger fee = price.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BigInteger.valueOf(10_000));
        assertThat(chain.balance(PROVIDER)).isEqualTo(providerBefore.add(price).subtract(fee));
        assertThat(chain.balance(TREASURY)).isEqualTo(treasuryBefore.add(fee));
        assertThat(chain.balance(REQUESTER)).isEqualTo(requesterBefore.add(BUDGET).subtract(price));
        // The Coin Payroll (issue 17): the payment net of JobSettled's fee, with its transaction.
        String tx = jdbc.sql("SELECT tx_hash FROM settlements WHERE job_id = ? AND kind = 'PAY_PROVIDER'").param(paidJob)
                .query(String.class).single().strip();
        assertThat(earningsCsv(provider)).anySatisfy(row -> assertThat(row).contains(",GPU_WORK,,job " + paidJob + ",4,0.1,3.9,PAID," + tx + ","));
    }

    @Test
    @Order(4)
    void readingTheChainAgainChangesNothing() throws Exception {
        var before = jdbc.sql("SELECT executed_at, tx_hash FROM settlements WHERE job_id = ?").param(paidJob).query().listOfRows();
        BigInteger providerBefore = chain.balance(PROVIDER);
        long head = chain.head();
        jdbc.sql("UPDATE chain_cursors SET next_block = ?, last_block_hash = NULL").param(chain.deployedAtBlock).update();
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.sql("SELECT next_block FROM chain_cursors").query(Long.class).single() >= head);
        executor.execute();
        assertThat(jdbc.sql("SELECT executed_at, tx_hash FROM settlements WHERE job_id = ?").param(paidJob).query().listOfRows())
                .isEqualTo(before);
        assertThat(jdbc.sql("SELECT count(*) FROM chain_logs WHERE event = 'JobSettled'").query(Long.class).single()).isEqualTo(1);
        assertThat(chain.balance(PROVIDER)).isEqualTo(providerBefore);
        assertThat(status(paidJob)).isEqualTo("LEASED");

        // The worker finished: the provider's dashboard shows the executed settlement as paid.
        jdbc.sql("UPDATE training_jobs SET status = 'SUCCEEDED', worker_id = NULL, lease_expires_at = NULL WHERE id = ?")
                .param(paidJob).update();
        assertThat(mvc.perform(get("/dashboard/provider").with(user(provider))).andReturn().getResponse().getContentAsString())
                .containsPattern("class=\"earned\">4 AIC<").containsPattern("class=\"paid\">4 AIC<");
    }

    @Test
    @Order(5)
    void aFailedJobIsRefundedInFull() throws Exception {
        long job = submit(requester);
        deposit(job, requester, REQUESTER);
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(job).equals("QUEUED"));
        BigInteger before = chain.balance(REQUESTER);
        settlement.refundRequester(job, requester.id(), "failed");
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> { chain.mine(1); return executedAt(job, "REFUND_REQUESTER") != null; });
        assertThat(chain.balance(REQUESTER)).isEqualTo(before.add(BUDGET));
    }

    @Test
    @Order(6)
    void aProviderWithoutAWalletIsHeldUntilTheyLinkOne() throws Exception {
        long job = submit(requester);
        deposit(job, requester, REQUESTER);
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(job).equals("QUEUED"));
        settlement.payProvider(job, lateProvider.id(), new BigDecimal("2"), "verified");
        executor.execute();
        assertThat(plazaChain.escrowedJob(TestChain.address(REQUESTER).toLowerCase(), job).status()).isEqualTo(Chain.EscrowStatus.FUNDED);
        assertThat(executedAt(job, "PAY_PROVIDER")).isNull();

        BigInteger before = chain.balance(LATE_PROVIDER);
        accounts.linkWalletTrusted(lateProvider.id(), TestChain.address(LATE_PROVIDER));
        await().atMost(Duration.ofSeconds(20)).until(() -> { chain.mine(1); return executedAt(job, "PAY_PROVIDER") != null; });
        BigInteger price = AIC.multiply(BigInteger.TWO);
        BigInteger fee = price.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BigInteger.valueOf(10_000));
        assertThat(chain.balance(LATE_PROVIDER)).isEqualTo(before.add(price).subtract(fee));
    }

    @Test
    @Order(7)
    void aDepositNeverConfirmedFailsOrExpiresAndTheJobIsCancelled() throws Exception {
        long job = submit(requester);
        // A deposit without permit or allowance: the escrow's transferFrom reverts.
        String data = chain.jobEscrow.deposit(BigInteger.valueOf(job), BUDGET, BigInteger.valueOf(3600)).encodeFunctionCall();
        var receipt = chain.send(POOR, chain.jobEscrow.getContractAddress(), data);
        assertThat(receipt.isStatusOK()).isFalse();
        step(job, "", poor, Map.of("wallet", TestChain.address(POOR), "txHash", receipt.getTransactionHash()), 404);
        step(job, "", requester, Map.of("wallet", TestChain.address(REQUESTER), "txHash", receipt.getTransactionHash()), 200);
        await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(jdbc.sql("SELECT status FROM job_deposits WHERE tx_hash = ?")
                .param(receipt.getTransactionHash()).query(String.class).single()));
        assertThat(mvc.perform(get("/jobs/" + job + "/panel").with(user(requester))).andReturn().getResponse().getContentAsString())
                .contains("id=\"deposit-failed\"").contains("id=\"deposit-job\"");

        jdbc.sql("UPDATE training_jobs SET created_at = now() - interval '1 day' WHERE id = ?").param(job).update();
        deposits.settleStaleDeposits();
        assertThat(status(job)).isEqualTo("CANCELLED");
        assertThat(jdbc.sql("SELECT failure_reason FROM training_jobs WHERE id = ?").param(job).query(String.class).single())
                .contains("No deposit was confirmed");
    }

    @Test
    @Order(8)
    void aDepositShortOfTheBudgetCancelsTheJobAndIsRefunded() throws Exception {
        long job = submit(requester);
        BigInteger before = chain.balance(REQUESTER);
        chain.tokenAs(REQUESTER).approve(chain.jobEscrow.getContractAddress(), AIC).send();
        assertThat(chain.jobEscrowAs(REQUESTER).deposit(BigInteger.valueOf(job), AIC, BigInteger.valueOf(3600)).send().isStatusOK()).isTrue();
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(job).equals("CANCELLED"));
        assertThat(jdbc.sql("SELECT failure_reason FROM training_jobs WHERE id = ?").param(job).query(String.class).single())
                .contains("less than the budget");
        await().atMost(Duration.ofSeconds(20)).until(() -> { chain.mine(1); return executedAt(job, "REFUND_REQUESTER") != null; });
        assertThat(chain.balance(REQUESTER)).isEqualTo(before);
    }

    @Test
    @Order(9)
    void aReorganisationThatDropsTheDepositPutsTheJobBackToWaiting() throws Exception {
        long job = submit(requester);
        String snapshot = chain.snapshot();
        String txHash = deposit(job, requester, REQUESTER);
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(job).equals("QUEUED"));

        chain.revert(snapshot);
        chain.mine(5);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(job).equals("AWAITING_DEPOSIT"));
        assertThat(jdbc.sql("SELECT status FROM job_deposits WHERE tx_hash = ?").param(txHash).query(String.class).single())
                .isEqualTo("PENDING");
        assertThat(plazaChain.escrowedJob(TestChain.address(REQUESTER).toLowerCase(), job).status()).isEqualTo(Chain.EscrowStatus.NONE);
    }

    @Test
    @Order(10)
    void aStrangersDepositUnderMyJobIdChangesNothingAndMyDepositStillQueuesIt() throws Exception {
        long job = submit(requester);
        chain.fund(TestChain.address(STRANGER), AIC);
        chain.tokenAs(STRANGER).approve(chain.jobEscrow.getContractAddress(), AIC).send();
        // A front-run of the victim's deposit: 1 AIC under the victim's job id, from a wallet no member owns.
        var squat = chain.jobEscrowAs(STRANGER).deposit(BigInteger.valueOf(job), AIC, BigInteger.valueOf(3600)).send();
        assertThat(squat.isStatusOK()).isTrue();
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> quarantined(squat.getTransactionHash()));
        assertThat(status(job)).isEqualTo("AWAITING_DEPOSIT");

        deposit(job, requester, REQUESTER);
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(job).equals("QUEUED"));
        assertThat(plazaChain.escrowedJob(TestChain.address(REQUESTER).toLowerCase(), job).budget()).isEqualTo(BUDGET);
        assertThat(plazaChain.escrowedJob(TestChain.address(STRANGER).toLowerCase(), job).budget()).isEqualTo(AIC);
        jobs.cancel(requester.id(), job); // refunds the requester's own deposit, not the stranger's
        await().atMost(Duration.ofSeconds(20)).until(() -> { chain.mine(1); return executedAt(job, "REFUND_REQUESTER") != null; });
        assertThat(plazaChain.escrowedJob(TestChain.address(STRANGER).toLowerCase(), job).status())
                .isEqualTo(Chain.EscrowStatus.FUNDED);
    }

    @Test
    @Order(11)
    void aDepositReclaimableTooSoonIsRefusedAndRefunded() throws Exception {
        long job = submit(requester);
        BigInteger before = chain.balance(REQUESTER);
        chain.tokenAs(REQUESTER).approve(chain.jobEscrow.getContractAddress(), BUDGET).send();
        // The whole budget, but reclaimable after an hour instead of the plaza's 7 days.
        assertThat(chain.jobEscrowAs(REQUESTER).deposit(BigInteger.valueOf(job), BUDGET, BigInteger.valueOf(3600)).send()
                .isStatusOK()).isTrue();
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(job).equals("CANCELLED"));
        assertThat(jdbc.sql("SELECT failure_reason FROM training_jobs WHERE id = ?").param(job).query(String.class).single())
                .contains("could be reclaimed from");
        await().atMost(Duration.ofSeconds(20)).until(() -> { chain.mine(1); return executedAt(job, "REFUND_REQUESTER") != null; });
        assertThat(chain.balance(REQUESTER)).isEqualTo(before);
    }

    @Test
    @Order(12)
    void fiftyHeldSettlementsDoNotStopTheNextPayment() throws Exception {
        AccountPrincipal walletless = users.member();
        BigInteger small = AIC;
        chain.fund(TestChain.address(REQUESTER), small.multiply(BigInteger.valueOf(50)));
        chain.tokenAs(REQUESTER).approve(chain.jobEscrow.getContractAddress(), small.multiply(BigInteger.valueOf(50))).send();
        List<Long> held = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            long id = jobs.submit(new TrainingJobs.JobRequest(requester.id(), dataset, model, "{\"epochs\": 1}", 0, offer, BigDecimal.ONE));
            assertThat(chain.jobEscrowAs(REQUESTER).deposit(BigInteger.valueOf(id), small, BigInteger.valueOf(8 * 86_400L)).send()
                    .isStatusOK()).isTrue();
            held.add(id);
        }
        chain.mine(2);
        await().atMost(Duration.ofSeconds(60)).until(() -> held.stream().allMatch(id -> status(id).equals("QUEUED")));
        // 50 funded jobs done by a provider without a wallet: their payments are held, oldest first.
        for (long id : held) {
            settlement.payProvider(id, walletless.id(), new BigDecimal("0.5"), "verified");
        }
        executor.execute();
        assertThat(jdbc.sql("SELECT count(*) FROM settlements WHERE user_id = ? AND state = 'HELD_NO_WALLET'").param(walletless.id())
                .query(Long.class).single()).isEqualTo(50);

        long job = submit(requester);
        deposit(job, requester, REQUESTER);
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(job).equals("QUEUED"));
        BigInteger before = chain.balance(PROVIDER);
        settlement.payProvider(job, provider.id(), new BigDecimal("3"), "verified");
        executor.execute(); // assigns the job to the provider on-chain; a later round settles it
        await().atMost(Duration.ofSeconds(20)).until(() -> { chain.mine(1); return executedAt(job, "PAY_PROVIDER") != null; });
        BigInteger price = AIC.multiply(BigInteger.valueOf(3));
        BigInteger fee = price.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BigInteger.valueOf(10_000));
        assertThat(chain.balance(PROVIDER)).isEqualTo(before.add(price).subtract(fee));

        // Linking a wallet makes the held payments due again, and they are paid.
        accounts.linkWalletTrusted(walletless.id(), TestChain.address(1));
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            chain.mine(1);
            return jdbc.sql("SELECT count(*) FROM settlements WHERE user_id = ? AND state = 'DONE'").param(walletless.id())
                    .query(Long.class).single() == 50;
        });
    }

    @Test
    @Order(13)
    void aReclaimedEscrowCancelsTheJobAtOnceAndWithholdsNothingItShouldNot() throws Exception {
        long job = submit(requester);
        deposit(job, requester, REQUESTER);
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(job).equals("QUEUED"));
        mvc.perform(post("/api/worker/v1/heartbeat").header("Authorization", "Bearer " + workerToken)
                .contentType(MediaType.APPLICATION_JSON).content("{\"engine\": \"cpu\", \"gpuMemoryMb\": 24576, \"cachedDatasets\": []}"));
        jdbc.sql("UPDATE training_jobs SET status = 'CANCELLED' WHERE status = 'QUEUED' AND id <> ?").param(job).update();
        assertThat(lease()).isEqualTo(200);
        assertThat(status(job)).isEqualTo("LEASED");
        BigInteger before = chain.balance(REQUESTER);
        chain.warp(8 * 86_400L);
        try {
            assertThat(chain.jobEscrowAs(REQUESTER).reclaim(BigInteger.valueOf(job)).send().isStatusOK()).isTrue();
            chain.mine(2);
        } finally {
            chain.resetClock();
        }
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(job).equals("CANCELLED"));
        assertThat(jdbc.sql("SELECT failure_reason FROM training_jobs WHERE id = ?").param(job).query(String.class).single())
                .contains("reclaimed");
        // The lease is revoked: the worker's next call about the job is refused.
        assertThat(mvc.perform(post("/api/worker/v1/jobs/" + job + "/renew").header("Authorization", "Bearer " + workerToken))
                .andReturn().getResponse().getStatus()).isEqualTo(409);
        assertThat(chain.balance(REQUESTER)).isEqualTo(before.add(BUDGET));
        // A verdict recorded later finds nothing to pay: the settlement is abandoned, not sent.
        settlement.payProvider(job, provider.id(), BigDecimal.ONE, "late verdict");
        executor.execute();
        assertThat(plazaChain.escrowedJob(TestChain.address(REQUESTER).toLowerCase(), job).status())
                .isEqualTo(Chain.EscrowStatus.RECLAIMED);
        assertThat(executedAt(job, "PAY_PROVIDER")).isNull();
    }

    @Test
    @Order(14)
    void aVerifiedResultIsHandedOverOnlyOncePaidAndWithheldAgainWhenAReorganisationDropsThePayment() throws Exception {
        chain.fund(TestChain.address(REQUESTER), BUDGET);
        long job = submit(requester);
        deposit(job, requester, REQUESTER);
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(job).equals("QUEUED"));
        jdbc.sql("UPDATE training_jobs SET status = 'CANCELLED' WHERE status = 'QUEUED' AND id <> ?").param(job).update();
        assertThat(lease()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> TestChain.address(PROVIDER).equalsIgnoreCase(
                plazaChain.escrowedJob(TestChain.address(REQUESTER).toLowerCase(), job).provider()));
        long worker = jdbc.sql("SELECT worker_id FROM training_jobs WHERE id = ?").param(job).query(Long.class).single();

        // Verified: what JobResults does with a result that passed verification.
        queue.finish(worker, job, JobStatus.SUCCEEDED, "{}", null);
        assertThat(status(job)).isEqualTo("SETTLING");
        Path weights = Files.createTempFile("trained", ".safetensors");
        byte[] header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}".getBytes(StandardCharsets.UTF_8);
        Files.write(weights, java.nio.ByteBuffer.allocate(16 + header.length).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).putFloat(1.5f).putFloat(-2f).array());
        long trained = models.createWithheld(requester.id(), new ModelUpload(new ClassPathResource(
                "model-card/examples/tabular-softmax-regression.json").getContentAsString(StandardCharsets.UTF_8), List.of(), weights));
        Files.delete(weights);
        jdbc.sql("""
                        INSERT INTO training_records (job_id, worker_id, offer_id, base_model_id, dataset_id, trained_model_id)
                        VALUES (?, ?, ?, ?, ?, ?)""").params(job, worker, offer, model, dataset, trained).update();
        BigInteger providerBefore = chain.balance(PROVIDER);
        String beforePayment = chain.snapshot();
        jdbc.sql("""
                        INSERT INTO job_results (job_id, attempt, worker_id, weights_key, weights_bytes, wrapped_data_key,
                                                 verified_loss, verified_accuracy, verdict)
                        VALUES (?, 1, ?, 'k', 1, '\\x00', 0.5, 0.9, 'VERIFIED')""").params(job, worker).update();
        settlement.payProvider(job, provider.id(), new BigDecimal("2"), "verified");
        assertThat(mvc.perform(get("/jobs/" + job).with(user(requester))).andReturn().getResponse().getContentAsString())
                .contains("Verified, awaiting the provider&#39;s payment on-chain").contains("id=\"awaiting-settlement\"")
                .contains("payment of 2 AIC").doesNotContain("id=\"cancel-form\"");
        await().atMost(Duration.ofSeconds(20)).until(() -> { chain.mine(1); return status(job).equals("SUCCEEDED"); });
        assertThat(withheld(trained)).isFalse();

        // The block with the payment is dropped: the weights are withheld again until it is mined anew.
        chain.revert(beforePayment);
        chain.mine(5);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(job).equals("SETTLING"));
        assertThat(withheld(trained)).isTrue();
        // The Coin Payroll follows: the payment is pending again, its fee the one JobEscrow would take now.
        assertThat(earningsCsv(provider)).anySatisfy(row -> assertThat(row).contains("job " + job + ",2,0.05,1.95,PENDING,,,"));
        await().atMost(Duration.ofSeconds(30)).until(() -> { chain.mine(1); return status(job).equals("SUCCEEDED"); });
        assertThat(withheld(trained)).isFalse();
        assertThat(earningsCsv(provider)).anySatisfy(row -> assertThat(row).contains("job " + job + ",2,0.05,1.95,PAID,0x"));
        BigInteger price = AIC.multiply(BigInteger.TWO);
        BigInteger fee = price.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BigInteger.valueOf(10_000));
        assertThat(chain.balance(PROVIDER)).as("paid once").isEqualTo(providerBefore.add(price).subtract(fee));
        assertThat(jdbc.sql("SELECT count(*) FROM settlements WHERE job_id = ? AND kind = 'PAY_PROVIDER' AND state = 'DONE'")
                .param(job).query(Long.class).single()).isEqualTo(1);
    }

    /**
     * Review L2: another member reports my deposit's hash as the deposit of their own job before I do. The chain's log
     * decides whose it is: my report is taken, my job is queued with the deposit under my job and wallet, and theirs
     * still waits for a deposit.
     */
    @Test
    @Order(15)
    void anotherMembersReportOfMyDepositsHashGivesThemNothingAndStopsNothing() throws Exception {
        long job = submit(requester);
        long theirs = submit(poor);
        String hash = new DepositSteps(mvc, json, chain).send(DepositSteps.ofJob(job), requester, REQUESTER, BUDGET);
        step(theirs, "", poor, Map.of("wallet", TestChain.address(POOR), "txHash", hash), 200);
        step(job, "", requester, Map.of("wallet", TestChain.address(REQUESTER), "txHash", hash), 200);
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(job).equals("QUEUED"));
        assertThat(jdbc.sql("SELECT job_id || ' ' || wallet || ' ' || status FROM job_deposits WHERE tx_hash = ?").param(hash)
                .query(String.class).single()).isEqualTo(job + " " + TestChain.address(REQUESTER).toLowerCase() + " CONFIRMED");
        assertThat(status(theirs)).isEqualTo("AWAITING_DEPOSIT");
        assertThat(deposits.latest(theirs)).isEmpty();
        // Once the chain has decided, the same report is refused with a message.
        assertThat(step(theirs, "", poor, Map.of("wallet", TestChain.address(POOR), "txHash", hash), 400)).isNotEmpty();
        jobs.cancel(requester.id(), job);
        jobs.cancel(poor.id(), theirs);
    }

    @Autowired
    JobQueue queue;

    private boolean withheld(long model) {
        return jdbc.sql("SELECT withheld FROM models WHERE listing_id = ?").param(model).query(Boolean.class).single();
    }

    private boolean quarantined(String txHash) {
        return quarantine.recent(1_000).stream().anyMatch(e -> e.txHash().equalsIgnoreCase(txHash));
    }


    private long submit(AccountPrincipal who) {
        return jobs.submit(new TrainingJobs.JobRequest(who.id(), dataset, model, "{\"epochs\": 1}", 0, offer, BigDecimal.TEN));
    }

    private String deposit(long job, AccountPrincipal who, int account) throws Exception {
        return new DepositSteps(mvc, json, chain).deposit(DepositSteps.ofJob(job), who, account, BUDGET);
    }

    private String step(long job, String step, AccountPrincipal who, Map<String, String> body, int expectedStatus) throws Exception {
        return new DepositSteps(mvc, json, chain).step(DepositSteps.ofJob(job), step, who, body, expectedStatus);
    }

    private int lease() throws Exception {
        return mvc.perform(post("/api/worker/v1/lease").header("Authorization", "Bearer " + workerToken)).andReturn().getResponse().getStatus();
    }

    private String status(long job) {
        return jdbc.sql("SELECT status FROM training_jobs WHERE id = ?").param(job).query(String.class).single();
    }

    private Object executedAt(long job, String kind) {
        return jdbc.sql("SELECT executed_at FROM settlements WHERE job_id = ? AND kind = ?").params(job, kind)
                .query((rs, n) -> rs.getObject(1)).optional().orElse(null);
    }

}
