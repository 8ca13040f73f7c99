package ai.aicrypto.plaza.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import ai.aicrypto.plaza.model.card.RecommendedModels;
import ai.aicrypto.plaza.model.card.TrainedCards;
import ai.aicrypto.plaza.model.inference.DenseNetwork;
import ai.aicrypto.plaza.model.inference.F32Tensors;
import ai.aicrypto.plaza.support.DenseWeights;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.PredictApi;
import ai.aicrypto.plaza.support.SklearnData;
import ai.aicrypto.plaza.support.TestUsers;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;
import org.springframework.context.ApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * ops/bench/inference: one prediction at a time over loopback HTTP through {@code POST /api/v1/models/{id}/predict}
 * (token check, access, quota, encoding, weights, network, recording), against the network's own forward pass on the
 * same input with the weights already open, for a table (wine, 13 columns) and an image (Fashion-MNIST MLP). Figures
 * go to stdout and target/inference-bench.txt, `name value` lines first.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "plaza.rate.member-api.per-account=1000000/1m", "plaza.rate.member-api.per-address=1000000/1m"})
class InferenceBench extends IntegrationTest {

    private static final int CALLS = Integer.getInteger("calls", 300);
    /** Calls before those measured: at 30, much of the JIT compilation fell in what was measured (p50 twice the warm one). */
    private static final int WARM_UP = Integer.getInteger("warmup", 2000);

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
    JsonMapper json;
    @TempDir
    Path tmp;

    @Test
    void predictionLatencyThroughThePlazaAgainstTheForwardPassAlone() throws Exception {
        AccountPrincipal owner = users.member();
        String token = tokens.issue(owner.id(), "bench").token();

        long wine = datasets.importDataset(owner.id(), new DatasetUpload(new ListingDraft("Wine", "", List.of(),
                "CC0-1.0", BigDecimal.ZERO), Files.writeString(tmp.resolve("wine.csv"), SklearnData.wineCsv()),
                "wine.csv", null, null, "cultivar"));
        Preprocessing encoding = datasets.preprocessing(wine);
        ObjectNode card = (ObjectNode) RecommendedModels.find(RecommendedModels.MLP, "Wine", encoding, 178).orElseThrow().card().json().deepCopy();
        TrainedCards.describeInput(card, encoding);
        DenseWeights tableWeights = new DenseWeights(1, encoding.featureCount(), 32, 3);
        long table = publish(owner, card.toString(), tableWeights);
        List<String> lines = SklearnData.wineCsv().lines().toList();
        String[] header = lines.get(0).split(","), row = lines.get(1).split(",");
        Map<String, String> record = new LinkedHashMap<>();
        for (int i = 0; i < header.length - 1; i++) {
            record.put(header[i], row[i]);
        }

        DenseWeights imageWeights = new DenseWeights(2, 784, 256, 128, 10);
        String fashionCard = new ClassPathResource("model-card/examples/fashion-mnist-mlp.json")
                .getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
        long image = publish(owner, fashionCard, imageWeights);
        BufferedImage picture = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(picture, "png", png);

        StringBuilder figures = new StringBuilder();
        StringBuilder table2 = new StringBuilder("| model | through the plaza p50 / p99 ms | forward pass p50 / p99 ms |\n| --- | --- | --- |\n");
        for (var c : List.of(
                new Case("table", table, json.writeValueAsString(Map.of("instances", List.of(record))),
                        new ModelCardValidator().parse(card.toString()), tableWeights, encoding.encode(record)),
                new Case("image", image, json.writeValueAsString(Map.of("instances",
                        List.of(Map.of("image", Base64.getEncoder().encodeToString(png.toByteArray()))))),
                        new ModelCardValidator().parse(fashionCard), imageWeights, new float[784]))) {
            double[] plaza = throughThePlaza(token, c);
            double[] alone = forwardAlone(c);
            figures.append(String.format(Locale.ROOT, "predict_%s_p50_ms %.3f%npredict_%s_p99_ms %.3f%n"
                            + "forward_%s_p50_ms %.3f%nplaza_added_%s_p50_ms %.3f%nplaza_added_%s_p99_ms %.3f%n",
                    c.name, percentile(plaza, 50), c.name, percentile(plaza, 99), c.name, percentile(alone, 50),
                    c.name, percentile(plaza, 50) - percentile(alone, 50), c.name, percentile(plaza, 99) - percentile(alone, 99)));
            table2.append(String.format(Locale.ROOT, "| %s | %.2f / %.2f | %.3f / %.3f |%n", c.name,
                    percentile(plaza, 50), percentile(plaza, 99), percentile(alone, 50), percentile(alone, 99)));
        }
        String out = figures + "\n" + table2;
        System.out.println(out);
        Files.writeString(Path.of("target/inference-bench.txt"), out);
    }

