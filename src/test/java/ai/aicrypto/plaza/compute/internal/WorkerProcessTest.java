package ai.aicrypto.plaza.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import ai.aicrypto.plaza.dataset.internal.TestImports;
import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import ai.aicrypto.plaza.model.card.RecommendedModels;
import ai.aicrypto.plaza.support.SklearnData;
import ai.aicrypto.plaza.compute.internal.web.PriceEstimate;
import ai.aicrypto.plaza.platform.IntegrityException;
import ai.aicrypto.plaza.support.ImageFolderZips;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import ai.aicrypto.plaza.support.WorkerProcess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.json.JsonMapper;

/**
 * Real gpu-worker processes (the fat jar, CPU engine) against the app on a real port, on a 1,000-row slice of
 * Fashion-MNIST: a job end to end, a worker killed with -9 mid-job and a second one finishing it, the idle command
 * stopped while training, a fake worker (a plain HTTP client) whose random weights claim a good accuracy, and the
 * epoch audits: an honest job audited by another provider's worker, a lazy worker (gpu-worker's simulated cheater)
 * caught, and a lazy auditor overruled by a second audit; gradient-boosted trees on a real table, honest and lying.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "plaza.compute.max-weights-size=4MB") // the MLP's weights take about 1 MB
class WorkerProcessTest extends IntegrationTest {

    private static final int WAIT_SECONDS = 240;

    @LocalServerPort
    int port;
    @Autowired
    TestImports imports;
    @Autowired
    GpuOffers offers;
    @Autowired
    TrainingJobs jobs;
    @Autowired
    JobQueue queue;
    @Autowired
    JobResults results;
    @Autowired
    Datasets datasets;
    @Autowired
    Models models;
    @Autowired
    TestUsers users;
    @Autowired
    JsonMapper json;
    @Autowired
    ApiTokens tokens;
    private final ModelCardValidator cards = new ModelCardValidator();

    @TempDir
    Path tmp;

    AccountPrincipal requester;
    long provider;
    long dataset;
    long model;

    @BeforeEach
    void fashionSliceAndMlp() throws Exception {
        jdbc.sql("UPDATE training_jobs SET status = 'CANCELLED', worker_id = NULL, lease_expires_at = NULL "
                + "WHERE status IN ('QUEUED', 'LEASED')").update();
        requester = users.member();
        provider = users.member().id();
        List<Path> idx = WorkerProcess.fashionSlice(tmp, 1000);
        dataset = datasets.importDataset(requester.id(), new DatasetUpload(new ListingDraft("Fashion slice", "", List.of(),
                "MIT", BigDecimal.ZERO), idx.get(0), "slice-images-idx3-ubyte", idx.get(1), "slice-labels-idx1-ubyte", null));
        model = models.publish(requester.id(), new ModelUpload(new ClassPathResource("model-card/examples/fashion-mnist-mlp.json")
                .getContentAsString(StandardCharsets.UTF_8), List.of(), null));
    }

    @Test
    void aWorkerTrainsVerifiedJobsAndReusesItsCache() throws Exception {
        GpuOffers.IssuedWorker issued = register();
        long first = jobs.submit(requester.id(), dataset, model, "{\"epochs\": 3}", 0);
        long second = jobs.submit(requester.id(), dataset, model, "{\"epochs\": 2, \"seed\": 5}", 0);
        try (WorkerProcess worker = WorkerProcess.start(plaza(), issued.token(), tmp.resolve("cache"))) {
            awaitFinished(worker, first);
            awaitFinished(worker, second);
            assertThat(status(first)).as(worker.log()).isEqualTo("SUCCEEDED");
            assertThat(status(second)).as(worker.log()).isEqualTo("SUCCEEDED");
            assertThat(worker.log()).contains("dataset " + dataset + ": 0 shard(s) from the cache, 1 downloaded")
                    .contains("dataset " + dataset + ": 1 shard(s) from the cache, 0 downloaded");
            await(worker, () -> jdbc.sql("SELECT ? = ANY (cached_datasets) FROM workers WHERE id = ?")
                    .params(dataset, issued.workerId()).query(Boolean.class).single());
        }
        assertThat(jdbc.sql("SELECT measured_score FROM workers WHERE id = ?").param(issued.workerId()).query(Double.class).single())
                .as("the start-up benchmark's score").isPositive();
        assertThat(jdbc.sql("SELECT epoch FROM job_progress WHERE job_id = ? ORDER BY seq").param(first).query(Integer.class).list())
                .containsExactly(1, 2, 3);
        assertThat(jdbc.sql("SELECT verdict FROM job_results WHERE job_id = ?").param(first).query(String.class).single())
                .isEqualTo("VERIFIED");
        assertThat(jdbc.sql("SELECT verified_accuracy FROM job_results WHERE job_id = ?").param(first).query(Double.class).single())
                .isGreaterThan(0.5);
        assertThat(jdbc.sql("SELECT user_id FROM settlements WHERE job_id = ? AND kind = 'PAY_PROVIDER' AND amount_aic > 0")
                .param(first).query(Long.class).single()).isEqualTo(provider);
        for (long job : List.of(first, second)) {
            // How long an honest attempt held its lease, against the time its benchmarked rate gives (billing's slack).
            Map<String, Object> held = jdbc.sql("""
                    SELECT EXTRACT(EPOCH FROM r.uploaded_at - a.leased_at) AS seconds, a.rate_samples_per_s AS rate,
                           (j.hyperparameters ->> 'epochs')::int AS epochs, d.row_count
                    FROM job_attempts a JOIN job_results r USING (job_id, attempt) JOIN training_jobs j ON j.id = a.job_id
                         JOIN datasets d ON d.listing_id = j.dataset_id WHERE a.job_id = ?""").param(job).query().singleRow();
            double expected = PriceEstimate.seconds(((Number) held.get("row_count")).longValue(), (Integer) held.get("epochs"),
                    cards.parse(models.cardJson(model)), ((Number) held.get("rate")).doubleValue());
            System.out.printf("honest job %d: held %.2f s, benchmarked time %.2f s, ratio %.2f%n", job,
                    ((Number) held.get("seconds")).doubleValue(), expected, ((Number) held.get("seconds")).doubleValue() / expected);
        }
        assertThat(jdbc.sql("SELECT count(*) FROM settlements WHERE kind = 'REFUND_REQUESTER' AND job_id IN (?, ?)")
                .params(first, second).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT verified_jobs || '/' || reliability FROM workers WHERE id = ?").param(issued.workerId())
                .query(String.class).single()).isEqualTo("2/1");

        Map<String, Object> record = jdbc.sql("SELECT * FROM training_records WHERE job_id = ?").param(first).query().singleRow();
        assertThat(record).containsEntry("worker_id", issued.workerId()).containsEntry("offer_id", issued.offerId())
                .containsEntry("dataset_id", dataset).containsEntry("base_model_id", model);
        long trained = (Long) record.get("trained_model_id");
        assertThat(jdbc.sql("SELECT owner_id || ' ' || status FROM listings WHERE id = ?").param(trained).query(String.class).single())
                .as("a private listing of the requester").isEqualTo(requester.id() + " UNPUBLISHED");
        // The job's page shows what the plaza measured and leads to the model.
        String page = mvc.perform(get("/jobs/" + first).with(user(requester))).andReturn().getResponse().getContentAsString();
        assertThat(page).contains("id=\"job-result\"").containsPattern("id=\"verified-accuracy\">[0-9][^<]*%<")
                .contains("id=\"trained-model\"").contains("href=\"/models/" + trained + "\"").doesNotContain("id=\"awaiting-settlement\"");
        MvcResult download = mvc.perform(get("/models/" + trained + "/weights").with(user(requester))).andReturn();
        byte[] weights = mvc.perform(asyncDispatch(download)).andReturn().getResponse().getContentAsByteArray();
        assertThat(new String(weights, 8, 200, StandardCharsets.UTF_8)).contains("layers.0.weight");
        assertThat(mvc.perform(get("/models/" + trained + "/card.json").with(user(requester))).andReturn().getResponse()
                .getContentAsString()).contains("trained, job " + first);
        assertThat(mvc.perform(get("/models/" + trained + "/weights").with(user(users.member()))).andReturn().getResponse()
                .getStatus()).as("private to the requester").isEqualTo(404);
    }

    @Test
    void aTableOfTheUsersOwnTrainsWithTheRecommendedNetworkAndTheModelTakesRawRecords() throws Exception {
        Path csv = Files.writeString(tmp.resolve("wine.csv"), SklearnData.wineCsv());
        long wine = datasets.importDataset(requester.id(), new DatasetUpload(new ListingDraft("Wine", "", List.of(),
                "CC0-1.0", BigDecimal.ZERO), csv, "wine.csv", null, null, "cultivar"));
        Preprocessing encoding = datasets.preprocessing(wine);
        RecommendedModels.Recommendation network = RecommendedModels.find(RecommendedModels.MLP, "Wine", encoding, 178).orElseThrow();
        long card = models.createPrivate(requester.id(), new ModelUpload(network.card().json().toString(), List.of(), null));
        long job = jobs.submit(requester.id(), wine, card, "{}", 0);

        try (WorkerProcess worker = WorkerProcess.start(plaza(), register().token(), tmp.resolve("cache"))) {
            awaitFinished(worker, job);
            assertThat(status(job)).as(worker.log()).isEqualTo("SUCCEEDED");
        }
        // Measured by the plaza on wines the worker never received; standardised inputs make this easy.
        double accuracy = jdbc.sql("SELECT verified_accuracy FROM job_results WHERE job_id = ?").param(job)
                .query(Double.class).single();
        System.out.printf("wine, recommended network: held-out accuracy %.3f%n", accuracy);
        assertThat(accuracy).isGreaterThanOrEqualTo(0.85);
        long trained = jdbc.sql("SELECT trained_model_id FROM training_records WHERE job_id = ?").param(job)
                .query(Long.class).single();
        ModelCard trainedCard = cards.parse(models.cardJson(trained));
        assertThat(trainedCard.specVersion()).isEqualTo("1.1");
        assertThat(trainedCard.preprocessing()).contains(encoding);
        assertThat(trainedCard.classes()).containsExactly("class_0", "class_1", "class_2");
        assertThat(trainedCard.json().at("/interface/input/columns").size()).isEqualTo(13);
        assertThat(trainedCard.json().at("/interface/input/columns/12/name").stringValue()).isEqualTo("proline");
        // The first wine of the file, as its row reads, encodes to the card's input width.
        String[] header = SklearnData.wineCsv().lines().findFirst().orElseThrow().split(",");
        String[] first = SklearnData.wineCsv().lines().skip(1).findFirst().orElseThrow().split(",");
        Map<String, String> raw = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 13; i++) {
            raw.put(header[i], first[i]);
        }
        assertThat(trainedCard.preprocessing().orElseThrow().encode(raw)).hasSize((int) trainedCard.inputFeatureCount());
    }

    /**
     * The whole path of an image dataset's owner with a CNN: the builder's recommended CNN for their Fashion-MNIST slice,
     * trained by a real worker on its CPU engine (DJL/PyTorch), verified by the plaza's plain-Java forward pass on images
     * the worker never received, and answering the prediction API for pictures as DJL's own forward pass of the
     * downloaded weights does.
     */
    @Test
    void anImageDatasetTrainsTheRecommendedCnnAndTheModelAnswersPicturesAsDjlDoes() throws Exception {
        Preprocessing encoding = datasets.preprocessing(dataset);
        RecommendedModels.Recommendation cnn = RecommendedModels.forDataset("Fashion slice", encoding, 1000).get(0);
        assertThat(cnn.key()).isEqualTo(RecommendedModels.CNN);
        long card = models.createPrivate(requester.id(), new ModelUpload(cnn.card().json().toString(), List.of(), null));
        // one short epoch: this machine's CPU is slow at convolutions; ConvEngineTest holds longer runs to an accuracy bar
        long job = jobs.submit(requester.id(), dataset, card, "{\"epochs\": 1, \"batchSize\": 32}", 0);
        try (WorkerProcess worker = WorkerProcess.start(plaza(), register().token(), tmp.resolve("cache"), "--no-benchmark")) {
            awaitFinished(worker, job);
            assertThat(status(job)).as(worker.log()).isEqualTo("SUCCEEDED");
        }
        double accuracy = jdbc.sql("SELECT verified_accuracy FROM job_results WHERE job_id = ?").param(job)
                .query(Double.class).single();
        System.out.printf("fashion slice, recommended cnn, 1 epoch: held-out accuracy %.3f%n", accuracy);
        assertThat(accuracy).as("chance is 0.1").isGreaterThanOrEqualTo(0.5);
        long trained = jdbc.sql("SELECT trained_model_id FROM training_records WHERE job_id = ?").param(job).query(Long.class).single();
        ModelCard trainedCard = cards.parse(models.cardJson(trained));
        assertThat(trainedCard.isConvolutional()).isTrue();
        assertThat(trainedCard.specVersion()).isEqualTo("1.3");
        assertThat(trainedCard.preprocessing()).contains(encoding);

        MvcResult download = mvc.perform(get("/models/" + trained + "/weights").with(user(requester))).andReturn();
        Path weights = Files.write(tmp.resolve("cnn.safetensors"),
                mvc.perform(asyncDispatch(download)).andReturn().getResponse().getContentAsByteArray());
        ai.aicrypto.plaza.support.ConvReference djl = ai.aicrypto.plaza.support.ConvReference.read(trainedCard, weights);
        assertThat(djl.values()).containsKeys("conv.0.weight", "bn.0.running_var", "conv.1.weight", "layers.1.bias");

        // Pictures the worker never saw (t10k images past the slice), sent as PNG files.
        int first = 1000, count = 40;
        float[] pixels = ai.aicrypto.plaza.support.ConvReference.fashionImages(first + count);
        int[] truth = ai.aicrypto.plaza.support.ConvReference.fashionLabels(first + count);
        List<Map<String, String>> instances = new ArrayList<>();
        float[] encoded = new float[count * 784];
        for (int i = 0; i < count; i++) {
            java.awt.image.BufferedImage picture = new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            for (int p = 0; p < 784; p++) {
                picture.getRaster().setSample(p % 28, p / 28, 0, Math.round(pixels[(first + i) * 784 + p] * 255));
            }
            java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.write(picture, "png", png);
            instances.add(Map.of("image", Base64.getEncoder().encodeToString(png.toByteArray())));
            System.arraycopy(trainedCard.preprocessing().orElseThrow().encode(picture), 0, encoded, i * 784, 784);
        }
        String answer = mvc.perform(post("/api/v1/models/" + trained + "/predict")
                        .header("Authorization", "Bearer " + tokens.issue(requester.id(), "cnn").token())
                        .contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(Map.of("instances", instances))))
                .andReturn().getResponse().getContentAsString();
        float[] logits = djl.forward(encoded, count);
        int right = 0;
        for (int i = 0; i < count; i++) {
            assertProbabilitiesOf(json.readTree(answer), i, logits, trainedCard.classes());
            right += json.readTree(answer).at("/predictions/" + i + "/label").stringValue()
                    .equals(trainedCard.classes().get(truth[first + i])) ? 1 : 0;
        }
        assertThat(right).as("pictures it never saw, named right").isGreaterThanOrEqualTo(count / 2);
    }

    /**
     * The whole path of someone with photos in class folders: Fashion-MNIST items zipped as PNG files (folders named
     * "T-shirt", "Trouser", ...) uploaded through the form, the builder's recommended CNN trained by a real worker, and
     * the model naming a 64 x 64 colour picture of an item by its folder's name, on the page ("Try it") and through the
     * API, with the answer DJL gives for that picture resized and made grey as the dataset's images were.
     */
    @Test
    void aZipOfClassFoldersTrainsTheRecommendedCnnAndTheModelNamesLargerColourPictures() throws Exception {
        int count = 400;
        long folders = uploadZip(ImageFolderZips.fashion(tmp.resolve("fashion.zip"), count), "", "");
        Preprocessing encoding = datasets.preprocessing(folders);
        List<String> classes = ImageFolderZips.FASHION_CLASSES.stream().sorted().toList();
        assertThat(encoding.label().classes()).containsExactlyElementsOf(classes);
        long trained = trainRecommendedCnn(folders, encoding, count, "{\"epochs\": 3, \"batchSize\": 16}", 0.3);
        ModelCard trainedCard = cards.parse(models.cardJson(trained));
        assertThat(trainedCard.classes()).containsExactlyElementsOf(classes);
        assertThat(trainedCard.preprocessing()).contains(encoding);
        MvcResult download = mvc.perform(get("/models/" + trained + "/weights").with(user(requester))).andReturn();
        Path weights = Files.write(tmp.resolve("folders-cnn.safetensors"),
                mvc.perform(asyncDispatch(download)).andReturn().getResponse().getContentAsByteArray());
        ai.aicrypto.plaza.support.ConvReference djl = ai.aicrypto.plaza.support.ConvReference.read(trainedCard, weights);

        // Items the worker never received (t10k images past the upload), each drawn as a 64 x 64 RGB picture.
        int first = count, pictures = 40;
        float[] pixels = ai.aicrypto.plaza.support.ConvReference.fashionImages(first + pictures);
        List<Map<String, String>> large = new ArrayList<>(), small = new ArrayList<>();
        float[] encoded = new float[pictures * 784];
        double resizeError = 0;
        for (int i = 0; i < pictures; i++) {
            java.awt.image.BufferedImage item = ImageFolderZips.fashionItem(pixels, first + i);
            java.awt.image.BufferedImage colour = new java.awt.image.BufferedImage(64, 64, java.awt.image.BufferedImage.TYPE_INT_RGB);
            var g = colour.createGraphics();
            g.drawImage(item, 0, 0, 64, 64, null);
            g.dispose();
            large.add(Map.of("image", Base64.getEncoder().encodeToString(ImageFolderZips.png(colour))));
            small.add(Map.of("image", Base64.getEncoder().encodeToString(ImageFolderZips.png(item))));
            float[] features = encoding.encode(colour);
            System.arraycopy(features, 0, encoded, i * 784, 784);
            for (int p = 0; p < 784; p++) {
                resizeError += Math.abs(features[p] - pixels[(first + i) * 784 + p]) / (784.0 * pictures);
            }
        }
        System.out.printf("64x64 RGB pictures of 28x28 items, encoded: mean absolute error %.4f per pixel%n", resizeError);
        assertThat(resizeError).as("resized back to the item, made grey").isLessThan(0.05);
        String token = tokens.issue(requester.id(), "folders").token();
        var largeAnswer = json.readTree(predict(trained, token, large));
        var smallAnswer = json.readTree(predict(trained, token, small));
        float[] logits = djl.forward(encoded, pictures);
        int agree = 0;
        for (int i = 0; i < pictures; i++) {
            assertProbabilitiesOf(largeAnswer, i, logits, classes);
            String label = largeAnswer.at("/predictions/" + i + "/label").stringValue();
            assertThat(classes).contains(label);
            agree += label.equals(smallAnswer.at("/predictions/" + i + "/label").stringValue()) ? 1 : 0;
        }
        System.out.printf("large colour and original grey pictures named alike: %d of %d%n", agree, pictures);
        assertThat(agree).as("the same item, whatever its size and colour").isGreaterThanOrEqualTo(pictures * 3 / 4);
        // "Try it" on the model's page: the file as uploaded, answered with the class's name.
        byte[] file = Base64.getDecoder().decode(large.get(0).get("image"));
        String page = mvc.perform(multipart("/models/" + trained + "/try").file(new MockMultipartFile("image", "item.png",
                        "image/png", file))
                        .with(request -> { // MockMvc sends no Content-Length, which this route's size check needs
                            request.setContent(new byte[file.length + 512]);
                            return request;
                        })
                        .with(user(requester)).with(csrf().asHeader()))
                .andReturn().getResponse().getContentAsString();
        assertThat(page).contains(largeAnswer.at("/predictions/0/label").stringValue());
    }

    /** Coloured shapes whose class is their colour: the RGB path through upload, the worker's CNN and the predict API. */
    @Test
    void colouredPicturesTrainAThreeChannelCnnThatTellsTheColours() throws Exception {
        int perClass = 60;
        long shapes = uploadZip(ImageFolderZips.shapes(tmp.resolve("shapes.zip"), perClass, 24, 11), "16", "rgb");
        Preprocessing encoding = datasets.preprocessing(shapes);
        assertThat(encoding.image()).isEqualTo(new Preprocessing.Image(16, 16, 3, 1 / 255.0));
        long trained = trainRecommendedCnn(shapes, encoding, 3 * perClass, "{\"epochs\": 5, \"batchSize\": 16}", 0.8);
        assertThat(cards.parse(models.cardJson(trained)).inputShape()).containsExactly(3, 16, 16);
        Random random = new Random(99);
        List<Map<String, String>> instances = new ArrayList<>();
        for (String colour : ImageFolderZips.COLOURS) {
            instances.add(Map.of("image", Base64.getEncoder().encodeToString(ImageFolderZips.png(ImageFolderZips.shape(colour, 48, random)))));
        }
        var answer = json.readTree(predict(trained, tokens.issue(requester.id(), "shapes").token(), instances));
        for (int i = 0; i < ImageFolderZips.COLOURS.size(); i++) {
            assertThat(answer.at("/predictions/" + i + "/label").stringValue()).as(answer.toString())
                    .isEqualTo(ImageFolderZips.COLOURS.get(i));
        }
    }

    /** The top classes of prediction {@code i} in a predict API answer carry the softmax of DJL's logits for it. */
    private static void assertProbabilitiesOf(tools.jackson.databind.JsonNode answer, int i, float[] logits, List<String> classes) {
        int n = classes.size();
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int c = 0; c < n; c++) {
            max = Math.max(max, logits[i * n + c]);
        }
        for (int c = 0; c < n; c++) {
            sum += Math.exp(logits[i * n + c] - max);
        }
        for (var score : answer.at("/predictions/" + i + "/top")) {
            int c = classes.indexOf(score.get("label").stringValue());
            assertThat(score.get("probability").doubleValue()).as(answer.toString())
                    .isCloseTo(Math.exp(logits[i * n + c] - max) / sum, within(1e-4));
        }
    }

    /** Uploads a ZIP of image folders through the form; returns the dataset's id. */
    private long uploadZip(Path zip, String imageSize, String imageColour) throws Exception {
        String location = mvc.perform(multipart("/datasets/new").file(new MockMultipartFile("file", zip.getFileName().toString(),
                                "application/zip", Files.readAllBytes(zip)))
                        .param("listing.title", "Folders " + System.nanoTime()).param("listing.description", "Photos")
                        .param("listing.tags", "images").param("listing.license", "CC-BY-4.0").param("listing.priceAic", "0")
                        .param("imageSize", imageSize).param("imageColour", imageColour)
                        .with(user(requester)).with(csrf().asHeader()))
                .andReturn().getResponse().getRedirectedUrl();
        return imports.awaitDataset(location);
    }

    /** The builder's recommended CNN for the dataset, trained by a real worker and verified; returns the trained model. */
    private long trainRecommendedCnn(long dataset, Preprocessing encoding, long rows, String hyperparameters,
                                     double minAccuracy) throws Exception {
        RecommendedModels.Recommendation cnn = RecommendedModels.forDataset("Folders", encoding, rows).get(0);
        assertThat(cnn.key()).isEqualTo(RecommendedModels.CNN);
        long card = models.createPrivate(requester.id(), new ModelUpload(cnn.card().json().toString(), List.of(), null));
        long job = jobs.submit(requester.id(), dataset, card, hyperparameters, 0);
        try (WorkerProcess worker = WorkerProcess.start(plaza(), register().token(), tmp.resolve("cache"), "--no-benchmark")) {
            awaitFinished(worker, job);
            assertThat(status(job)).as(worker.log()).isEqualTo("SUCCEEDED");
        }
        double accuracy = jdbc.sql("SELECT verified_accuracy FROM job_results WHERE job_id = ?").param(job).query(Double.class).single();
        System.out.printf("dataset %d, recommended cnn %s: held-out accuracy %.3f%n", dataset, hyperparameters, accuracy);
        assertThat(accuracy).isGreaterThanOrEqualTo(minAccuracy);
        return jdbc.sql("SELECT trained_model_id FROM training_records WHERE job_id = ?").param(job).query(Long.class).single();
    }

    private String predict(long model, String token, List<Map<String, String>> instances) throws Exception {
        return mvc.perform(post("/api/v1/models/" + model + "/predict").header("Authorization", "Bearer " + token)
                        .contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(Map.of("instances", instances))))
                .andReturn().getResponse().getContentAsString();
    }

    /**
     * The whole path of a table's owner with gradient-boosted trees: the builder's recommended trees for their wine
     * table, trained by a real worker with XGBoost, verified on wines it never received, and answering the prediction
     * API exactly as XGBoost itself answers from the same downloaded model.
     */
    @Test
    void aTableTrainsTheBuildersRecommendedTreesAndTheModelAnswersAsXgboostDoes() throws Exception {
        Path csv = Files.writeString(tmp.resolve("wine.csv"), SklearnData.wineCsv());
        long wine = datasets.importDataset(requester.id(), new DatasetUpload(new ListingDraft("Wine", "", List.of(),
                "CC0-1.0", BigDecimal.ZERO), csv, "wine.csv", null, null, "cultivar"));
        GpuOffers.IssuedWorker issued = register();
        try (WorkerProcess worker = WorkerProcess.start(plaza(), issued.token(), tmp.resolve("cache"), "--no-benchmark")) {
            await(worker, () -> jdbc.sql("SELECT last_heartbeat IS NOT NULL FROM workers WHERE id = ?").param(issued.workerId())
                    .query(Boolean.class).single());
            String redirect = mvc.perform(post("/builder").with(user(requester)).with(csrf()).param("datasetId", String.valueOf(wine))
                            .param("modelId", "recommended:" + RecommendedModels.GBDT)
                            .param("offer", String.valueOf(issued.offerId())).param("budget", "10"))
                    .andReturn().getResponse().getRedirectedUrl();
            assertThat(redirect).as("the builder queued the job").startsWith("/jobs/");
            long job = Long.parseLong(redirect.substring("/jobs/".length()));
            assertThat(jdbc.sql("SELECT status || ' ' || offer_id FROM training_jobs WHERE id = ?").param(job).query(String.class)
                    .single()).isEqualTo("QUEUED " + issued.offerId());
            awaitFinished(worker, job);
            assertThat(status(job)).as(worker.log()).isEqualTo("SUCCEEDED");
            assertThat(worker.log()).contains("rounds of gradient-boosted trees with XGBoost");
            int rounds = jdbc.sql("SELECT (hyperparameters ->> 'rounds')::int FROM training_jobs WHERE id = ?").param(job)
                    .query(Integer.class).single();
            // a round takes about a millisecond here: the first and the last are reported like epochs, the rest at most ten a second
            assertThat(jdbc.sql("SELECT epoch FROM job_progress WHERE job_id = ? ORDER BY seq").param(job).query(Integer.class).list())
                    .as("rounds reported like epochs").startsWith(1).endsWith(rounds).isSorted().doesNotHaveDuplicates()
                    .hasSizeLessThan(rounds / 4);
            assertThat(count("job_checkpoints WHERE job_id = " + job)).isZero();
            double accuracy = jdbc.sql("SELECT verified_accuracy FROM job_results WHERE job_id = ?").param(job)
                    .query(Double.class).single();
            System.out.printf("wine, recommended trees: held-out accuracy %.3f%n", accuracy);
            assertThat(accuracy).isGreaterThanOrEqualTo(0.85);
            String page = mvc.perform(get("/jobs/" + job).with(user(requester))).andReturn().getResponse().getContentAsString();
            assertThat(page).containsPattern("id=\"verified-accuracy\">[0-9][^<]*%<");
            assertThat(page).as("a tree job counts rounds, not epochs").contains(">Round</span>", "\u00B7 round " + rounds + " \u00B7")
                    .doesNotContain(">Epoch</span>");

            long trained = jdbc.sql("SELECT trained_model_id FROM training_records WHERE job_id = ?").param(job).query(Long.class).single();
            ModelCard card = cards.parse(models.cardJson(trained));
            assertThat(card.isTrees()).isTrue();
            assertThat(card.json().at("/weights/format").stringValue()).isEqualTo("xgboost-json");
            MvcResult download = mvc.perform(get("/models/" + trained + "/weights").with(user(requester))).andReturn();
            MockHttpServletResponse file = mvc.perform(asyncDispatch(download)).andReturn().getResponse();
            assertThat(file.getHeader("Content-Disposition")).contains("model-" + trained + ".xgboost.json");
            byte[] booster = file.getContentAsByteArray();

            // The first wine of the file, as its row reads, through the API and through XGBoost on the same encoding.
            String[] header = SklearnData.wineCsv().lines().findFirst().orElseThrow().split(",");
            String[] first = SklearnData.wineCsv().lines().skip(1).findFirst().orElseThrow().split(",");
            Map<String, String> raw = new java.util.LinkedHashMap<>();
            for (int i = 0; i < 13; i++) {
                raw.put(header[i], first[i]);
            }
            String answer = mvc.perform(post("/api/v1/models/" + trained + "/predict")
                            .header("Authorization", "Bearer " + tokens.issue(requester.id(), "trees").token())
                            .contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(Map.of("instances", List.of(raw)))))
                    .andReturn().getResponse().getContentAsString();
            var top = json.readTree(answer).at("/predictions/0/top");
            ml.dmlc.xgboost4j.java.Booster xgboost = ml.dmlc.xgboost4j.java.XGBoost.loadModel(booster);
            try {
                float[] expected = xgboost.predict(new ml.dmlc.xgboost4j.java.DMatrix(card.preprocessing().orElseThrow().encode(raw),
                        1, 13, Float.NaN))[0];
                assertThat(top.size()).as(answer).isEqualTo(3);
                for (var score : top) {
                    int c = card.classes().indexOf(score.get("label").stringValue());
                    assertThat(score.get("probability").doubleValue()).as(answer).isCloseTo(expected[c], within(1e-5));
                }
            } finally {
                xgboost.dispose();
            }
            assertThat(json.readTree(answer).at("/predictions/0/label").stringValue()).as("a wine of the first cultivar")
                    .isEqualTo("class_0");
        }
    }

    /**
     * A fake worker (a plain HTTP client) on a tree job: without reporting families it is taken for an old worker that
     * trains dense networks only and gets nothing; once it claims trees it cannot train, it leases the job, and what it
     * can deliver is caught by the path every result takes (JobResults: the weights checked against the card on upload,
     * then measured on the held-out split at completion). A file that is no XGBoost model, or one of another table, is
     * refused with its reason and nothing is stored; a real booster that learned nothing, claiming a high accuracy, is
     * rejected on the held-out split like a lying network, and the requester refunded.
     */
    @Test
    void aBoosterThatLiesAboutItsMetricsIsRejectedAndAMalformedModelRefused() throws Exception {
        Path csv = Files.writeString(tmp.resolve("wine.csv"), SklearnData.wineCsv());
        long wine = datasets.importDataset(requester.id(), new DatasetUpload(new ListingDraft("Wine", "", List.of(),
                "CC0-1.0", BigDecimal.ZERO), csv, "wine.csv", null, null, "cultivar"));
        RecommendedModels.Recommendation trees = RecommendedModels.find(RecommendedModels.GBDT, "Wine",
                datasets.preprocessing(wine), 178).orElseThrow();
        long card = models.createPrivate(requester.id(), new ModelUpload(trees.card().json().toString(), List.of(), null));
        GpuOffers.IssuedWorker fake = register();
        send(fake.token(), "POST", "/heartbeat", "{\"engine\": \"cpu\", \"gpuMemoryMb\": 8192}");
        long job = jobs.submit(requester.id(), wine, card, "{}", 0);
        assertThat(send(fake.token(), "POST", "/lease", "{}").statusCode()).as("no families reported: no trees").isEqualTo(204);
        send(fake.token(), "POST", "/heartbeat", "{\"engine\": \"cpu\", \"gpuMemoryMb\": 8192, \"families\": {\"gbdt\": \"xgboost-cpu\"}}");
        assertThat(send(fake.token(), "POST", "/lease", "{}").statusCode()).isEqualTo(200);

        long blobsBefore = blobFiles();
        HttpResponse<String> malformed = upload(fake.token(), job, "{\"learner\": {\"attributes\": [1, 2".getBytes(StandardCharsets.UTF_8));
        assertThat(malformed.statusCode()).isEqualTo(422);
        assertThat(malformed.body()).contains("not valid JSON");
        HttpResponse<String> otherTable = upload(fake.token(), job, booster(5, 3, 1));
        assertThat(otherTable.statusCode()).isEqualTo(422);
        assertThat(otherTable.body()).contains("the model reads 5 features, the card 13");
        assertThat(upload(fake.token(), job, randomWeights()).statusCode()).as("a network's weights").isEqualTo(422);
        assertThat(blobFiles()).as("nothing stored").isEqualTo(blobsBefore);
        assertThat(count("job_results WHERE job_id = " + job)).isZero();

        assertThat(upload(fake.token(), job, booster(13, 3, 1)).statusCode()).isEqualTo(204);
        HttpResponse<String> commit = send(fake.token(), "POST", "/jobs/" + job + "/checkpoints", "{\"sha256\": []}");
        assertThat(commit.statusCode()).isEqualTo(409);
        assertThat(commit.body()).contains("not audited");
        HttpResponse<String> verdict = send(fake.token(), "POST", "/jobs/" + job + "/complete", "{\"accuracy\": 0.99, \"loss\": 0.05}");
        assertThat(verdict.statusCode()).isEqualTo(200);
        assertThat(verdict.body()).contains("\"status\":\"FAILED\"").contains("below the claimed 0.9900");
        assertThat(jdbc.sql("SELECT kind || ' ' || user_id FROM settlements WHERE job_id = ?").param(job).query(String.class).list())
                .containsExactly("REFUND_REQUESTER " + requester.id());
        assertThat(jdbc.sql("SELECT rejected_jobs || '/' || reliability FROM workers WHERE id = ?").param(fake.workerId())
                .query(String.class).single()).isEqualTo("1/0");
        assertThat(count("training_records WHERE job_id = " + job)).isZero();
    }

    /**
     * A real worker that does not train trees ({@code --families}: what a host without XGBoost's native library reports)
     * reports the families it does, leases the network queued after the tree job and never the tree job, whose page
     * says why it waits; a worker that trains trees then takes it.
     */
    @Test
    void aWorkerThatDoesNotTrainAFamilyNeverLeasesItsJobs() throws Exception {
        Path csv = Files.writeString(tmp.resolve("wine.csv"), SklearnData.wineCsv());
        long wine = datasets.importDataset(requester.id(), new DatasetUpload(new ListingDraft("Wine", "", List.of(),
                "CC0-1.0", BigDecimal.ZERO), csv, "wine.csv", null, null, "cultivar"));
        RecommendedModels.Recommendation trees = RecommendedModels.find(RecommendedModels.GBDT, "Wine",
                datasets.preprocessing(wine), 178).orElseThrow();
        long treeCard = models.createPrivate(requester.id(), new ModelUpload(trees.card().json().toString(), List.of(), null));
        long treeJob = jobs.submit(requester.id(), wine, treeCard, "{}", 0);
        long networkJob = jobs.submit(requester.id(), dataset, model, "{\"epochs\": 1}", 0);
        GpuOffers.IssuedWorker noTrees = register();
        try (WorkerProcess worker = WorkerProcess.start(plaza(), noTrees.token(), tmp.resolve("cache"),
                "--families", "softmax-regression,mlp,cnn,fasttext", "--no-benchmark")) {
            awaitFinished(worker, networkJob);
            assertThat(status(networkJob)).as(worker.log()).isEqualTo("SUCCEEDED");
            assertThat(worker.log()).contains("not gbdt: left out by --families");
            assertThat(json.readTree(jdbc.sql("SELECT families::text FROM workers WHERE id = ?").param(noTrees.workerId())
                    .query(String.class).single()).propertyNames()).containsExactlyInAnyOrder("softmax-regression", "mlp", "cnn", "fasttext");
            assertThat(status(treeJob)).isEqualTo("QUEUED");
            assertThat(count("job_attempts WHERE job_id = " + treeJob)).as("never leased").isZero();
            String page = mvc.perform(get("/jobs/" + treeJob).with(user(requester))).andReturn().getResponse().getContentAsString();
            assertThat(page).contains("No online GPU that could run it trains gradient-boosted trees models");
            String korean = mvc.perform(get("/jobs/" + treeJob).with(user(requester)).header("Accept-Language", "ko"))
                    .andReturn().getResponse().getContentAsString();
            assertThat(korean).contains("그래디언트 부스팅 트리 모델을 학습하는 GPU가 없습니다");

            GpuOffers.IssuedWorker withTrees = register();
            try (WorkerProcess treeWorker = WorkerProcess.start(plaza(), withTrees.token(), tmp.resolve("cache-2"), "--no-benchmark")) {
                awaitFinished(treeWorker, treeJob);
                assertThat(status(treeJob)).as(treeWorker.log()).isEqualTo("SUCCEEDED");
                assertThat(jdbc.sql("SELECT families ->> 'gbdt' FROM workers WHERE id = ?").param(withTrees.workerId())
                        .query(String.class).single()).as("found by loading XGBoost").isEqualTo("xgboost-cpu");
            }
        }
        assertThat(jdbc.sql("SELECT DISTINCT worker_id FROM job_attempts WHERE job_id = ?").param(treeJob).query(Long.class).list())
                .doesNotContain(noTrees.workerId());
    }

    /** A real XGBoost model of {@code features} random columns and random labels: it has learned nothing. */
    private static byte[] booster(int features, int classes, int rounds) throws Exception {
        Random random = new Random(3);
        int rows = 60;
        float[] x = new float[rows * features], y = new float[rows];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        for (int i = 0; i < rows; i++) {
            y[i] = random.nextInt(classes);
        }
        var data = new ml.dmlc.xgboost4j.java.DMatrix(x, rows, features, Float.NaN);
        data.setLabel(y);
        var model = ml.dmlc.xgboost4j.java.XGBoost.train(data, Map.of("objective", "multi:softprob", "num_class", classes,
                "max_depth", 2), rounds, Map.of(), null, null);
        try {
            return model.toByteArray("json");
        } finally {
            model.dispose();
            data.dispose();
        }
    }

    @Test
    void aSecondWorkerFinishesTheJobOfOneKilledMidJob() throws Exception {
        GpuOffers.IssuedWorker first = register();
        GpuOffers.IssuedWorker second = register();
        long job = jobs.submit(requester.id(), dataset, model, "{\"epochs\": 12}", 0);
        try (WorkerProcess doomed = WorkerProcess.start(plaza(), first.token(), tmp.resolve("cache-1"), "--no-benchmark")) {
            await(doomed, () -> progressRows(job) > 0);
            doomed.kill();
        }
        assertThat(status(job)).isEqualTo("LEASED");
        // What the expiry check does once the dead worker's lease runs out, without waiting two minutes.
        jdbc.sql("UPDATE training_jobs SET lease_expires_at = now() - interval '1 second' WHERE id = ?").param(job).update();
        queue.expireLeases();
        assertThat(status(job)).isEqualTo("QUEUED");

        try (WorkerProcess rescuer = WorkerProcess.start(plaza(), second.token(), tmp.resolve("cache-2"), "--no-benchmark")) {
            awaitFinished(rescuer, job);
            assertThat(status(job)).as(rescuer.log()).isEqualTo("SUCCEEDED");
        }
        assertThat(jdbc.sql("SELECT worker_id FROM job_attempts WHERE job_id = ? ORDER BY attempt").param(job).query(Long.class).list())
                .containsExactly(first.workerId(), second.workerId());
        assertThat(jdbc.sql("SELECT worker_id FROM training_records WHERE job_id = ?").param(job).query(Long.class).single())
                .isEqualTo(second.workerId());
        assertThat(send(first.token(), "POST", "/jobs/" + job + "/renew", "{}").statusCode())
                .as("the killed worker's lease is gone").isEqualTo(409);
    }

    @Test
    void aWorkerThatHoldsItsLeaseForHoursIsPaidForTheWorkNotTheTime() throws Exception {
        GpuOffers.IssuedWorker issued = register();
        long job = jobs.submit(requester.id(), dataset, model, "{\"epochs\": 2}", 0);
        try (WorkerProcess worker = WorkerProcess.start(plaza(), issued.token(), tmp.resolve("cache-slow"))) {
            await(worker, () -> !status(job).equals("QUEUED"));
            // As if the worker had held the job for ten hours, renewing its lease, before it uploaded.
            jdbc.sql("UPDATE job_attempts SET leased_at = leased_at - interval '10 hours' WHERE job_id = ?").param(job).update();
            awaitFinished(worker, job);
            assertThat(status(job)).as(worker.log()).isEqualTo("SUCCEEDED");
        }
        Double rate = jdbc.sql("SELECT rate_samples_per_s FROM job_attempts WHERE job_id = ?").param(job).query(Double.class).single();
        assertThat(rate).as("the worker's benchmarked rate, fixed at lease").isPositive();
        long rows = jdbc.sql("SELECT row_count FROM datasets WHERE listing_id = ?").param(dataset).query(Long.class).single();
        double expected = PriceEstimate.seconds(rows, 2, cards.parse(models.cardJson(model)), rate);
        BigDecimal paid = jdbc.sql("SELECT amount_aic FROM settlements WHERE job_id = ? AND kind = 'PAY_PROVIDER'").param(job)
                .query(BigDecimal.class).single();
        // Price 2 AIC/h: ten hours would be 20 AIC; the bill is at most the benchmarked time (what was quoted).
        assertThat(paid.doubleValue()).isLessThanOrEqualTo(2 * expected / 3600 + 1e-12)
                .isLessThan(0.01 * 20);
    }

    @Test
    void anAuditedJobIsPaidOnlyOnceAnotherProvidersWorkerAgreesOnTheDrawnEpoch() throws Exception {
        GpuOffers.IssuedWorker one = register();
        GpuOffers.IssuedWorker two = registerForAnotherProvider(); // an audit never goes to the same provider
        long job = jobs.submit(requester.id(), dataset, model, "{\"epochs\": 3}", 0);
        drawForAudit(job);
        try (WorkerProcess first = WorkerProcess.start(plaza(), one.token(), tmp.resolve("cache-1"), "--no-benchmark");
             WorkerProcess second = WorkerProcess.start(plaza(), two.token(), tmp.resolve("cache-2"), "--no-benchmark")) {
            await(first, () -> status(job).equals("SUCCEEDED") || status(job).equals("FAILED"));
            assertThat(status(job)).as(first.log() + second.log()).isEqualTo("SUCCEEDED");
        }
        assertThat(jdbc.sql("SELECT cardinality(checkpoint_sha256) FROM job_results WHERE job_id = ?").param(job)
                .query(Integer.class).single()).as("epochs 0 to 3 committed").isEqualTo(4);
        long audit = jdbc.sql("SELECT id FROM training_jobs WHERE audit_of = ?").param(job).query(Long.class).single();
        assertThat(status(audit)).isEqualTo("SUCCEEDED");
        int epoch = jdbc.sql("SELECT audit_epoch FROM training_jobs WHERE id = ?").param(audit).query(Integer.class).single();
        assertThat(epoch).isBetween(1, 3);
        // The same engine re-runs the epoch up to float rounding: PyTorch's CPU kernels may sum in another order in another
        // process (1.2e-5 of the epoch's step seen on a loaded machine), far inside the audit tolerance (0.05) and far
        // from an audit that did not train from the drawn epoch's start (about 1).
        assertThat(jdbc.sql("SELECT audit_distance FROM job_results WHERE job_id = ?").param(audit).query(Double.class).single())
                .as("the same engine re-runs the epoch").isLessThan(1e-3);
        assertThat(jdbc.sql("SELECT epoch FROM job_progress WHERE job_id = ?").param(audit).query(Integer.class).list())
                .as("the audit trains the drawn epoch only").containsExactly(epoch);
        long originalWorker = jdbc.sql("SELECT worker_id FROM job_attempts WHERE job_id = ?").param(job).query(Long.class).single();
        assertThat(jdbc.sql("SELECT worker_id FROM job_attempts WHERE job_id = ?").param(audit).query(Long.class).single())
                .as("an audit runs on another worker").isNotEqualTo(originalWorker);
        assertThat(jdbc.sql("SELECT job_id || ' ' || kind FROM settlements WHERE job_id IN (?, ?) ORDER BY job_id")
                .params(job, audit).query(String.class).list())
                .containsExactly(job + " PAY_PROVIDER", audit + " PAY_PROVIDER");
        assertThat(jdbc.sql("SELECT reason FROM settlements WHERE job_id = ?").param(audit).query(String.class).single())
                .contains("paid by the plaza");
        assertThat(jdbc.sql("SELECT worker_id FROM training_records WHERE job_id = ?").param(job).query(Long.class).single())
                .isEqualTo(originalWorker);
        assertThat(count("training_records WHERE job_id = " + audit)).isZero();
        assertThat(count("job_checkpoints WHERE job_id = " + job)).as("checkpoints go once the audit is decided").isZero();
    }

    /**
     * An honest worker given a configuration that cannot learn (a learning rate too small to move the weights) is
     * paid once an audit confirms the training, and the requester is told the model is weak; no draw needed.
     */
    @Test
    void aWeakModelTrainedHonestlyIsAuditedAndPaidNotRefused() throws Exception {
        GpuOffers.IssuedWorker one = register();
        GpuOffers.IssuedWorker two = registerForAnotherProvider();
        long job = jobs.submit(requester.id(), dataset, model, "{\"epochs\": 2, \"learningRate\": 0.00001}", 0);
        try (WorkerProcess first = WorkerProcess.start(plaza(), one.token(), tmp.resolve("cache-1"), "--no-benchmark");
             WorkerProcess second = WorkerProcess.start(plaza(), two.token(), tmp.resolve("cache-2"), "--no-benchmark")) {
            await(first, () -> status(job).equals("SUCCEEDED") || status(job).equals("FAILED"));
            assertThat(status(job)).as(first.log() + second.log()).isEqualTo("SUCCEEDED");
        }
        assertThat(jdbc.sql("SELECT reason FROM job_results WHERE job_id = ? AND verdict = 'VERIFIED'").param(job)
                .query(String.class).single()).contains("no better than");
        long audit = jdbc.sql("SELECT id FROM training_jobs WHERE audit_of = ?").param(job).query(Long.class).single();
        assertThat(status(audit)).as("audited although the draw said no").isEqualTo("SUCCEEDED");
        assertThat(jdbc.sql("SELECT kind FROM settlements WHERE job_id = ?").param(job).query(String.class).list())
                .containsExactly("PAY_PROVIDER");
        String page = mvc.perform(get("/jobs/" + job).with(user(requester))).andReturn().getResponse().getContentAsString();
        assertThat(page).contains("id=\"result-shortfall\"").contains("A weak model").contains("id=\"trained-model\"");
    }

    @Test
    void anAuditNoOtherWorkerTakesIsDroppedAndTheOriginalStands() throws Exception {
        GpuOffers.IssuedWorker only = register();
        long job = jobs.submit(requester.id(), dataset, model, "{\"epochs\": 2}", 0);
        drawForAudit(job);
        try (WorkerProcess worker = WorkerProcess.start(plaza(), only.token(), tmp.resolve("cache"), "--no-benchmark")) {
            await(worker, () -> status(job).equals("VERIFYING"));
            await(worker, () -> worker.log().contains("\"status\":\"VERIFYING\""));
        }
        assertThat(count("job_checkpoints WHERE job_id = " + job)).as("the drawn epoch's two checkpoints").isEqualTo(2);
        long audit = jdbc.sql("SELECT id FROM training_jobs WHERE audit_of = ?").param(job).query(Long.class).single();
        assertThat(status(audit)).as("the only worker may not audit itself").isEqualTo("QUEUED");
        assertThat(count("settlements WHERE job_id = " + job)).as("nobody is paid while the audit waits").isZero();

        jdbc.sql("UPDATE training_jobs SET created_at = now() - interval '2 hours' WHERE id = ?").param(audit).update();
        results.settleAbandonedAudits();
        assertThat(status(audit)).isEqualTo("CANCELLED");
        assertThat(status(job)).isEqualTo("SUCCEEDED");
        assertThat(jdbc.sql("SELECT kind FROM settlements WHERE job_id = ?").param(job).query(String.class).list())
                .containsExactly("PAY_PROVIDER");
        assertThat(count("training_records WHERE job_id = " + job)).isOne();
    }

    @Test
    void aLazyWorkerIsCaughtByTheEpochAuditBeforeAnyPayment() throws Exception {
        // Trains 1 of its 4 epochs and interpolates the checkpoints in between: its model passes the held-out check.
        GpuOffers.IssuedWorker lazy = register();
        GpuOffers.IssuedWorker auditor = registerForAnotherProvider();
        GpuOffers.IssuedWorker referee = registerForAnotherProvider();
        long job = jobs.submit(requester.id(), dataset, model, "{\"epochs\": 4}", 0);
        drawForAudit(job);
        long audit;
        try (WorkerProcess cheat = WorkerProcess.startSimulated(plaza(), lazy.token(), tmp.resolve("cache-lazy"), "lazy")) {
            await(cheat, () -> !status(job).equals("QUEUED")); // the job is the cheat's before any auditor starts
            try (WorkerProcess first = WorkerProcess.startSimulated(plaza(), auditor.token(), tmp.resolve("cache-1"), "honest")) {
                await(cheat, () -> count("training_jobs WHERE audit_of = " + job + " AND status = 'VERIFYING'") == 1);
                assertThat(status(job)).as("passed the held-out check; the audit disagrees").isEqualTo("VERIFYING");
                audit = jdbc.sql("SELECT id FROM training_jobs WHERE audit_of = ? AND status = 'VERIFYING'").param(job)
                        .query(Long.class).single();
                assertThat(jdbc.sql("SELECT audit_distance FROM job_results WHERE job_id = ?").param(audit).query(Double.class)
                        .single()).isGreaterThan(0.5);
                assertThat(count("settlements WHERE job_id IN (" + job + ", " + audit + ")")).as("nobody paid yet").isZero();
                try (WorkerProcess second = WorkerProcess.startSimulated(plaza(), referee.token(), tmp.resolve("cache-2"), "honest")) {
                    await(second, () -> status(job).equals("FAILED"));
                }
            }
        }
        assertThat(jdbc.sql("SELECT failure_reason FROM training_jobs WHERE id = ?").param(job).query(String.class).single())
                .contains("two audits on other providers re-ran epoch");
        assertThat(jdbc.sql("SELECT kind FROM settlements WHERE job_id = ?").param(job).query(String.class).list())
                .containsExactly("REFUND_REQUESTER");
        assertThat(status(audit)).as("the first auditor was right").isEqualTo("SUCCEEDED");
        assertThat(count("settlements WHERE kind = 'PAY_PROVIDER' AND job_id IN (SELECT id FROM training_jobs WHERE audit_of = "
                + job + ")")).as("both auditors paid").isEqualTo(2);
        assertThat(count("training_records WHERE job_id = " + job)).isZero();
        assertThat(jdbc.sql("SELECT rejected_jobs FROM workers WHERE id = ?").param(lazy.workerId()).query(Integer.class).single())
                .isOne();
    }

    @Test
    void aLazyAuditorCannotFailAnHonestJob() throws Exception {
        GpuOffers.IssuedWorker honest = register();
        GpuOffers.IssuedWorker echo = registerForAnotherProvider(); // hands the start checkpoint back as its result
        GpuOffers.IssuedWorker referee = registerForAnotherProvider();
        long job = jobs.submit(requester.id(), dataset, model, "{\"epochs\": 3}", 0);
        drawForAudit(job);
        long audit;
        try (WorkerProcess original = WorkerProcess.start(plaza(), honest.token(), tmp.resolve("cache-0"), "--no-benchmark")) {
            await(original, () -> !status(job).equals("QUEUED")); // the job is the honest worker's before the auditors start
            try (WorkerProcess lazy = WorkerProcess.startSimulated(plaza(), echo.token(), tmp.resolve("cache-1"), "echo-auditor")) {
                await(lazy, () -> count("training_jobs WHERE audit_of = " + job + " AND status = 'FAILED'") == 1);
            }
            audit = jdbc.sql("SELECT id FROM training_jobs WHERE audit_of = ? AND status = 'FAILED'").param(job)
                    .query(Long.class).single();
            assertThat(status(job)).as("the lazy audit has no vote: another audit is queued").isEqualTo("VERIFYING");
            try (WorkerProcess second = WorkerProcess.startSimulated(plaza(), referee.token(), tmp.resolve("cache-2"), "honest")) {
                await(second, () -> status(job).equals("SUCCEEDED"));
            }
        }
        assertThat(status(audit)).isEqualTo("FAILED");
        assertThat(jdbc.sql("SELECT failure_reason FROM training_jobs WHERE id = ?").param(audit).query(String.class).single())
                .contains("did not move from the start checkpoint");
        assertThat(count("settlements WHERE job_id = " + audit)).as("the lazy auditor is not paid").isZero();
        assertThat(jdbc.sql("SELECT rejected_jobs FROM workers WHERE id = ?").param(echo.workerId()).query(Integer.class).single())
                .isOne();
        assertThat(jdbc.sql("SELECT kind FROM settlements WHERE job_id = ?").param(job).query(String.class).list())
                .containsExactly("PAY_PROVIDER");
        assertThat(count("training_records WHERE job_id = " + job)).isOne();
    }

    /** As if the job's audit draw had come out lowest: it is audited whatever the share. */
    private void drawForAudit(long job) {
        jdbc.sql("UPDATE training_jobs SET audit_draw = 0 WHERE id = ?").param(job).update();
    }

    @Test
    void theIdleCommandIsStoppedWhileTrainingAndACancelledJobIsAbandoned() throws Exception {
        GpuOffers.IssuedWorker issued = register();
        Path counter = tmp.resolve("counter");
        String idle = "i=0; while true; do i=$((i+1)); echo $i > " + counter + "; sleep 0.05; done";
        try (WorkerProcess worker = WorkerProcess.start(plaza(), issued.token(), tmp.resolve("cache"), "--no-benchmark",
                "--idle-command", idle)) {
            await(worker, () -> read(counter) > 3);
            long job = jobs.submit(requester.id(), dataset, model, "{\"epochs\": 400}", 0);
            await(worker, () -> progressRows(job) > 0);
            ProcessHandle idleShell = worker.process().children()
                    .filter(p -> p.info().command().map(c -> c.endsWith("sh")).orElse(false)).findFirst().orElseThrow();
            // A shell caught by SIGSTOP in the middle of writing the counter shows 'D' until the write completes.
            await(worker, () -> state(idleShell.pid()) == 'T');
            long frozen = read(counter);

            // What cancelling does to the job row: the worker's next progress report answers 409.
            jdbc.sql("UPDATE training_jobs SET status = 'CANCELLED', worker_id = NULL, lease_expires_at = NULL WHERE id = ?")
                    .param(job).update();
            await(worker, () -> worker.log().contains("job " + job + " abandoned"));
            await(worker, () -> read(counter) > frozen + 3);
            assertThat(state(idleShell.pid())).isNotEqualTo('T');
            assertThat(worker.log()).contains("idle command suspended").contains("idle command resumed");
            assertThat(jdbc.sql("SELECT count(*) FROM job_results WHERE job_id = ?").param(job).query(Long.class).single()).isZero();
        }
    }

    @Test
    void aFakeWorkerWithRandomWeightsAndGoodClaimsIsCaught() throws Exception {
        GpuOffers.IssuedWorker fake = register();
        GpuOffers.IssuedWorker other = register();
        send(fake.token(), "POST", "/heartbeat", "{\"engine\": \"cpu\", \"gpuMemoryMb\": 8192}");
        long job = jobs.submit(requester.id(), dataset, model, "{}", 0);
        HttpResponse<String> leased = send(fake.token(), "POST", "/lease", "{}");
        @SuppressWarnings("unchecked")
        Map<String, Object> lease = json.readValue(leased.body(), Map.class);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> shards = (List<Map<String, Object>>) lease.get("shards");
        assertThat(shards).hasSize(1);
        assertThat(((Number) shards.get(0).get("rows")).longValue()).as("the held-out tenth is never sent").isEqualTo(900);
        HttpResponse<byte[]> shard = http().send(request(fake.token(), "/jobs/" + job + "/shards/0").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        byte[] fakesKey = Base64.getDecoder().decode((String) lease.get("shardKey"));
        assertThat(TrainingSplits.decrypt(fakesKey, shard.body())).as("the lease's key decrypts the download").isNotEmpty();
        assertThat(http().send(request(other.token(), "/jobs/" + job + "/shards/0").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray()).statusCode()).as("another worker's job").isEqualTo(404);

        long blobsBefore = blobFiles();
        assertThat(upload(fake.token(), job, "not safetensors at all".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(422);
        assertThat(upload(fake.token(), job, new byte[5 << 20]).statusCode()).as("over the size limit").isEqualTo(413);
        assertThat(blobFiles()).as("nothing stored").isEqualTo(blobsBefore);
        assertThat(count("job_results WHERE job_id = " + job)).isZero();
        assertThat(upload(fake.token(), job, randomWeights()).statusCode()).isEqualTo(204);
        String complete = "{\"accuracy\": 0.95, \"loss\": 0.1}";
        assertThat(send(fake.token(), "POST", "/jobs/" + job + "/complete", complete).body())
                .as("no checkpoint commitment yet").contains("Commit the checkpoint hashes");
        String hash = "\"" + "ab".repeat(32) + "\"";
        HttpResponse<String> tooFew = send(fake.token(), "POST", "/jobs/" + job + "/checkpoints", "{\"sha256\": [" + hash + ", " + hash + "]}");
        assertThat(tooFew.statusCode()).isEqualTo(422);
        assertThat(tooFew.body()).contains("This job trains 10 epochs: send 11 checkpoint hashes");
        assertThat(send(fake.token(), "POST", "/jobs/" + job + "/checkpoints", "{\"sha256\": [\"../../etc\"]}").statusCode())
                .isEqualTo(422);
        List<byte[]> checkpoints = new ArrayList<>();
        for (int epoch = 0; epoch <= 10; epoch++) {
            checkpoints.add(randomWeights(Map.of("format", EpochCheckpoints.FORMAT, "epoch", String.valueOf(epoch))));
        }
        String eleven = checkpoints.stream().map(c -> "\"" + sha256(c) + "\"").collect(Collectors.joining(", ", "{\"sha256\": [", "]}"));
        HttpResponse<String> committed = send(fake.token(), "POST", "/jobs/" + job + "/checkpoints", eleven);
        assertThat(committed.statusCode()).isEqualTo(200);
        // Random weights are no better than chance: audited whatever the draw, so two checkpoints are asked for.
        List<?> asked = (List<?>) json.readValue(committed.body(), Map.class).get("upload");
        assertThat(asked).hasSize(2);
        int drawn = ((Number) asked.get(1)).intValue();
        String another = "{\"sha256\": [" + String.join(", ", java.util.Collections.nCopies(11, "\"" + "cd".repeat(32) + "\"")) + "]}";
        assertThat(send(fake.token(), "POST", "/jobs/" + job + "/checkpoints", another).statusCode())
                .as("a commitment is made once").isEqualTo(409);
        int notAsked = drawn == 10 ? 1 : drawn + 1;
        assertThat(putCheckpoint(fake.token(), job, notAsked, checkpoints.get(notAsked)).statusCode())
                .as("a checkpoint the plaza did not ask for").isEqualTo(409);
        assertThat(send(fake.token(), "POST", "/jobs/" + job + "/complete", complete).statusCode())
                .as("not before the asked checkpoints").isEqualTo(409);
        for (int epoch : List.of(drawn - 1, drawn)) {
            assertThat(putCheckpoint(fake.token(), job, epoch, checkpoints.get(epoch)).statusCode()).isEqualTo(204);
        }
        HttpResponse<String> verdict = send(fake.token(), "POST", "/jobs/" + job + "/complete", complete);
        assertThat(verdict.statusCode()).isEqualTo(200);
        assertThat(verdict.body()).contains("\"status\":\"FAILED\"").contains("below the claimed");

        assertThat(status(job)).isEqualTo("FAILED");
        assertThat(jdbc.sql("SELECT failure_reason FROM training_jobs WHERE id = ?").param(job).query(String.class).single())
                .startsWith("Verification failed");
        assertThat(jdbc.sql("SELECT kind || ' ' || user_id FROM settlements WHERE job_id = ?").param(job).query(String.class).list())
                .containsExactly("REFUND_REQUESTER " + requester.id());
        assertThat(jdbc.sql("SELECT rejected_jobs || '/' || reliability FROM workers WHERE id = ?").param(fake.workerId())
                .query(String.class).single()).isEqualTo("1/0");
        assertThat(jdbc.sql("SELECT count(*) FROM training_records WHERE job_id = ?").param(job).query(Long.class).single()).isZero();
        assertThat(send(fake.token(), "POST", "/jobs/" + job + "/renew", "{}").statusCode()).isEqualTo(409);

        // The fake received a key of the dataset's split: the next lease on it re-encrypts the split first.
        assertThat(jdbc.sql("SELECT rotation_due FROM training_splits WHERE dataset_id = ?").param(dataset)
                .query(Boolean.class).single()).isTrue();
        long next = jobs.submit(requester.id(), dataset, model, "{}", 0);
        send(other.token(), "POST", "/heartbeat", "{\"engine\": \"cpu\", \"gpuMemoryMb\": 8192}");
        assertThat(send(other.token(), "POST", "/lease", "{}").statusCode()).isEqualTo(200);
        assertThat(jdbc.sql("SELECT generation || ' ' || rotation_due FROM training_splits WHERE dataset_id = ?").param(dataset)
                .query(String.class).single()).isEqualTo("2 false");
        HttpResponse<byte[]> rotated = http().send(request(other.token(), "/jobs/" + next + "/shards/0").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThatThrownBy(() -> TrainingSplits.decrypt(fakesKey, rotated.body())).isInstanceOf(IntegrityException.class);
    }

    /** Weights of the card's shapes (784-256-128-10), uniformly random. */
    private static byte[] randomWeights() {
        return randomWeights(Map.of());
    }

    private static byte[] randomWeights(Map<String, String> metadata) {
        int[][] layers = {{256, 784}, {128, 256}, {10, 128}};
        StringBuilder header = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            header.append(metadata.entrySet().stream().map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                    .collect(Collectors.joining(",", "\"__metadata__\":{", "},")));
        }
        long offset = 0;
        for (int l = 0; l < layers.length; l++) {
            long w = 4L * layers[l][0] * layers[l][1], b = 4L * layers[l][0];
            header.append(String.format("\"layers.%d.weight\":{\"dtype\":\"F32\",\"shape\":[%d,%d],\"data_offsets\":[%d,%d]},",
                    l, layers[l][0], layers[l][1], offset, offset + w));
            header.append(String.format("\"layers.%d.bias\":{\"dtype\":\"F32\",\"shape\":[%d],\"data_offsets\":[%d,%d]}%s",
                    l, layers[l][0], offset + w, offset + w + b, l < layers.length - 1 ? "," : "}"));
            offset += w + b;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate((int) (8 + json.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json);
        Random random = new Random(1);
        while (out.hasRemaining()) {
            out.putFloat(random.nextFloat() * 2 - 1);
        }
        return out.array();
    }

    private HttpResponse<String> putCheckpoint(String token, long job, int epoch, byte[] checkpoint) throws Exception {
        return http().send(request(token, "/jobs/" + job + "/checkpoints/" + epoch).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(checkpoint)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private GpuOffers.IssuedWorker registerForAnotherProvider() {
        return offers.register(users.member().id(), new GpuOffers.NewOffer("Other CPU box", "none", 4096, new BigDecimal("2"),
                "kr-seoul"));
    }

    private GpuOffers.IssuedWorker register() {
        return WorkerProcess.registerCpuOffer(offers, provider);
    }

    private String plaza() {
        return "http://127.0.0.1:" + port;
    }

    private HttpClient http() {
        return HttpClient.newHttpClient();
    }

    private HttpRequest.Builder request(String token, String route) {
        return HttpRequest.newBuilder(URI.create(plaza() + "/api/worker/v1" + route)).header("Authorization", "Bearer " + token);
    }

    private HttpResponse<String> send(String token, String method, String route, String body) throws Exception {
        return http().send(request(token, route).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> upload(String token, long job, byte[] weights) throws Exception {
        return http().send(request(token, "/jobs/" + job + "/weights").header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(weights)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String status(long job) {
        return jdbc.sql("SELECT status FROM training_jobs WHERE id = ?").param(job).query(String.class).single();
    }

    private long progressRows(long job) {
        return jdbc.sql("SELECT count(*) FROM job_progress WHERE job_id = ?").param(job).query(Long.class).single();
    }

    private void awaitFinished(WorkerProcess worker, long job) throws InterruptedException {
        await(worker, () -> List.of("SUCCEEDED", "FAILED").contains(status(job)));
    }

    /** Polls until the condition holds; fails with the worker's log if it does not within the bound. */
    private static void await(WorkerProcess worker, BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < WAIT_SECONDS * 5 && !condition.getAsBoolean(); i++) {
            Thread.sleep(200);
        }
        assertThat(condition.getAsBoolean()).as("not reached; worker log:\n%s", worker.log()).isTrue();
    }

    private static long read(Path counter) {
        try {
            String s = Files.exists(counter) ? Files.readString(counter).strip() : "";
            return s.isEmpty() ? 0 : Long.parseLong(s);
        } catch (Exception e) {
            return 0;
        }
    }

    /** The state letter of /proc/PID/stat: T when stopped. */
    private static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
