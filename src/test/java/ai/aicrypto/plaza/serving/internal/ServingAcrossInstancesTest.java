package ai.aicrypto.plaza.serving.internal;

import static org.assertj.core.api.Assertions.assertThat;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.serving.InferenceGateway;
import ai.aicrypto.plaza.serving.LittleEndianFloats;
import ai.aicrypto.plaza.support.AppProcess;
import ai.aicrypto.plaza.support.PredictApi;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.TestS3;
import ai.aicrypto.plaza.support.TestUsers;
import ai.aicrypto.plaza.support.WineModel;
import ai.aicrypto.plaza.support.WorkerProcess;
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
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Serving across two app instances on one PostgreSQL and one blob bucket, as behind a load balancer: this test's app (instance B) and a
 * second app process beside it (instance A), sharing the instances' secret, with a real gpu-worker process polling A
 * only. Calls through B are forwarded to A, served by A's worker as the same weights' independent forward pass answers,
 * and recorded and charged once, by B. Forged forwards to A (unsigned, signed with another secret, signed too long
 * ago, replayed, meant for another instance) are refused with 401 and change nothing. Once A dies, B answers 503 with
 * Retry-After (no fallback here) and charges nothing, and A's routes expire.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServingAcrossInstancesTest extends CreditTest {

    private static final int MEMBER = 2, OWNER = 3, PROVIDER = 4;
    private static final String SECRET = "the-secret-both-instances-share-" + System.nanoTime();
    private static final BigDecimal PRICE = new BigDecimal("0.5");
    private static final String BUCKET = "plaza-serving-" + ProcessHandle.current().pid();
    /** What both instances are given: the secret, the blobs' bucket, and serving without the plaza's own fallback. */
    private static final Map<String, String> BOTH = new LinkedHashMap<>();
    private static TestChain chain;
    private static int dbPort;

    @DynamicPropertySource
    static void twoInstancesOnOneDatabaseAndBucket(DynamicPropertyRegistry registry) throws Exception {
        chain = TestChain.deployFor(registry);
        dbPort = AppProcess.freePort();
        registry.add("plaza.db.embedded-port", () -> dbPort); // instance A's database too
        registry.add("plaza.credit.settle-interval", () -> "1h");
        BOTH.putAll(TestS3.bucketSettings(BUCKET));
        BOTH.putAll(Map.of("plaza.serving.instances.secret", SECRET, "plaza.serving.instances.heartbeat", "500ms",
                "plaza.serving.fallback", "none", "plaza.serving.call-timeout", "5s", "plaza.serving.poll-timeout", "2s"));
        BOTH.forEach((name, value) -> registry.add(name, () -> value));
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
    ServingPeers peers;
    @Autowired
    JsonMapper json;
    @Autowired
    PlazaProperties plaza;
    @Autowired
    Environment environment;

    AccountPrincipal member, owner;
    long provider;
    String memberToken;
    WineModel wine;
    GpuOffers.IssuedWorker issued;
    AppProcess instanceA;
    WorkerProcess worker;

    @BeforeAll
    void aPaidModelCreditAndAWorkerPollingTheOtherInstance() throws Exception {
        Path tmp = Files.createTempDirectory("serving-instances-");
        member = users.withWallet(MEMBER);
        owner = users.withWallet(OWNER);
        provider = users.withWallet(PROVIDER).id();
        memberToken = tokens.issue(member.id(), "script").token();
        wine = WineModel.create(datasets, models, owner.id(), tmp, 11, true);
        assertThat(mvc.perform(post("/models/" + wine.id() + "/api-settings").with(user(owner)).with(csrf())
                .param("visibility", "PUBLIC").param("price", "10")).andReturn().getResponse().getStatus()).isEqualTo(302);
        issued = offers.register(provider, new GpuOffers.NewOffer("A's CPU", "CPU", 1024, BigDecimal.ONE, "local", PRICE));
        chain.fund(TestChain.address(MEMBER), TestChain.AIC.multiply(BigInteger.valueOf(30)));
        deposit(chain, member, MEMBER, "20");

        List<String> arguments = new ArrayList<>();
        BOTH.forEach((name, value) -> arguments.add("--" + name + "=" + value));
        instanceA = AppProcess.startBeside(plaza.dataDir(), Path.of(environment.getRequiredProperty("plaza.chain.deployment")),
                chain.url, dbPort, arguments.toArray(String[]::new));
        instanceA.awaitReady();
        worker = WorkerProcess.start(instanceA.url(), issued.token(), tmp.resolve("worker-cache"), "--no-benchmark");
    }

    @AfterAll
    void stop() throws Exception {
        if (worker != null) {
            worker.close();
        }
        if (instanceA != null) {
            instanceA.close();
        }
    }

    @Test
    @Order(1)
    void callsThroughTheInstanceNoWorkerPollsAreServedByTheOthersWorkerAndChargedOnce() throws Exception {
        // B learns of A's worker from A's heartbeat: the most a call may cost now covers its price.
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            assertThat(worker.process().isAlive()).as(worker.log()).isTrue();
            return gateway.servingBound().pricePerGpuSecondAic().compareTo(PRICE) == 0;
        });
        long calls = count("model_calls"), charges = count("credit_charges");

        JsonNode cold = predict(0, 1, 2);
        assertThat(cold.get("servedBy").asString()).as(instanceA.log()).isEqualTo("worker-" + issued.workerId());
        assertThat(cold.get("coldStart").asBoolean()).isTrue();
        assertSameLabels(cold, 0, 1, 2);
        JsonNode warm = predict(50, 120);
        assertThat(warm.get("servedBy").asString()).isEqualTo("worker-" + issued.workerId());
        assertThat(warm.get("coldStart").asBoolean()).isFalse();
        assertSameLabels(warm, 50, 120);

        assertThat(count("model_calls")).as("each call recorded once, by B").isEqualTo(calls + 2);
        assertThat(jdbc.sql("""
                        SELECT count(*) FROM model_calls WHERE id > ? AND worker_id = ? AND provider_id = ? AND charged_wei > 0
                          AND serving_charged_wei > 0 AND gpu_seconds > 0""")
                .params(calls, issued.workerId(), provider).query(Long.class).single()).isEqualTo(2);
        assertThat(count("credit_charges")).as("the model's price and the worker's GPU-seconds, once a call")
                .isEqualTo(charges + 4);
    }

    @Test
    @Order(2)
    void forgedForwardsAreRefusedAndChangeNothing() throws Exception {
        Map<String, Object> a = jdbc.sql("SELECT instance_id, instance_url FROM serving_routes WHERE worker_id = ?")
                .param(issued.workerId()).query().singleRow();
        String instance = (String) a.get("instance_id"), url = (String) a.get("instance_url");
        String key = jdbc.sql("SELECT weights_key FROM models WHERE listing_id = ?").param(wine.id()).query(String.class).single();
        byte[] rows = LittleEndianFloats.bytes(wine.preprocessing().encode(WineModel.record(7)));
        String path = ServingPeers.RUN_PATH + "?instance=" + instance + "&model=" + wine.id() + "&key=" + key + "&rows=1&width="
                + wine.preprocessing().featureCount() + "&maxPrice=1";
        long calls = count("model_calls"), charges = count("credit_charges");
        InstanceSignatures ours = new InstanceSignatures(SECRET, Clock.systemUTC());

        assertThat(forward(url, path, rows, null).statusCode()).as("unsigned").isEqualTo(401);
        assertThat(forward(url, path, rows, new InstanceSignatures("another-secret-of-at-least-32-chars!", Clock.systemUTC())
                .sign("POST", path, rows)).body()).as("signed with another secret").contains("bad signature");
        assertThat(forward(url, path, rows, new InstanceSignatures(SECRET, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-2)))
                .sign("POST", path, rows)).body()).as("signed two minutes ago").contains("outside the window");
        byte[] otherRows = LittleEndianFloats.bytes(wine.preprocessing().encode(WineModel.record(8)));
        assertThat(forward(url, path, otherRows, ours.sign("POST", path, rows)).body()).as("another body").contains("bad signature");
        String elsewhere = path.replace("instance=" + instance, "instance=" + peers.instanceId());
        assertThat(forward(url, elsewhere, rows, ours.sign("POST", elsewhere, rows)).statusCode()).as("meant for B").isEqualTo(401);

        String[] signed = ours.sign("POST", path, rows);
        HttpResponse<String> genuine = forward(url, path, rows, signed);
        assertThat(genuine.statusCode()).as("%s; instance A's log:%n%s", genuine.body(), instanceA.log()).isEqualTo(200);
        assertThat(json.readTree(genuine.body()).get("workerId").asLong()).isEqualTo(issued.workerId());
        assertThat(forward(url, path, rows, signed).body()).as("the same call again").contains("replayed");

        assertThat(count("model_calls")).as("the instance that runs a forwarded call records nothing").isEqualTo(calls);
        assertThat(count("credit_charges")).isEqualTo(charges);
    }

    @Test
    @Order(3)
    void aWorkerElsewhereHoldingTheModelAnswersBeforeOneHereThatWouldLoadIt() throws Exception {
        // B gets a worker of its own, which holds no model yet; A's still holds the wine model (the calls above).
        GpuOffers.IssuedWorker issuedB = offers.register(provider,
                new GpuOffers.NewOffer("B's CPU", "CPU", 1024, BigDecimal.ONE, "local", PRICE));
        WineModel other = WineModel.create(datasets, models, owner.id(), Files.createTempDirectory("serving-instances-"), 12, true);
        assertThat(mvc.perform(post("/models/" + other.id() + "/api-settings").with(user(owner)).with(csrf())
                .param("visibility", "PUBLIC").param("price", "10")).andReturn().getResponse().getStatus()).isEqualTo(302);
        String b = "http://127.0.0.1:" + port;
        try (WorkerProcess workerB = WorkerProcess.start(b, issuedB.token(), Files.createTempDirectory("worker-b-cache-"),
                "--no-benchmark")) {
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                assertThat(workerB.process().isAlive()).as(workerB.log()).isTrue();
                return routesOf(issuedB.workerId()) == 1;
            });

            JsonNode warmElsewhere = predict(b, wine, 4, 60);
            assertThat(warmElsewhere.get("servedBy").asString()).as("A's worker holds the model, B's would load it")
                    .isEqualTo("worker-" + issued.workerId());
            assertThat(warmElsewhere.get("coldStart").asBoolean()).isFalse();
            assertSameLabels(warmElsewhere, wine, 4, 60);

            JsonNode nowhere = predict(b, other, 5);
            assertThat(nowhere.get("servedBy").asString()).as("no worker holds it: B's own loads it")
                    .isEqualTo("worker-" + issuedB.workerId());
            assertThat(nowhere.get("coldStart").asBoolean()).isTrue();
            assertSameLabels(nowhere, other, 5);
            JsonNode here = predict(b, other, 6);
            assertThat(here.get("servedBy").asString()).as("B's own holds it now").isEqualTo("worker-" + issuedB.workerId());
            assertThat(here.get("coldStart").asBoolean()).isFalse();

            // Once A has read B's routes (its own heartbeat after B's heartbeat listed the model), A forwards the model to B.
            String key = jdbc.sql("SELECT weights_key FROM models WHERE listing_id = ?").param(other.id()).query(String.class).single();
            await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql(
                    "SELECT count(*) FROM serving_routes WHERE worker_id = ? AND ? = ANY(models)")
                    .params(issuedB.workerId(), key).query(Long.class).single() == 1);
            java.sql.Timestamp listed = jdbc.sql("SELECT now()").query(java.sql.Timestamp.class).single();
            await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql("SELECT seen_at > ? FROM serving_routes WHERE worker_id = ?")
                    .params(listed, issued.workerId()).query(Boolean.class).single());
            JsonNode warmOnB = predict(instanceA.url(), other, 7);
            assertThat(warmOnB.get("servedBy").asString()).as("through A: B's worker holds it, A's would load it")
                    .isEqualTo("worker-" + issuedB.workerId());
            assertThat(warmOnB.get("coldStart").asBoolean()).isFalse();
            assertSameLabels(warmOnB, other, 7);
            JsonNode localOnA = predict(instanceA.url(), wine, 8);
            assertThat(localOnA.get("servedBy").asString()).as("through A: A's own holds it").isEqualTo("worker-" + issued.workerId());
        }
        // B's heartbeat drops its worker once the worker's polls stop: the next test has B without workers again.
        await().atMost(Duration.ofSeconds(30)).until(() -> routesOf(issuedB.workerId()) == 0);
    }

    @Test
    @Order(4)
    void whenTheOtherInstanceDiesCallsAre503WithRetryAfterAndItsRoutesExpire() throws Exception {
        instanceA.kill();
        long calls = count("model_calls"), charges = count("credit_charges");
        HttpResponse<String> refused = callApi(wine.id(), memberToken, Map.of("instances", List.of(WineModel.record(3))));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(count("model_calls")).isEqualTo(calls);
        assertThat(count("credit_charges")).isEqualTo(charges);
        // B's heartbeat deletes the dead instance's rows three heartbeats after A's last.
        await().atMost(Duration.ofSeconds(30)).until(() -> count("serving_routes") == 0);
        assertThat(gateway.servingBound().pricePerGpuSecondAic()).isEqualByComparingTo(BigDecimal.ZERO);
    }

    // ------------------------------------------------------------------------------------------------

    /** The rows of serving_routes that list a worker (one per instance it polled lately). */
    private long routesOf(long workerId) {
        return jdbc.sql("SELECT count(*) FROM serving_routes WHERE worker_id = ?").param(workerId).query(Long.class).single();
    }

    /** A call of the instances' API: {@code signed} is time, nonce and signature, or null for none. */
    private static HttpResponse<String> forward(String url, String path, byte[] body, String[] signed) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signed != null) {
            request.header(InstanceSignatures.TIME, signed[0]).header(InstanceSignatures.NONCE, signed[1])
                    .header(InstanceSignatures.SIGNATURE, signed[2]);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode predict(int... rows) throws Exception {
        return predict("http://127.0.0.1:" + port, wine, rows);
    }

    /** A call of the predict API of the instance at {@code url}, as a script calls it. */
    private JsonNode predict(String url, WineModel model, int... rows) throws Exception {
        List<Map<String, String>> instances = new ArrayList<>();
        for (int row : rows) {
            instances.add(WineModel.record(row));
        }
        HttpResponse<String> response = PredictApi.call(url, model.id(), memberToken,
                json.writeValueAsString(Map.of("instances", instances)));
        assertThat(response.statusCode()).as("%s; instance A's log:%n%s", response.body(), instanceA.log()).isEqualTo(200);
        return json.readTree(response.body());
    }

    /** The predict API of this test's instance (B) over HTTP, as a script calls it. */
    private HttpResponse<String> callApi(long modelId, String token, Object body) throws Exception {
        return PredictApi.call("http://127.0.0.1:" + port, modelId, token, json.writeValueAsString(body));
    }

    private void assertSameLabels(JsonNode answer, int... rows) {
        assertSameLabels(answer, wine, rows);
    }

    private static void assertSameLabels(JsonNode answer, WineModel model, int... rows) {
        JsonNode predictions = answer.get("predictions");
        assertThat(predictions.size()).isEqualTo(rows.length);
        for (int i = 0; i < rows.length; i++) {
            assertThat(predictions.get(i).get("label").asString()).isEqualTo(model.label(WineModel.record(rows[i])));
        }
    }
}
