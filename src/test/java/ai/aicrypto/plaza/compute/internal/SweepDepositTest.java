package ai.aicrypto.plaza.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.chain.ChainLogQuarantine;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.compute.Settlement;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.IrisJob;
import ai.aicrypto.plaza.support.DepositSteps;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * An on-chain sweep of two trials on two providers' offers, against a real chain (anvil) and PostgreSQL: the member
 * signs ONE deposit of the sweep's whole budget (on the sweep's page; a trial's own deposit is refused, and one sent
 * to the escrow anyway is quarantined), which queues
 * both trials; each verified trial's cost is released from it to its own provider, and once both have ended the rest
 * goes back to the member, each step executed only from its confirmed log.
 */
class SweepDepositTest extends IntegrationTest {

    private static final int TREASURY = 0, REQUESTER = 2, PROVIDER_A = 3, PROVIDER_B = 5;
    private static final BigInteger AIC = TestChain.AIC;
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
    Datasets datasets;
    @Autowired
    Models models;
    @Autowired
    GpuOffers offers;
    @Autowired
    Sweeps sweeps;
    @Autowired
    Settlement settlement;
    @Autowired
    JobQueue queue;
    @Autowired
    JsonMapper json;
    @Autowired
    ChainLogQuarantine quarantine;

    @Test
    void oneDepositPaysBothProvidersAndTheRestIsRefunded() throws Exception {
        AccountPrincipal requester = users.withWallet(REQUESTER), providerA = users.withWallet(PROVIDER_A),
                providerB = users.withWallet(PROVIDER_B);
        chain.fund(TestChain.address(REQUESTER), AIC.multiply(BigInteger.valueOf(20)));
        long dataset = IrisJob.dataset(datasets, requester.id());
        long model = IrisJob.softmaxModel(models, requester.id());
        GpuOffers.IssuedWorker a = offers.register(providerA.id(), new GpuOffers.NewOffer("GPU A " + System.nanoTime(),
                "RTX 4090", 24_576, new BigDecimal("1"), "kr-seoul"));
        GpuOffers.IssuedWorker b = offers.register(providerB.id(), new GpuOffers.NewOffer("GPU B " + System.nanoTime(),
                "RTX 4090", 24_576, new BigDecimal("1"), "kr-seoul"));

        long sweep = sweeps.submit(requester.id(), dataset, model, List.of(a.offerId(), b.offerId()), null, SweepPlan.Search.GRID,
                BigDecimal.TEN, false, List.of("{\"epochs\": 1, \"learningRate\": 0.01}", "{\"epochs\": 1, \"learningRate\": 0.1}"));
        List<Long> trials = jdbc.sql("SELECT id FROM training_jobs WHERE sweep_id = ? ORDER BY id").param(sweep).query(Long.class).list();
        long first = trials.get(0), second = trials.get(1);
        assertThat(jdbc.sql("SELECT offer_id FROM training_jobs WHERE sweep_id = ? ORDER BY id").param(sweep).query(Long.class).list())
                .as("the trials go to both offers").containsExactly(a.offerId(), b.offerId());

        // One deposit, on the sweep's page; a trial's page sends the member there, and its own deposit is refused.
        String page = mvc.perform(get("/sweeps/" + sweep).with(user(requester))).andReturn().getResponse().getContentAsString();
        assertThat(page).contains("id=\"deposit-sweep\"").contains("Deposit 10 AIC with MetaMask").contains("data-job=\"" + first + "\"");
        assertThat(mvc.perform(get("/jobs/" + second).with(user(requester))).andReturn().getResponse().getContentAsString())
                .contains("id=\"deposit-with-sweep\"").doesNotContain("id=\"deposit-job\"");
        assertThat(step(second, "permit", requester, Map.of("wallet", TestChain.address(REQUESTER)), 400))
                .contains("paid with the one deposit of its sweep");
        // A deposit sent to the escrow under a trial other than the first changes nothing (quarantined; reclaimable).
        chain.tokenAs(REQUESTER).approve(chain.jobEscrow.getContractAddress(), AIC).send();
        String stray = chain.jobEscrowAs(REQUESTER).deposit(BigInteger.valueOf(second), AIC, BigInteger.valueOf(3600)).send()
                .getTransactionHash();
        await().atMost(Duration.ofSeconds(20)).until(() -> { chain.mine(1); return quarantine.recent(1_000).stream()
                .anyMatch(e -> e.txHash().equalsIgnoreCase(stray)); });
        assertThat(status(second)).isEqualTo("AWAITING_DEPOSIT");
        assertThat(jdbc.sql("SELECT count(*) FROM job_deposits").query(Long.class).single()).isZero();
        BigInteger requesterBefore = chain.balance(REQUESTER), aBefore = chain.balance(PROVIDER_A), bBefore = chain.balance(PROVIDER_B),
                treasuryBefore = chain.balance(TREASURY);
        deposit(first, requester, AIC.multiply(BigInteger.TEN));
        await().atMost(Duration.ofSeconds(20)).until(() -> { chain.mine(1); return status(first).equals("QUEUED") && status(second).equals("QUEUED"); });
        assertThat(jdbc.sql("SELECT count(*) FROM job_deposits").query(Long.class).single()).as("one deposit for both").isEqualTo(1);

        // Each provider's worker leases the trial placed on its offer and delivers a verified result.
        long workerA = leaseAndFinish(a.token(), first), workerB = leaseAndFinish(b.token(), second);
        assertThat(workerA).isNotEqualTo(workerB);
        assertThat(status(first)).as("handed over once paid").isEqualTo("SETTLING");
        settlement.payProvider(first, providerA.id(), new BigDecimal("3"), "verified");
        // More than the trial's share (5 AIC): the trial is paid its share, never from the other trial's.
        settlement.payProvider(second, providerB.id(), new BigDecimal("7"), "verified");

        await().atMost(Duration.ofSeconds(30)).until(() -> { chain.mine(1); return status(first).equals("SUCCEEDED") && status(second).equals("SUCCEEDED"); });
        await().atMost(Duration.ofSeconds(30)).until(() -> { chain.mine(1); return refundsDone(trials); });

        BigInteger paidA = AIC.multiply(BigInteger.valueOf(3)), paidB = AIC.multiply(BigInteger.valueOf(5));
        assertThat(chain.balance(PROVIDER_A)).isEqualTo(aBefore.add(paidA).subtract(fee(paidA)));
        assertThat(chain.balance(PROVIDER_B)).isEqualTo(bBefore.add(paidB).subtract(fee(paidB)));
        assertThat(chain.balance(TREASURY)).isEqualTo(treasuryBefore.add(fee(paidA)).add(fee(paidB)));
        assertThat(chain.balance(REQUESTER)).as("the rest came back").isEqualTo(requesterBefore.subtract(paidA).subtract(paidB));
        assertThat(chain.jobEscrow.outstanding(TestChain.address(REQUESTER), BigInteger.valueOf(first)).send()).isZero();
        assertThat(chain.jobEscrow.released(TestChain.address(REQUESTER), BigInteger.valueOf(first), BigInteger.valueOf(second)).send())
                .isTrue();
        assertThat(jdbc.sql("SELECT count(*) FROM chain_logs WHERE event = 'JobReleased'").query(Long.class).single()).isEqualTo(2);
        assertThat(jdbc.sql("SELECT count(*) FROM settlements WHERE state <> 'DONE'").query(Long.class).single()).isZero();
    }

