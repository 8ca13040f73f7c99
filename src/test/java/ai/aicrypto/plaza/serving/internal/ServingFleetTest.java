package ai.aicrypto.plaza.serving.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.ModelRuns;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.serving.InferenceGateway;
import ai.aicrypto.plaza.support.PredictApi;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.TestUsers;
import ai.aicrypto.plaza.support.WineModel;
import ai.aicrypto.plaza.support.WorkerProcess;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Trained AIs served by the GPU fleet, with real gpu-worker processes (the fat jar, CPU) against the app on a real
 * port, a real chain (anvil, UsageCredit) and PostgreSQL: before any serving worker is online the plaza answers
 * in-process; a worker of a serving offer loads the wine model on its first call (a cold start) and answers as an
 * independent forward pass of the same weights does, by HTTP with a member's token; a worker killed while holding a call
 * is replaced by another provider's worker within the same call, charged once; the settlement batch pays the
 * model's owner, each serving provider for its metered GPU-seconds and the treasury its fee, to the wei; and a worker
 * whose answers are shifted is caught by a shadow call, judged by the plaza's own forward pass and rejected.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServingFleetTest extends CreditTest {

    private static final int TREASURY = 0, MEMBER = 2, OWNER = 3, PROVIDER_A = 4, PROVIDER_B = 5;
    private static final BigInteger AIC = TestChain.AIC;
    private static final BigDecimal PRICE_A = new BigDecimal("0.5"), PRICE_B = new BigDecimal("1");
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5); // a cold start on a loaded machine included
    private static TestChain chain;

    @DynamicPropertySource
    static void chainAndTimeouts(DynamicPropertyRegistry registry) {
        chain = TestChain.deployFor(registry);
        registry.add("plaza.credit.settle-interval", () -> "1h"); // settled when the test says
        registry.add("plaza.serving.call-timeout", () -> CALL_TIMEOUT.toMillis() + "ms");
        registry.add("plaza.serving.poll-timeout", () -> "2s");
        registry.add("plaza.serving.shadow-share", () -> "1"); // every served call is checked where another provider serves
    }

    @LocalServerPort
    int port;
    @Autowired
    TestUsers users;
    @Autowired
    Datasets datasets;
    @Autowired
    Models models;
    @Autowired
    ApiTokens tokens;
    @Autowired
    GpuOffers offers;
    @Autowired
    InferenceGateway gateway;
    @Autowired
    UsageSettlements settlements;
    @Autowired
    JsonMapper json;
    @Autowired
    ModelRuns modelRuns;
    @Autowired
    MeterRegistry meters;

    AccountPrincipal member, owner;
    long providerA, providerB;
    String memberToken;
    WineModel wine;
    Path tmp;
    GpuOffers.IssuedWorker workerA, workerB;
    final List<WorkerProcess> processes = new ArrayList<>();

    @BeforeAll
    void aPaidWineModelTwoServingOffersAndCredit() throws Exception {
        tmp = Files.createTempDirectory("serving-fleet-");
        member = users.withWallet(MEMBER);
        owner = users.withWallet(OWNER);
        providerA = users.withWallet(PROVIDER_A).id();
        providerB = users.withWallet(PROVIDER_B).id();
        memberToken = tokens.issue(member.id(), "script").token();
        wine = WineModel.create(datasets, models, owner.id(), tmp, 7, true);
        assertThat(mvc.perform(post("/models/" + wine.id() + "/api-settings").with(user(owner)).with(csrf())
                .param("visibility", "PUBLIC").param("price", "10")).andReturn().getResponse().getStatus()).isEqualTo(302);
        workerA = offers.register(providerA, new GpuOffers.NewOffer("A's CPU", "CPU", 1024, BigDecimal.ONE, "local", PRICE_A));
        workerB = offers.register(providerB, new GpuOffers.NewOffer("B's CPU", "CPU", 1024, BigDecimal.ONE, "local", PRICE_B));
        chain.fund(TestChain.address(MEMBER), AIC.multiply(BigInteger.valueOf(30)));
        // Enough for the most the dearest worker (1.5 AIC per GPU-second) may cost: two attempts of the call timeout.
        deposit(chain, member, MEMBER, "20");
    }

    @AfterAll
    void stopWorkers() throws Exception {
        for (WorkerProcess p : processes) {
            p.close();
        }
    }

    @Test
    @Order(1)
    void withoutServingWorkersThePlazaAnswersAndThenAWorkerServesAsTheSameWeightsDo() throws Exception {
        JsonNode local = predict(0, 1, 2);
        assertThat(local.get("servedBy").asString()).isEqualTo("plaza");
        assertThat(jdbc.sql("SELECT count(*) FROM model_calls WHERE worker_id IS NULL AND serving_charged_wei = 0")
                .query(Long.class).single()).isEqualTo(1);

        WorkerProcess a = start(workerA);
        awaitOnlinePrice(PRICE_A, a);
        JsonNode cold = predict(0, 1, 2, 60, 130);
        assertThat(cold.get("servedBy").asString()).as(a.log()).isEqualTo("worker-" + workerA.workerId());
        assertThat(cold.get("coldStart").asBoolean()).isTrue();
        assertSameAsIndependentForwardPass(cold, 0, 1, 2, 60, 130);
        for (int i = 0; i < 3; i++) {
            JsonNode warm = predict(3 + i, 100 + i);
            assertThat(warm.get("servedBy").asString()).isEqualTo("worker-" + workerA.workerId());
            assertThat(warm.get("coldStart").asBoolean()).isFalse();
            assertSameAsIndependentForwardPass(warm, 3 + i, 100 + i);
        }
        assertThat(jdbc.sql("""
                        SELECT count(*) FROM model_calls WHERE worker_id = ? AND provider_id = ? AND gpu_seconds > 0
                          AND serving_charged_wei > 0 AND charged_wei > 0""")
                .params(workerA.workerId(), providerA).query(Long.class).single()).isEqualTo(4);
        assertThat(jdbc.sql("SELECT count(*) FROM model_calls WHERE cold_start").query(Long.class).single()).isEqualTo(1);
    }

    @Test
    @Order(2)
    void aMemberWithoutCreditCallsAFreeModelWhilePaidWorkersServeAndThePlazaAnswersIt() throws Exception {
        WineModel free = WineModel.create(datasets, models, owner.id(), tmp, 8, true); // price 0, public
        AccountPrincipal stranger = users.member(); // no wallet, no credit
        String token = tokens.issue(stranger.id(), "script").token();
        HttpResponse<String> response = callApi(free.id(), token, Map.of("instances", List.of(WineModel.record(0))));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json.readTree(response.body()).get("servedBy").asString()).isEqualTo("plaza");
        assertThat(jdbc.sql("SELECT count(*) FROM model_calls WHERE caller_id = ? AND worker_id IS NULL AND charged_wei = 0")
                .param(stranger.id()).query(Long.class).single()).as("answered by the plaza, nothing charged").isEqualTo(1);
    }

    @Test
    @Order(3)
    void aWorkerKilledHoldingACallIsReplacedByAnotherProvidersWorkerAndTheCallIsChargedOnce() throws Exception {
        WorkerProcess b = start(workerB);
        awaitOnlinePrice(PRICE_B, b);
        long callsBefore = count("model_calls"), chargesBefore = count("credit_charges");
        processes.get(0).kill(); // A still counts as online and holds the model: the call goes to it first
        JsonNode answer = predict(10, 20, 30);
        assertThat(answer.get("servedBy").asString()).as(b.log()).isEqualTo("worker-" + workerB.workerId());
        assertThat(answer.get("coldStart").asBoolean()).isTrue();
        assertSameAsIndependentForwardPass(answer, 10, 20, 30);
        assertThat(answer.get("latencyMs").asDouble()).isGreaterThanOrEqualTo(CALL_TIMEOUT.toMillis());
        assertThat(count("model_calls")).isEqualTo(callsBefore + 1);
        assertThat(count("credit_charges")).isEqualTo(chargesBefore + 2); // the owner's price and B's GPU-seconds
        assertThat(jdbc.sql("SELECT worker_id FROM model_calls ORDER BY id DESC LIMIT 1").query(Long.class).single())
                .isEqualTo(workerB.workerId());
    }

    @Test
    @Order(4)
    void theSettlementPaysOwnerServingProvidersAndTreasuryExactly() throws Exception {
        BigInteger ownerBefore = chain.balance(OWNER), aBefore = chain.balance(PROVIDER_A), bBefore = chain.balance(PROVIDER_B),
                treasuryBefore = chain.balance(TREASURY);
        BigInteger modelCharges = wei("SELECT sum(charged_wei) FROM model_calls");
        BigInteger servedByA = wei("SELECT sum(serving_charged_wei) FROM model_calls WHERE provider_id = " + providerA);
        BigInteger servedByB = wei("SELECT sum(serving_charged_wei) FROM model_calls WHERE provider_id = " + providerB);
        assertThat(servedByA.signum()).isPositive();
        assertThat(servedByB.signum()).isPositive();

        settlements.execute();
        long batch = jdbc.sql("SELECT id FROM credit_batches").query(Long.class).single();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            chain.mine(1);
            return jdbc.sql("SELECT state FROM credit_batches WHERE id = ?").param(batch).query(String.class).single().equals("DONE");
        });
        // One entry per payee (a single payer): each pays the fee on its own amount.
        assertThat(chain.balance(OWNER).subtract(ownerBefore)).isEqualTo(afterFee(modelCharges));
        assertThat(chain.balance(PROVIDER_A).subtract(aBefore)).isEqualTo(afterFee(servedByA));
        assertThat(chain.balance(PROVIDER_B).subtract(bBefore)).isEqualTo(afterFee(servedByB));
        assertThat(chain.balance(TREASURY).subtract(treasuryBefore))
                .isEqualTo(fee(modelCharges).add(fee(servedByA)).add(fee(servedByB)));
        assertThat(chain.usageCredit.account(TestChain.address(MEMBER)).send().balance)
                .isEqualTo(AIC.multiply(BigInteger.valueOf(20)).subtract(modelCharges).subtract(servedByA).subtract(servedByB));
    }

    @Test
    @Order(5)
    void aLyingWorkerIsCaughtByAShadowCallAndRejectedWhileTheCallerGetsTheHonestAnswer() throws Exception {
        long providerC = users.member().id();
        GpuOffers.IssuedWorker liar = offers.register(providerC, new GpuOffers.NewOffer("C's CPU", "CPU", 1024, BigDecimal.ONE,
                "local", new BigDecimal("1.5")));
        WorkerProcess lying = WorkerProcess.startLyingServer("http://127.0.0.1:" + port, liar.token());
        processes.add(lying);
        awaitOnlinePrice(new BigDecimal("1.5"), lying);

        JsonNode answer = predict(40, 41); // B holds the model: B answers, and the liar runs the same rows as a check
        assertThat(answer.get("servedBy").asString()).isEqualTo("worker-" + workerB.workerId());
        assertSameAsIndependentForwardPass(answer, 40, 41);
        await().atMost(Duration.ofSeconds(60)).until(() -> rejectedResults(liar.workerId()) == 1);
        assertThat(rejectedResults(workerB.workerId())).isZero();
        awaitOnlinePrice(PRICE_B, processes.get(1)); // the liar gets no more calls
        assertThat(predict(42).get("servedBy").asString()).isEqualTo("worker-" + workerB.workerId());
        // Marked in the database, so that every instance (each with its own queues) refuses its polls too.
        assertThat(jdbc.sql("SELECT serving_rejected_reason FROM workers WHERE id = ?").param(liar.workerId())
                .query(String.class).single()).isNotBlank();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> poll = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/api/worker/v1/serving/poll"))
                    .header("Authorization", "Bearer " + liar.token()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(poll.statusCode()).isEqualTo(403);
            assertThat(poll.body()).contains("no longer serves predictions");
        });
    }

    /** The page's "Try it" says who answered: here the fleet's worker, not the plaza. */
    @Test
    @Order(6)
    void tryItSaysWhichWorkerOfTheFleetAnswered() throws Exception {
        var request = post("/models/" + wine.id() + "/try").with(user(member)).with(csrf());
        WineModel.record(7).forEach((column, value) -> request.param("in[" + column + "]", value)); // the form's field names
        String answer = mvc.perform(request).andReturn().getResponse().getContentAsString();
        assertThat(answer).containsPattern("Answered in [0-9.,]+ ms by worker #" + workerB.workerId() + " of the serving fleet");
    }

    /**
     * An owner's run of their model on many records (a competition's code submission, a commission's model) goes to the
     * fleet as the owner's own call does: without credit for the serving worker the plaza runs it in-process; with
     * credit each batch is served by a worker, the provider's GPU-seconds are charged to the owner and the model's price
     * is not (the model is theirs); every answer is the same weights' independent forward pass.
     */
    @Test
    @Order(7)
    void anOwnersRunGoesToTheFleetWhenTheirCreditPaysTheWorkerAndToThePlazaOtherwise() throws Exception {
        List<Map<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 178; i++) {
            records.add(WineModel.record(i));
        }
        ModelRuns.Run run = modelRuns.open(wine.id(), owner.id());
        assertSameLabels(run.predict(records), records);
        assertThat(jdbc.sql("""
                        SELECT count(*) FROM model_calls WHERE caller_id = ? AND via = 'RUN' AND worker_id IS NULL
                          AND charged_wei = 0 AND serving_charged_wei = 0 AND instances = 178""")
                .param(owner.id()).query(Long.class).single()).as("without credit: the plaza's CPU, nothing charged").isEqualTo(1);

        chain.fund(TestChain.address(OWNER), AIC.multiply(BigInteger.valueOf(20)));
        deposit(chain, owner, OWNER, "20");
        long chargesBefore = count("credit_charges");
        double servedBefore = meters.timer("plaza.model.runs.inference", "by", "fleet").count();
        assertSameLabels(run.predict(records.subList(0, 100)), records.subList(0, 100));
        assertSameLabels(run.predict(records.subList(100, 178)), records.subList(100, 178));
        assertThat(jdbc.sql("""
                        SELECT count(*) FROM model_calls WHERE caller_id = ? AND via = 'RUN' AND worker_id = ? AND provider_id = ?
                          AND charged_wei = 0 AND serving_charged_wei > 0 AND gpu_seconds > 0""")
                .params(owner.id(), workerB.workerId(), providerB).query(Long.class).single())
                .as("served by B, B's GPU-seconds charged, the model's price not").isEqualTo(2);
        assertThat(count("credit_charges")).isEqualTo(chargesBefore + 2);
        assertThat(jdbc.sql("SELECT count(*) FROM credit_charges WHERE id > (SELECT max(id) - 2 FROM credit_charges) AND payee_id = ?")
                .param(providerB).query(Long.class).single()).isEqualTo(2);
        assertThat(meters.timer("plaza.model.runs.inference", "by", "fleet").count()).isEqualTo((long) servedBefore + 2);
    }

    private void assertSameLabels(List<ModelRuns.Predicted> predicted, List<Map<String, String>> records) {
        assertThat(predicted).hasSameSizeAs(records);
        for (int i = 0; i < records.size(); i++) {
            assertThat(predicted.get(i).label()).isEqualTo(wine.label(records.get(i)));
        }
    }

    // ------------------------------------------------------------------------------------------------

    private int rejectedResults(long workerId) {
        return jdbc.sql("SELECT rejected_jobs FROM workers WHERE id = ?").param(workerId).query(Integer.class).single();
    }

    private WorkerProcess start(GpuOffers.IssuedWorker issued) throws Exception {
        WorkerProcess p = WorkerProcess.start("http://127.0.0.1:" + port, issued.token(), tmp.resolve("cache-" + issued.workerId()),
                "--no-benchmark");
        processes.add(p);
        return p;
    }

    /** A serving worker is online once the most a call may cost reflects its price (two attempts of the timeout). */
    private void awaitOnlinePrice(BigDecimal price, WorkerProcess p) {
        BigInteger bound = new BigDecimal(price.movePointRight(18).toBigIntegerExact())
                .multiply(BigDecimal.valueOf(2 * CALL_TIMEOUT.toMillis()).movePointLeft(3)).toBigIntegerExact();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            assertThat(p.process().isAlive()).as(p.log()).isTrue();
            return gateway.servingBound().costWei().equals(bound);
        });
    }

    private JsonNode predict(int... rows) throws Exception {
        List<Map<String, String>> instances = new ArrayList<>();
        for (int row : rows) {
            instances.add(WineModel.record(row));
        }
        HttpResponse<String> response = callApi(wine.id(), memberToken, Map.of("instances", instances));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    /** The predict API over HTTP, as a script calls it. */
    private HttpResponse<String> callApi(long modelId, String token, Object body) throws Exception {
        return PredictApi.call("http://127.0.0.1:" + port, modelId, token, json.writeValueAsString(body));
    }

    /** Each row's label and probabilities as a plain-Java forward pass of the same weights gives them. */
    private void assertSameAsIndependentForwardPass(JsonNode answer, int... rows) {
        JsonNode predictions = answer.get("predictions");
        assertThat(predictions.size()).isEqualTo(rows.length);
        for (int i = 0; i < rows.length; i++) {
            Map<String, String> record = WineModel.record(rows[i]);
            assertThat(predictions.get(i).get("label").asString()).isEqualTo(wine.label(record));
            double[] p = wine.weights().probabilities(wine.preprocessing().encode(record));
            List<String> classes = wine.preprocessing().label().classes();
            for (JsonNode top : predictions.get(i).get("top")) {
                assertThat(top.get("probability").asDouble())
                        .isCloseTo(p[classes.indexOf(top.get("label").asString())], within(1e-5));
            }
        }
    }

    private static BigInteger fee(BigInteger amount) {
        return amount.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BigInteger.valueOf(10_000));
    }

    private static BigInteger afterFee(BigInteger amount) {
        return amount.subtract(fee(amount));
    }
}
