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
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.serving.InferenceGateway;
import ai.aicrypto.plaza.serving.LittleEndianFloats;
import ai.aicrypto.plaza.support.PredictApi;
import ai.aicrypto.plaza.support.TestChain;
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
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Rows and answers on the serving poll as base64 of little-endian float32, for workers that declare it, and as JSON
 * numbers for workers from before: a worker polled by hand (as a hostile worker would) gets its call's rows in the
 * encoding it declared; an answer that does not fit its call (values for other rows, NaN, bad base64, bytes that are
 * not its rows, numbers where it declared float32) is refused with 400, the call goes on to the plaza at once and no
 * serving is charged; an older worker's JSON answer is taken and charged; and a real gpu-worker process, which speaks
 * float32, answers as an independent forward pass of the same weights does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServingPollFloatsTest extends CreditTest {

    private static final int MEMBER = 6, OWNER = 7;
    /** Long, so that a call answered within it was not left waiting for the refused worker. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);
    private static TestChain chain;

    @DynamicPropertySource
    static void chainAndTimeouts(DynamicPropertyRegistry registry) {
        chain = TestChain.deployFor(registry);
        registry.add("plaza.credit.settle-interval", () -> "1h");
        registry.add("plaza.serving.call-timeout", () -> CALL_TIMEOUT.toMillis() + "ms");
        registry.add("plaza.serving.poll-timeout", () -> "2s");
        registry.add("plaza.serving.shadow-share", () -> "0");
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
    JsonMapper json;

    final HttpClient http = HttpClient.newHttpClient();
    String memberToken;
    WineModel wine;
    Path tmp;
    WorkerProcess process;

    @BeforeAll
    void aPaidWineModelAndCredit() throws Exception {
        tmp = Files.createTempDirectory("serving-floats-");
        AccountPrincipal member = users.withWallet(MEMBER), owner = users.withWallet(OWNER);
        memberToken = tokens.issue(member.id(), "script").token();
        wine = WineModel.create(datasets, models, owner.id(), tmp, 11, true);
        assertThat(mvc.perform(post("/models/" + wine.id() + "/api-settings").with(user(owner)).with(csrf())
                .param("visibility", "PUBLIC").param("price", "10")).andReturn().getResponse().getStatus()).isEqualTo(302);
        chain.fund(TestChain.address(MEMBER), TestChain.AIC.multiply(BigInteger.valueOf(60)));
        deposit(chain, member, MEMBER, "50"); // covers two attempts of the call timeout at 1 AIC a second
    }

    @AfterAll
    void stopWorker() throws Exception {
        if (process != null) {
            process.close();
        }
    }

    /** What a broken or hostile worker answers to a call of two rows, and what the 400 says. */
    private record Misfit(String name, Function<Long, String> result, String error) {
    }

    @Test
    @Order(1)
    void anAnswerThatDoesNotFitItsCallIsRefusedWith400AndTheCallIsAnsweredByThePlazaWithNoServingCharged() throws Exception {
        GpuOffers.IssuedWorker hostile = offer("1");
        List<Misfit> misfits = List.of(
                new Misfit("one row's values for two rows", call -> result(call, "\"" + base64(new float[] {1, 2, 3}) + "\""),
                        "has 3 values, not its 2 rows of width 3"),
                new Misfit("NaN", call -> result(call, "\"" + base64(new float[] {1, 2, 3, 4, Float.NaN, 6}) + "\""),
                        "not a finite number (NaN)"),
                new Misfit("infinity", call -> result(call, "\"" + base64(new float[] {1, 2, 3, 4, 5, Float.POSITIVE_INFINITY}) + "\""),
                        "not a finite number (Infinity)"),
                new Misfit("bad base64", call -> result(call, "\"%%not base64%%\""), "the poll could not be read"),
                new Misfit("a float more than its rows", call -> result(call, "\"" + base64(new float[] {1, 2, 3, 4, 5, 6, 7}) + "\""),
                        "has 7 values, not its 2 rows of width 3"),
                new Misfit("bytes that are not whole floats", call -> result(call, "\""
                        + Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}) + "\""),
                        "9 bytes are not a whole number of float32 values"),
                new Misfit("JSON numbers though it declared float32", call -> result(call, "[1, 2, 3, 4, 5, 6]"),
                        "are not base64 of little-endian float32"));
        for (Misfit misfit : misfits) {
            long callsBefore = count("model_calls");
            CompletableFuture<HttpResponse<String>> handed = poll(hostile, "f32le-base64", "[]");
            awaitOnline();
            CompletableFuture<HttpResponse<String>> prediction = predictAsync(0, 1);
            JsonNode call = calls(handed, hostile, "f32le-base64").get(0);
            assertThat(call.get("rows").asInt()).isEqualTo(2);
            assertThat(LittleEndianFloats.floats(Base64.getDecoder().decode(call.get("inputs").asString())))
                    .as("the rows as base64 of little-endian float32").containsExactly(encoded(0, 1));

            HttpResponse<String> refused = poll(hostile, "f32le-base64", "[" + misfit.result().apply(call.get("call").asLong()) + "]")
                    .get(10, TimeUnit.SECONDS);
            assertThat(refused.statusCode()).as(misfit.name() + ": " + refused.body()).isEqualTo(400);
            assertThat(json.readTree(refused.body()).get("error").asString()).as(misfit.name()).contains(misfit.error());

            HttpResponse<String> answered = prediction.get(60, TimeUnit.SECONDS);
            assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
            assertThat(json.readTree(answered.body()).get("servedBy").asString()).as(misfit.name()).isEqualTo("plaza");
            assertThat(count("model_calls")).isEqualTo(callsBefore + 1);
            assertThat(jdbc.sql("""
                            SELECT count(*) FROM model_calls WHERE id = (SELECT max(id) FROM model_calls)
                              AND worker_id IS NULL AND provider_id IS NULL AND serving_charged_wei = 0 AND latency_ms < ?""")
                    .param(CALL_TIMEOUT.toMillis()).query(Long.class).single())
                    .as(misfit.name() + ": answered by the plaza without waiting out the worker's timeout, no serving charged")
                    .isEqualTo(1);
        }
        assertThat(jdbc.sql("SELECT count(*) FROM credit_charges WHERE payee_id = (SELECT o.provider_id FROM workers w"
                + " JOIN gpu_offers o ON o.id = w.offer_id WHERE w.id = ?)").param(hostile.workerId()).query(Long.class).single())
                .as("the hostile worker's provider is never paid").isZero();
    }

    @Test
    @Order(2)
    void anOlderWorkerGetsJsonNumbersAndItsJsonAnswerIsTakenAndCharged() throws Exception {
        GpuOffers.IssuedWorker older = offer("1");
        CompletableFuture<HttpResponse<String>> handed = poll(older, null, "[]");
        awaitOnline();
        CompletableFuture<HttpResponse<String>> prediction = predictAsync(2, 3);
        JsonNode call = calls(handed, older, null).get(0);
        assertThat(call.get("inputs").isArray()).as("JSON numbers for a worker that declares nothing").isTrue();
        float[] inputs = new float[call.get("inputs").size()];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = call.get("inputs").get(i).floatValue();
        }
        assertThat(inputs).containsExactly(encoded(2, 3));
        List<Float> logits = new ArrayList<>();
        for (int row : new int[] {2, 3}) {
            for (double v : wine.weights().forward(wine.preprocessing().encode(WineModel.record(row)))) {
                logits.add((float) v);
            }
        }
        CompletableFuture<HttpResponse<String>> next = poll(older, null, "[" + result(call.get("call").asLong(),
                json.writeValueAsString(logits)) + "]");
        HttpResponse<String> answered = prediction.get(10, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        JsonNode answer = json.readTree(answered.body());
        assertThat(answer.get("servedBy").asString()).isEqualTo("worker-" + older.workerId());
        assertSameAsIndependentForwardPass(answer, 2, 3);
        assertThat(jdbc.sql("SELECT serving_charged_wei FROM model_calls WHERE id = (SELECT max(id) FROM model_calls)")
                .query(BigDecimal.class).single().signum()).as("its GPU-seconds are charged").isPositive();
        assertThat(next.get(10, TimeUnit.SECONDS).statusCode()).as("nothing more to run: the long poll ends empty").isEqualTo(204);

        // An encoding the plaza does not speak is refused; the worker then gets no calls until it polls properly.
        HttpResponse<String> unknown = poll(older, "f16", "[]").get(10, TimeUnit.SECONDS);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("encoding is json or f32le-base64");
    }

    @Test
    @Order(3)
    void aWorkerProcessSpeaksFloat32AndAnswersAsTheSameWeightsDo() throws Exception {
        GpuOffers.IssuedWorker issued = offer("0.5");
        process = WorkerProcess.start("http://127.0.0.1:" + port, issued.token(), tmp.resolve("cache"), "--no-benchmark");
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            assertThat(process.process().isAlive()).as(process.log()).isTrue();
            return gateway.servingBound().pricePerGpuSecondAic().compareTo(new BigDecimal("0.5")) == 0;
        });
        for (int[] rows : new int[][] {{0, 1, 2, 60, 130}, {4}, {100, 101}}) {
            HttpResponse<String> answered = predictAsync(rows).get(60, TimeUnit.SECONDS);
            assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
            JsonNode answer = json.readTree(answered.body());
            assertThat(answer.get("servedBy").asString()).as(process.log()).isEqualTo("worker-" + issued.workerId());
            assertSameAsIndependentForwardPass(answer, rows);
        }
    }

    // ------------------------------------------------------------------------------------------------

    private GpuOffers.IssuedWorker offer(String price) {
        return offers.register(users.member().id(), new GpuOffers.NewOffer("CPU at " + price, "CPU", 1024, BigDecimal.ONE,
                "local", new BigDecimal(price)));
    }

    /** A poll as a worker sends it, with its results (a JSON array) and the encoding it declares (none: an older worker). */
    private CompletableFuture<HttpResponse<String>> poll(GpuOffers.IssuedWorker worker, String encoding, String results) {
        String body = "{\"maxBatch\": 64, \"maxWaitMs\": 2, \"loaded\": [], "
                + (encoding == null ? "" : "\"encoding\": \"" + encoding + "\", ") + "\"results\": " + results + "}";
        return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/worker/v1/serving/poll"))
                .header("Authorization", "Bearer " + worker.token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String result(long call, String outputs) {
        return "{\"call\": " + call + ", \"outputs\": " + outputs + ", \"width\": 3, \"seconds\": 0.001}";
    }

    /** The calls the worker is handed: polling again while its polls end empty (a loaded machine is slow to call). */
    private JsonNode calls(CompletableFuture<HttpResponse<String>> poll, GpuOffers.IssuedWorker worker, String encoding)
            throws Exception {
        HttpResponse<String> answer = poll.get(10, TimeUnit.SECONDS);
        for (int polls = 1; answer.statusCode() == 204 && polls < 10; polls++) {
            answer = poll(worker, encoding, "[]").get(10, TimeUnit.SECONDS);
        }
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return json.readTree(answer.body()).get("calls");
    }

    /** Whichever hand-polled worker polls now is the one online (the others were refused, or ended their polls). */
    private void awaitOnline() {
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.servingBound().pricePerGpuSecondAic().signum() > 0);
    }

    private CompletableFuture<HttpResponse<String>> predictAsync(int... rows) throws Exception {
        List<Map<String, String>> instances = new ArrayList<>();
        for (int row : rows) {
            instances.add(WineModel.record(row));
        }
        return http.sendAsync(PredictApi.request("http://127.0.0.1:" + port, wine.id(), memberToken,
                json.writeValueAsString(Map.of("instances", instances))), HttpResponse.BodyHandlers.ofString());
    }

    /** The rows as the plaza encodes them for the model: what a worker must be sent. */
    private float[] encoded(int... rows) {
        float[][] each = new float[rows.length][];
        int length = 0;
        for (int i = 0; i < rows.length; i++) {
            each[i] = wine.preprocessing().encode(WineModel.record(rows[i]));
            length += each[i].length;
        }
        float[] all = new float[length];
        int at = 0;
        for (float[] row : each) {
            System.arraycopy(row, 0, all, at, row.length);
            at += row.length;
        }
        return all;
    }

    private static String base64(float[] values) {
        return Base64.getEncoder().encodeToString(LittleEndianFloats.bytes(values));
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
}