    /** @return the worker that leased the trial */
    private long leaseAndFinish(String token, long job) throws Exception {
        mvc.perform(post("/api/worker/v1/heartbeat").header("Authorization", "Bearer " + token)
                .contentType(MediaType.APPLICATION_JSON).content("{\"engine\": \"cpu\", \"gpuMemoryMb\": 24576, \"cachedDatasets\": []}"));
        assertThat(mvc.perform(post("/api/worker/v1/lease").header("Authorization", "Bearer " + token)).andReturn().getResponse()
                .getStatus()).isEqualTo(200);
        long worker = jdbc.sql("SELECT worker_id FROM training_jobs WHERE id = ? AND status = 'LEASED'").param(job).query(Long.class)
                .single();
        queue.finish(worker, job, JobStatus.SUCCEEDED, "{}", null);
        return worker;
    }

    private boolean refundsDone(List<Long> trials) {
        return jdbc.sql("SELECT count(*) FROM settlements WHERE kind = 'REFUND_REQUESTER' AND state = 'DONE' AND job_id = ANY (?)")
                .param(trials.toArray(Long[]::new)).query(Long.class).single() > 0;
    }

    private static BigInteger fee(BigInteger amount) {
        return amount.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BigInteger.valueOf(10_000));
    }

    private void deposit(long job, AccountPrincipal who, BigInteger expected) throws Exception {
        new DepositSteps(mvc, json, chain).deposit(DepositSteps.ofJob(job), who, REQUESTER, expected);
    }

    private String step(long job, String step, AccountPrincipal who, Map<String, String> body, int expectedStatus) throws Exception {
        return new DepositSteps(mvc, json, chain).step(DepositSteps.ofJob(job), step, who, body, expectedStatus);
    }

    private String status(long job) {
        return jdbc.sql("SELECT status FROM training_jobs WHERE id = ?").param(job).query(String.class).single();
    }
}
