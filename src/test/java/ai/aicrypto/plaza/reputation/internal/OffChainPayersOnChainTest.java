package ai.aicrypto.plaza.reputation.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.chain.contracts.UsageCredit;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.compute.TrainingRecords;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.support.DepositSteps;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.IrisJob;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The uses paid off the license market carry the wallet that paid them: two members train on the owner's dataset and
 * base model, each job paid by a JobEscrow deposit through the browser's steps on anvil, and call the owner's model
 * from their credit. One member's wallet the owner funded in AIC: their job's uses of the owner's listings and their
 * calls count zero as a funding link (the provider's GPU work they paid counts: the provider is unrelated); the honest
 * member's all count, though the owner once paid her through the UsageCredit escrow. A job of hers that the owner's
 * training pool paid names no paying wallet: the host sponsored it, which is no shared wallet.
 */
class OffChainPayersOnChainTest extends IntegrationTest {

    private static final int OWNER = 1, HONEST = 2, TIED = 3, PROVIDER = 4;
    private static final BigInteger BUDGET = TestChain.AIC.multiply(BigInteger.TEN);
    private static final Instant GENESIS = Instant.now().minus(Duration.ofMinutes(5));
    private static TestChain chain;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        chain = RewardFixtures.hourlyEpochsOnChain(registry, GENESIS, "1000");
    }

    @Autowired
    TestUsers users;
    @Autowired
    Datasets datasets;
    @Autowired
    Models models;
    @Autowired
    GpuOffers offers;
    @Autowired
    TrainingJobs jobs;
    @Autowired
    TrainingRecords records;
    @Autowired
    RewardEpochs epochs;
    @Autowired
    JsonMapper json;

    @Test
    void jobsAndCallsPaidFromAWalletTheOwnerFundedCountZeroAndHonestOnesCount() throws Exception {
        AccountPrincipal owner = users.withWallet(OWNER), honest = users.withWallet(HONEST), tied = users.withWallet(TIED),
                provider = users.withWallet(PROVIDER);
        for (int wallet : new int[] {OWNER, HONEST}) {
            chain.fund(TestChain.address(wallet), BUDGET.multiply(BigInteger.TWO));
        }
        chain.tokenAs(OWNER).transfer(TestChain.address(TIED), BUDGET).send();
        // The owner called a model of the honest member's before, paid from credit: UsageCredit, not the owner, sent her the
        // AIC, and the escrow links nobody (else the owner, its depositor, would have funded her).
        chain.tokenAs(OWNER).approve(chain.usageCredit.getContractAddress(), TestChain.AIC).send();
        chain.usageCreditAs(OWNER).deposit(TestChain.AIC).send();
        chain.usageCreditAs(TestChain.ESCROW_OPERATOR).settle(BigInteger.valueOf(424_242), List.of(new UsageCredit.Entry(
                TestChain.address(OWNER), TestChain.address(HONEST), TestChain.AIC))).send();
        long dataset = dataset(owner), model = IrisJob.softmaxModel(models, owner.id());
        long offer = offers.register(provider.id(), new GpuOffers.NewOffer("GPU " + System.nanoTime(), "RTX 4090", 24_576,
                BigDecimal.ONE, "kr-seoul")).offerId();

        long honestJob = paidJob(honest, HONEST, dataset, model, offer), tiedJob = paidJob(tied, TIED, dataset, model, offer);
        long sponsoredJob = poolJob(owner, honest, dataset, model, offer);
        called(model, owner, honest, HONEST);
        called(model, owner, tied, TIED);

        Instant now = Instant.now();
        assertThat(records.verifiedBetween(now.minus(Duration.ofHours(1)), now.plusSeconds(60)))
                .as("each job names the wallet its confirmed deposit came from")
                .extracting(t -> t.jobId() + " " + t.payingWallet())
                .containsExactly(honestJob + " " + wallet(HONEST), tiedJob + " " + wallet(TIED), sponsoredJob + " null");
        assertThat(models.licenseeCallsBetween(now.minus(Duration.ofHours(1)), now.plusSeconds(60)))
                .extracting(c -> c.callerId() + " " + c.payingWallet())
                .containsExactlyInAnyOrder(honest.id() + " " + wallet(HONEST), tied.id() + " " + wallet(TIED));

        assertThat(epochs.closeEndedBy(GENESIS.plus(Duration.ofHours(1)).plusSeconds(1))).isEqualTo(1);

        assertThat(rulesOf(tied)).containsExactly("TRAINING_DATA FUNDING_LINK", "BASE_MODEL FUNDING_LINK", "GPU_WORK 1000",
                "LICENSEE_CALLS FUNDING_LINK");
        assertThat(rulesOf(honest)).as("the job the owner's pool paid names no wallet: no shared wallet, but a repeat use")
                .containsExactly("TRAINING_DATA 1000", "BASE_MODEL 1000", "GPU_WORK 1000", "TRAINING_DATA REPEAT_USE",
                        "BASE_MODEL REPEAT_USE", "GPU_WORK REPEAT_USE", "LICENSEE_CALLS 500");
        assertThat(jdbc.sql("SELECT contribution_type || ' ' || contribution_id || ' ' || score FROM contribution_scores")
                .query(String.class).list())
                .containsExactlyInAnyOrder("LISTING " + dataset + " 1000", "LISTING " + model + " 1500", "GPU_OFFER " + offer + " 2000");
        assertThat(jdbc.sql("SELECT uses FROM reward_exclusions WHERE user_id = ?").param(owner.id()).query(Integer.class).list())
                .as("the owner funded the member who paid").containsExactly(3);
    }

    private long dataset(AccountPrincipal owner) throws Exception {
        return IrisJob.dataset(datasets, owner.id());
    }

    /**
     * A job of the member's on the owner's dataset and model, deposited from their wallet and confirmed on-chain, then
     * verified (its training record, as JobResults writes it; the verification has tests of its own).
     */
    private long paidJob(AccountPrincipal member, int wallet, long dataset, long model, long offer) throws Exception {
        long job = jobs.submit(new TrainingJobs.JobRequest(member.id(), dataset, model, "{\"epochs\": 1}", 0, offer, BigDecimal.TEN));
        new DepositSteps(mvc, json, chain).deposit(DepositSteps.ofJob(job), member, wallet, BUDGET);
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.sql("SELECT status FROM training_jobs WHERE id = ?").param(job)
                .query(String.class).single().equals("QUEUED"));
        verified(job, dataset, model, offer);
        return job;
    }

    /**
     * A job of the member's paid from the host's training pool, funded from the host's wallet (as TrainingPoolService
     * records it from the confirmed log; TrainingPoolTest runs the flow), then verified.
     */
    private long poolJob(AccountPrincipal host, AccountPrincipal member, long dataset, long model, long offer) {
        long pool = jdbc.sql("""
                        INSERT INTO training_pools (owner_id, job_budget_aic, jobs, closes_at, status)
                        VALUES (?, 10, 1, now() + interval '1 day', 'FUNDED') RETURNING id""")
                .param(host.id()).query(Long.class).single();
        jdbc.sql("""
                        INSERT INTO job_deposits (job_id, pool_id, wallet, tx_hash, status, amount_wei, log_index, settled_at)
                        VALUES (?, ?, ?, ?, 'CONFIRMED', 10000000000000000000, 0, now())""")
                .params(pool, pool, wallet(OWNER), "0x" + "e5".repeat(32)).update();
        long job = jobs.submit(new TrainingJobs.JobRequest(member.id(), dataset, model, "{\"epochs\": 1}", 0, offer, BigDecimal.TEN));
        jdbc.sql("UPDATE training_jobs SET escrow_job_id = ?, status = 'QUEUED' WHERE id = ?").params(pool, job).update();
        verified(job, dataset, model, offer);
        return job;
    }

    private void verified(long job, long dataset, long model, long offer) {
        jdbc.sql("""
                        INSERT INTO training_records (job_id, worker_id, offer_id, base_model_id, dataset_id, trained_model_id)
                        SELECT ?, w.id, ?, ?, ?, ? FROM workers w WHERE w.offer_id = ?""")
                .params(job, offer, model, dataset, model, offer).update();
    }

    /**
     * Calls of the owner's paid model charged to the credit the member deposited from their wallet, as the model module
     * records them (the charge and its credit have tests of their own: CreditPaymentTest).
     */
    private void called(long model, AccountPrincipal owner, AccountPrincipal member, int wallet) {
        jdbc.sql("""
                        INSERT INTO model_calls (model_id, caller_id, via, instances, latency_ms, free_quota, owner_id, price_per_1000_aic,
                                                 charged_wei, payer_wallet, created_at)
                        VALUES (?, ?, 'API', 3, 1, false, ?, 10, 30000000000000000, ?, ?)""")
                .params(model, member.id(), owner.id(), wallet(wallet), Timestamp.from(Instant.now())).update();
    }

    /** The member's uses, in the order they were judged, as "KIND points" when counted and "KIND RULE" when not. */
    private List<String> rulesOf(AccountPrincipal member) {
        return jdbc.sql("""
                        SELECT kind || ' ' || coalesce(rule, points::text) FROM contribution_uses WHERE user_id = ?
                        ORDER BY used_at,
                                 CASE kind WHEN 'TRAINING_DATA' THEN 0 WHEN 'BASE_MODEL' THEN 1 WHEN 'GPU_WORK' THEN 2 ELSE 3 END""")
                .param(member.id()).query(String.class).list();
    }

    private static String wallet(int account) {
        return TestChain.address(account).toLowerCase(Locale.ROOT);
    }
}
