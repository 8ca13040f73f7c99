package ai.aicrypto.plaza.serving.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.net.URI;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.support.AppProcess;
import ai.aicrypto.plaza.support.ConvReference;
import ai.aicrypto.plaza.support.DenseWeights;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.PredictApi;
import ai.aicrypto.plaza.support.TestS3;
import ai.aicrypto.plaza.support.TestUsers;
import ai.aicrypto.plaza.support.WineModel;
import ai.aicrypto.plaza.support.WorkerProcess;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * ops/bench/inference (serving): a real gpu-worker process (CPU) serving through the gateway over loopback, in one run:
 * (1) latency the gateway adds at concurrency 1: each call's time at the client minus the worker's own predict time for
 * that call (its metered GPU-seconds), for the same cases, beside the plaza answering in-process before the worker is online; (2)
 * throughput at concurrency 64 through the gateway (one instance per call, sent by wrk; with the CPU the plaza, the worker
 * and the database spent per call, and the plaza's cores a worker's own rate would need) against the worker's own batched predict
 * of batches of the mean size the gateway handed out under that load, with the machine to itself (rows over its
 * metered predict time), for a table, an image MLP (its picture as base64 in JSON, and as a file in a multipart body:
 * image_file) and an image cnn; (3) a cold start: the first call
 * of a model no worker holds; (4) a call forwarded from a second instance (same database and bucket) that no worker
 * polls, against the same call served through this one, alternating; (5) for cnn models, the first call here (a cold
 * start) against the next through the second instance (forwarded to this one's worker, warm): what a warm worker
 * elsewhere saves over a cold one here. Figures go to stdout and
 * target/serving-bench.txt, `name value` lines first.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServingBench extends IntegrationTest {

    /** What this instance and the second one (started for the forwarded calls) share: database, bucket, secret. */
    private static final Map<String, String> BOTH = new LinkedHashMap<>();
    private static int dbPort;

    @DynamicPropertySource
    static void aDatabaseAndBucketASecondInstanceShares(DynamicPropertyRegistry registry) throws Exception {
        dbPort = AppProcess.freePort();
        registry.add("plaza.db.embedded-port", () -> dbPort);
        BOTH.putAll(TestS3.bucketSettings("plaza-serving-bench-" + ProcessHandle.current().pid()));
        BOTH.putAll(Map.of("plaza.serving.instances.secret", "the-serving-bench-instances-secret-" + System.nanoTime(),
                "plaza.serving.instances.heartbeat", "500ms", "plaza.serving.poll-timeout", "5s",
                "plaza.rate.member-api.per-account", "100000000/1m", "plaza.rate.member-api.per-address", "100000000/1m"));
        BOTH.forEach((name, value) -> registry.add(name, () -> value));
    }

    private static final int CALLS = Integer.getInteger("calls", 300);
    /** Calls before those measured: at 50, much of the JIT compilation fell in what was measured (p50 twice the warm one). */
    private static final int WARM_UP = Integer.getInteger("warmup", 2000);
    private static final int CONCURRENCY = 64;
    private static final int CNN_MODELS = Integer.getInteger("cnnModels", 9);
    private static final Duration LOAD = Duration.ofSeconds(Long.getLong("seconds", 15));

    @LocalServerPort
    int port;
    @Autowired
    TestUsers users;
    @Autowired
    Models models;
    @Autowired
    Datasets datasets;
    @Autowired
    ApiTokens tokens;
    @Autowired
    GpuOffers offers;
    @Autowired
    MeterRegistry meters;
    @Autowired
    JsonMapper json;
    @Autowired
    PlazaProperties plaza;
    @Autowired
    Environment environment;
    @TempDir
    Path tmp;

    @Test
    void gatewayLatencyThroughputAndColdStart() throws Exception {
        AccountPrincipal owner = users.member();
        String token = tokens.issue(owner.id(), "bench").token();
        WineModel wine = WineModel.create(datasets, models, owner.id(), tmp, 1, true);
        Object wineRecord = WineModel.record(0);
        String table = json.writeValueAsString(Map.of("instances", List.of(wineRecord)));
        String fashionCard = new ClassPathResource("model-card/examples/fashion-mnist-mlp.json").getContentAsString(
                java.nio.charset.StandardCharsets.UTF_8);
        long fashion = publish(owner, fashionCard, new DenseWeights(2, 784, 256, 128, 10));
        BufferedImage picture = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(picture, "png", png);
        Object pictureInstance = Map.of("image", Base64.getEncoder().encodeToString(png.toByteArray()));
        String image = json.writeValueAsString(Map.of("instances", List.of(pictureInstance)));
        String here = "http://127.0.0.1:" + port;
        // The same picture as a file (multipart), to weigh against base64 in JSON
        HttpRequest imageFile = PredictApi.filesRequest(here, fashion, token, "en", "image", List.of(png.toByteArray()));
        StringBuilder figures = new StringBuilder();

        // Baseline in the same run: the plaza answering in-process (no serving worker online yet).
        double[] inProcess = sequential(PredictApi.request(here, wine.id(), token, table), CALLS);
        figures.append(line("inprocess_table_p50_ms", percentile(inProcess, 50)))
                .append(line("inprocess_table_p99_ms", percentile(inProcess, 99)));

        GpuOffers.IssuedWorker issued = offers.register(owner.id(), new GpuOffers.NewOffer("Bench CPU", "CPU", 4096,
                BigDecimal.ONE, "local", BigDecimal.ZERO));
        try (WorkerProcess worker = WorkerProcess.start("http://127.0.0.1:" + port, issued.token(), tmp.resolve("cache"),
                "--no-benchmark", "--serve-batch", "64", "--serve-wait-ms", "2")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                assertThat(worker.process().isAlive()).as(worker.log()).isTrue();
                return call(HttpClient.newHttpClient(), token, wine.id(), table).get("servedBy").asString().startsWith("worker-");
            });
            Case tableCase = new Case("table", wine.id(), PredictApi.request(here, wine.id(), token, table), wineRecord),
                    imageCase = new Case("image", fashion, PredictApi.request(here, fashion, token, image), pictureInstance),
                    imageFileCase = new Case("image_file", fashion, imageFile, pictureInstance);
            for (var c : List.of(tableCase, imageCase, imageFileCase)) {
                long firstCall = lastCallId() + 1;
                double[] through = sequential(c.request, CALLS);
                double[] predict = predictMs(firstCall, CALLS);
                double[] added = new double[CALLS];
                for (int i = 0; i < CALLS; i++) {
                    added[i] = through[i] - predict[i];
                }
                if (c.name.equals("table")) { // the same model and input as the in-process baseline
                    figures.append(line("gateway_minus_inprocess_table_p50_ms", percentile(through, 50) - percentile(inProcess, 50)));
                }
                figures.append(line("gateway_" + c.name + "_p50_ms", percentile(through, 50)))
                        .append(line("gateway_added_" + c.name + "_p50_ms", percentile(added, 50)))
                        .append(line("gateway_added_" + c.name + "_p99_ms", percentile(added, 99)))
                        .append(line("worker_predict_" + c.name + "_p50_ms", percentile(predict, 50)));
            }
            // A cnn: a model whose forward pass, not the gateway, takes most of a call.
            String cnnCard = new ClassPathResource("model-card/examples/fashion-mnist-cnn.json").getContentAsString(
                    java.nio.charset.StandardCharsets.UTF_8);
            Path cnnWeights = Files.write(tmp.resolve("cnn-load.safetensors"),
                    ConvReference.random(new ModelCardValidator().parse(cnnCard), 99).safetensors());
            long cnn = models.publish(owner.id(), new ModelUpload(cnnCard, List.of(), cnnWeights));
            for (var c : List.of(tableCase, imageCase, imageFileCase,
                    new Case("cnn", cnn, PredictApi.request(here, cnn, token, image), pictureInstance))) {
                DistributionSummary batches = meters.find("plaza.serving.batch.rows").summary();
                long batchesBefore = batches.count();
                double rowsBefore = batches.totalAmount();
                Load load = wrkLoad(c.request, worker.process().toHandle());
                double meanBatch = (batches.totalAmount() - rowsBefore) / (batches.count() - batchesBefore);
                double gateway = load.callsPerSecond(), own = quietBatched(token, c, meanBatch);
                figures.append(line("gateway_" + c.name + "_c64_calls_per_s", gateway))
                        .append(line("plaza_cpu_" + c.name + "_c64_ms_per_call", load.plazaCpuMsPerCall()))
                        .append(line("worker_cpu_" + c.name + "_c64_ms_per_call", load.workerCpuMsPerCall()))
                        .append(line("postgres_cpu_" + c.name + "_c64_ms_per_call", load.postgresCpuMsPerCall()))
                        .append(line("worker_own_batched_" + c.name + "_rows_per_s", own))
                        .append(line("gateway_vs_worker_" + c.name + "_ratio", gateway / own))
                        // On machines of its own (as the plaza and providers are): the plaza's cores a worker's own rate needs.
                        .append(line("plaza_cores_per_worker_" + c.name, own * load.plazaCpuMsPerCall() / 1000))
                        .append(line("batch_rows_" + c.name + "_mean", meanBatch));
                for (ValueAtPercentile p : batches.takeSnapshot().percentileValues()) {
                    figures.append(line("batch_rows_cumulative_p" + Math.round(p.percentile() * 100), p.value()));
                }
            }
            forwarded(owner, token, wine.id(), table, image, figures);
            long cold = publish(owner, fashionCard, new DenseWeights(3, 784, 256, 128, 10));
            HttpClient http = HttpClient.newHttpClient();
            long start = System.nanoTime();
            JsonNode first = call(http, token, cold, image);
            double coldMs = (System.nanoTime() - start) / 1e6;
            assertThat(first.get("coldStart").asBoolean()).isTrue();
            figures.append(line("cold_start_image_ms", coldMs));
        }
        String out = figures.toString();
        System.out.println(out);
        Files.writeString(Path.of("target/serving-bench.txt"), out);
    }

    /**
     * @param request  one call, sent again and again
     * @param instance one instance of it in JSON, for bodies of many
     */
    private record Case(String name, long model, HttpRequest request, Object instance) {
    }

    /**
     * The worker's own batched predict with the machine to itself: calls of {@code meanBatch} instances each (the mean
     * batch the gateway handed out under load), one at a time, so the worker's metered time is its forward pass of such
     * a batch with no other work competing for the cores. Not its metered time under the load itself: there the plaza's
     * threads share the cores with it, and its pollers' batches overlap, so the time it meters grows with the load
     * (a cnn's "own" rate came out below the gateway's).
     */
    private double quietBatched(String token, Case c, double meanBatch) throws Exception {
        int rows = (int) Math.max(1, Math.round(meanBatch));
        String body = json.writeValueAsString(Map.of("instances", java.util.Collections.nCopies(rows, c.instance)));
        HttpClient http = HttpClient.newHttpClient();
        long warmUntil = System.nanoTime() + 2_000_000_000L;
        for (int i = 0; i < 100 && System.nanoTime() < warmUntil; i++) {
            call(http, token, c.model, body);
        }
        long firstCall = lastCallId() + 1, measureUntil = System.nanoTime() + 5_000_000_000L;
        int measured = 0;
        while (measured < 200 && (measured < 5 || System.nanoTime() < measureUntil)) {
            call(http, token, c.model, body);
            measured++;
        }
        double seconds = jdbc.sql("SELECT sum(gpu_seconds) FROM model_calls WHERE id >= ? AND worker_id IS NOT NULL")
                .param(firstCall).query(Double.class).single();
        return (double) measured * rows / seconds;
    }

    /**
     * A second instance on the same database and bucket, which no worker polls: its calls are forwarded to this one,
     * whose worker serves them. Calls alternate between the two instances (so both see the same load on this shared
     * machine): a served call's time through this instance, and through the other.
     */
    private void forwarded(AccountPrincipal owner, String token, long model, String body, String image,
                           StringBuilder figures) throws Exception {
        List<String> arguments = new ArrayList<>();
        BOTH.forEach((name, value) -> arguments.add("--" + name + "=" + value));
        try (AppProcess second = AppProcess.startBeside(plaza.dataDir(), Path.of(environment.getRequiredProperty("plaza.chain.deployment")),
                environment.getRequiredProperty("plaza.chain.rpc-url"), dbPort, arguments.toArray(String[]::new))) {
            second.awaitReady();
            HttpClient here = HttpClient.newHttpClient(), there = HttpClient.newHttpClient();
            String local = "http://127.0.0.1:" + port, other = second.url();
            await().atMost(Duration.ofSeconds(60)).until(() -> call(there, other, token, model, body).get("servedBy").asString()
                    .startsWith("worker-"));
            for (int i = 0; i < WARM_UP; i++) {
                call(here, local, token, model, body);
                call(there, other, token, model, body);
            }
            double[] localMs = new double[CALLS], forwardedMs = new double[CALLS];
            for (int i = 0; i < CALLS; i++) {
                long start = System.nanoTime();
                call(here, local, token, model, body);
                localMs[i] = (System.nanoTime() - start) / 1e6;
                start = System.nanoTime();
                assertThat(call(there, other, token, model, body).get("servedBy").asString()).startsWith("worker-");
                forwardedMs[i] = (System.nanoTime() - start) / 1e6;
            }
            figures.append(line("served_local_table_p50_ms", percentile(localMs, 50)))
                    .append(line("served_forwarded_table_p50_ms", percentile(forwardedMs, 50)))
                    .append(line("served_forwarded_table_p99_ms", percentile(forwardedMs, 99)))
                    .append(line("served_forwarded_minus_local_p50_ms", percentile(forwardedMs, 50) - percentile(localMs, 50)));
            coldHereAgainstWarmThere(owner, token, image, here, local, there, other, figures);
        }
    }

    /**
     * What routing a call to a worker elsewhere that holds the model saves over a worker here that would load it: for
     * {@value #CNN_MODELS} cnn models (the example card, seeded weights) no worker holds, the first call through this
     * instance (the worker loads the model: a cold start) against the next one through the other instance (forwarded
     * here, the model loaded: warm, one hop more).
     */
    private void coldHereAgainstWarmThere(AccountPrincipal owner, String token, String image, HttpClient here, String local,
                                          HttpClient there, String other, StringBuilder figures) throws Exception {
        String cardJson = new ClassPathResource("model-card/examples/fashion-mnist-cnn.json").getContentAsString(
                java.nio.charset.StandardCharsets.UTF_8);
        ModelCard card = new ModelCardValidator().parse(cardJson);
        double[] coldMs = new double[CNN_MODELS], warmForwardedMs = new double[CNN_MODELS];
        for (int i = 0; i < CNN_MODELS; i++) {
            Path file = Files.write(tmp.resolve("cnn-" + i + ".safetensors"), ConvReference.random(card, 100 + i).safetensors());
            long cnn = models.publish(owner.id(), new ModelUpload(cardJson, List.of(), file));
            long start = System.nanoTime();
            assertThat(call(here, local, token, cnn, image).get("coldStart").asBoolean()).isTrue();
            coldMs[i] = (System.nanoTime() - start) / 1e6;
            start = System.nanoTime();
            JsonNode warm = call(there, other, token, cnn, image);
            warmForwardedMs[i] = (System.nanoTime() - start) / 1e6;
            assertThat(warm.get("coldStart").asBoolean()).isFalse();
        }
        figures.append(line("cnn_cold_here_p50_ms", percentile(coldMs, 50)))
                .append(line("cnn_warm_forwarded_p50_ms", percentile(warmForwardedMs, 50)))
                .append(line("cnn_cold_here_minus_warm_forwarded_p50_ms", percentile(coldMs, 50) - percentile(warmForwardedMs, 50)));
    }

    private double[] sequential(HttpRequest request, int calls) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < WARM_UP; i++) {
            call(http, request);
        }
        double[] ms = new double[calls];
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            call(http, request);
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        return ms;
    }

    /**
     * @param callsPerSecond    calls answered per second
     * @param plazaCpuMsPerCall CPU time of this JVM (the plaza; wrk runs apart) per call answered
     * @param workerCpuMsPerCall CPU time of the worker's processes per call answered
     * @param postgresCpuMsPerCall CPU time of the database's processes per call answered (they share the cores too)
     */
    private record Load(double callsPerSecond, double plazaCpuMsPerCall, double workerCpuMsPerCall, double postgresCpuMsPerCall) {
    }

    /**
     * {@link #LOAD} of {@value #CONCURRENCY} connections calling back to back, after 5 s of the same, sent by wrk (C, epoll)
     * rather than by threads of this JVM: the JDK's client on 64 threads took about as much CPU per call as the gateway
     * itself, on the same two cores, so the figure weighed the load generator as much as the plaza. Fails on any answer
     * that is not 200 and on any call not answered within 10 s.
     */
    private Load wrkLoad(HttpRequest request, ProcessHandle worker) throws Exception {
        Path body = Files.write(tmp.resolve("body-" + System.nanoTime()), bodyOf(request));
        Path script = Files.writeString(tmp.resolve("post-" + System.nanoTime() + ".lua"), """
                wrk.method = "POST"
                local f = assert(io.open("%s", "rb"))
                wrk.body = f:read("*a")
                f:close()
                """.formatted(body));
        List<String> command = new ArrayList<>(List.of("wrk", "-t2", "-c" + CONCURRENCY, "--timeout", "10s", "-s", script.toString()));
        request.headers().map().forEach((name, values) -> values.forEach(v -> command.addAll(List.of("-H", name + ": " + v))));
        wrk(command, Duration.ofSeconds(5), request.uri());
        long plazaBefore = cpuNanos(ProcessHandle.current()), workerBefore = treeCpuNanos(worker), postgresBefore = postgresCpuNanos();
        String out = wrk(command, LOAD, request.uri());
        double plazaCpu = cpuNanos(ProcessHandle.current()) - plazaBefore, workerCpu = treeCpuNanos(worker) - workerBefore,
                postgresCpu = postgresCpuNanos() - postgresBefore;
        Matcher answered = Pattern.compile("(\\d+) requests in").matcher(out),
                rate = Pattern.compile("Requests/sec:\\s+([\\d.]+)").matcher(out);
        assertThat(answered.find() && rate.find()).as(out).isTrue();
        long calls = Long.parseLong(answered.group(1));
        return new Load(Double.parseDouble(rate.group(1)), plazaCpu / 1e6 / calls, workerCpu / 1e6 / calls, postgresCpu / 1e6 / calls);
    }

    private String wrk(List<String> command, Duration load, URI uri) throws Exception {
        List<String> run = new ArrayList<>(command);
        run.addAll(List.of("-d", load.toSeconds() + "s", uri.toString()));
        Process wrk = new ProcessBuilder(run).redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(wrk.waitFor()).as(out).isZero();
        assertThat(out).as("every call answered 200 in time").doesNotContain("Non-2xx").doesNotContain("Socket errors");
        return out;
    }

    private static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().orElseThrow().toNanos();
    }

    /** This test's database server and its backends (the pool keeps them open, so a run's CPU stays on them). */
    private static long postgresCpuNanos() {
        ProcessHandle server = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().filter(c -> c.contains("bin/postgres") && c.contains("-p " + dbPort + " ")).isPresent())
                .findFirst().orElseThrow();
        return treeCpuNanos(server);
    }

    /**
     * A process's CPU time and its children's: a worker that found PyTorch's convolution gradients wrong does its work
     * in a child it started (gpu-worker ConvGradients).
     */
    private static long treeCpuNanos(ProcessHandle process) {
        return cpuNanos(process) + process.descendants().mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
    }

    /** The bytes a request sends, for wrk to send the same. */
    private static byte[] bodyOf(HttpRequest request) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<Void> read = new CompletableFuture<>();
        request.bodyPublisher().orElseThrow().subscribe(new Flow.Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] bytes = new byte[item.remaining()];
                item.get(bytes);
                out.writeBytes(bytes);
            }

            @Override
            public void onError(Throwable failure) {
                read.completeExceptionally(failure);
            }

            @Override
            public void onComplete() {
                read.complete(null);
            }
        });
        read.get();
        return out.toByteArray();
    }

    private JsonNode call(HttpClient http, String token, long model, String body) throws Exception {
        return call(http, "http://127.0.0.1:" + port, token, model, body);
    }

    private JsonNode call(HttpClient http, String instance, String token, long model, String body) throws Exception {
        return call(http, PredictApi.request(instance, model, token, body));
    }

    private JsonNode call(HttpClient http, HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private long lastCallId() {
        return jdbc.sql("SELECT coalesce(max(id), 0) FROM model_calls").query(Long.class).single();
    }

    /** The worker's own predict time of each measured call (its metered GPU-seconds), in call order. */
    private double[] predictMs(long firstCall, int calls) {
        List<Double> seconds = jdbc.sql("SELECT gpu_seconds FROM model_calls WHERE id >= ? ORDER BY id")
                .param(firstCall + WARM_UP).query(Double.class).list();
        assertThat(seconds).hasSize(calls);
        return seconds.stream().mapToDouble(s -> s * 1000).toArray();
    }

    private long publish(AccountPrincipal owner, String card, DenseWeights weights) throws Exception {
        Path file = Files.write(tmp.resolve("w-" + System.nanoTime() + ".safetensors"), weights.safetensors());
        return models.publish(owner.id(), new ModelUpload(card, List.of(), file));
    }

    private static String line(String name, double value) {
        return String.format(Locale.ROOT, "%s %.3f%n", name, value);
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