    private record Case(String name, long model, String body, ModelCard card, DenseWeights weights, float[] input) {
    }

    /**
     * The predict route's handler lookup in the app's mapping (its hot routes first, platform.HotRouteMapping) against
     * Spring MVC's own mapping of the same controllers, which matches a path with a variable against each of them in
     * turn: the same request, in the same JVM, in interleaved rounds, the best round of each. A plain request, not
     * wrapped as the filters wrap it in the server, where every condition asks for its method through each wrapper: the
     * saving there is larger. Figures to target/route-lookup-bench.txt.
     */
    @Test
    void thePredictRoutesLookupAgainstSpringsFullScan(@Autowired ApplicationContext context) throws Exception {
        RequestMappingHandlerMapping app = context.getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
        RequestMappingHandlerMapping spring = context.getAutowireCapableBeanFactory().createBean(RequestMappingHandlerMapping.class);
        assertThat(app.getClass()).isNotEqualTo(RequestMappingHandlerMapping.class);
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/models/42/predict");
        request.setContentType(MediaType.APPLICATION_JSON_VALUE);
        ServletRequestPathUtils.parseAndCache(request);
        assertThat(((HandlerMethod) app.getHandler(request).getHandler()).getMethod())
                .isEqualTo(((HandlerMethod) spring.getHandler(request).getHandler()).getMethod());

        int lookups = 100_000;
        double appNs = Double.MAX_VALUE, springNs = Double.MAX_VALUE;
        for (int round = 0; round < 8; round++) { // the first rounds warm the JIT up
            appNs = Math.min(appNs, nanosPerLookup(app, request, lookups));
            springNs = Math.min(springNs, nanosPerLookup(spring, request, lookups));
        }
        String out = String.format(Locale.ROOT, "predict_route_lookup_ns %.0f%npredict_route_lookup_spring_full_scan_ns %.0f%n"
                + "predict_route_lookup_vs_full_scan %.3f%nmappings %d%n", appNs, springNs, appNs / springNs,
                spring.getHandlerMethods().size());
        System.out.println(out);
        Files.writeString(Path.of("target/route-lookup-bench.txt"), out);
    }

    private static double nanosPerLookup(RequestMappingHandlerMapping mapping, MockHttpServletRequest request, int lookups)
            throws Exception {
        Object last = null;
        long started = System.nanoTime();
        for (int i = 0; i < lookups; i++) {
            last = mapping.getHandler(request);
        }
        double nanos = (double) (System.nanoTime() - started) / lookups;
        assertThat(last).isNotNull();
        return nanos;
    }

    private double[] throughThePlaza(String token, Case c) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = PredictApi.request("http://127.0.0.1:" + port, c.model, token, c.body);
        double[] ms = new double[CALLS];
        for (int i = -WARM_UP; i < CALLS; i++) {
            long start = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            long took = System.nanoTime() - start;
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            if (i >= 0) {
                ms[i] = took / 1e6;
            }
        }
        return ms;
    }

    /** The same network on the same (already encoded) input, weights open: what a serving worker would do. */
    private double[] forwardAlone(Case c) throws Exception {
        Path file = Files.write(tmp.resolve(c.name + ".safetensors"), c.weights.safetensors());
        double[] ms = new double[CALLS];
        try (F32Tensors tensors = F32Tensors.open(file)) {
            for (int i = -WARM_UP; i < CALLS; i++) {
                long start = System.nanoTime();
                try (NDManager manager = DenseNetwork.cpuManager()) {
                    DenseNetwork.forward(manager, c.card, c.input.length, tensors,
                            manager.create(c.input, new Shape(1, c.input.length))).toFloatArray();
                }
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - start) / 1e6;
                }
            }
        }
        return ms;
    }

    private long publish(AccountPrincipal owner, String card, DenseWeights weights) throws Exception {
        Path file = Files.write(tmp.resolve("w-" + System.nanoTime() + ".safetensors"), weights.safetensors());
        return models.publish(owner.id(), new ModelUpload(card, List.of(), file));
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
