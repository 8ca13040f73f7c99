package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.zip.ZipInputStream;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.competition.scoring.TestInputsRejected;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.dataset.format.ImageFolderOptions;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.support.ConvReference;
import ai.aicrypto.plaza.support.ImageFolderZips;
import ai.aicrypto.plaza.support.WineModel;
import ai.aicrypto.plaza.support.WorkerProcess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.MessageSource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;

/**
 * Code submissions in an image competition on real data: Fashion-MNIST (Debian's dataset-fashion-mnist) split by the
 * test into training images (an image-folder dataset of the host's), test images named by their ids (a ZIP) and the
 * solution. A participant's CNN is run by the plaza over the test images and scores exactly what the predictions file
 * made by running the same weights through DJL/PyTorch apart from the plaza scores, and run by a serving worker of the
 * GPU fleet (a real gpu-worker process) it scores what the plaza's own run scores. A table model, and a CNN trained on
 * another image size, are refused before anything is stored or charged.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT) // for a serving worker's process
class ImageCodeSubmissionTest extends CompetitionTestSupport {

    private static final int TRAIN = 60, TEST = 50;

    @Autowired
    Datasets datasets;
    @Autowired
    Models models;
    @Autowired
    MessageSource messages;
    @Autowired
    GpuOffers offers;
    @Autowired
    ApiTokens tokens;
    @LocalServerPort
    int port;
    @TempDir
    Path tmp;

    AccountPrincipal host;
    AccountPrincipal participant;
    float[] pixels;
    int[] labels;
    ModelCard card;

    @BeforeEach
    void fashion() throws Exception {
        host = users.member();
        participant = users.member();
        pixels = ConvReference.fashionImages(TRAIN + TEST);
        labels = ConvReference.fashionLabels(TRAIN + TEST);
        card = new ModelCardValidator().parse(cnnCard(28));
    }

    @Test
    void aCnnRunOnTheTestImagesScoresWhatItsPredictionsFileScores() throws Exception {
        Competition c = imageCompetition(testImages(ids()));
        assertThat(phase(c).testInputs()).isEqualTo(CompetitionPhase.InputKind.IMAGES);
        teams.join(c, participant, true, clock.instant());
        ConvReference weights = ConvReference.random(card, 7);
        long cnn = publish(cnnCard(28), weights);
        String page = mvc.perform(get("/competitions/" + c.slug() + "/submissions").with(user(participant)))
                .andReturn().getResponse().getContentAsString();
        assertThat(page).as("the CNN is offered").contains("id=\"model-form\"").contains("value=\"" + cnn + "\"");
        // The test images are the participants' and the host's only; their names are the ids, nothing else.
        assertThat(mvc.perform(get("/competitions/" + c.slug())).andReturn().getResponse().getContentAsString())
                .contains(c.slug() + "-test-images.zip");
        assertThat(mvc.perform(get("/competitions/" + c.slug() + "/files/test-inputs").with(user(users.member())))
                .andReturn().getResponse().getStatus()).isEqualTo(404);
        var download = mvc.perform(get("/competitions/" + c.slug() + "/files/test-inputs").with(user(participant))).andReturn();
        if (download.getRequest().isAsyncStarted()) {
            download = mvc.perform(MockMvcRequestBuilders.asyncDispatch(download))
                    .andReturn();
        }
        List<String> entries = new ArrayList<>();
        try (var zip = new ZipInputStream(new ByteArrayInputStream(download.getResponse().getContentAsByteArray()))) {
            for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                entries.add(e.getName());
            }
        }
        assertThat(entries).hasSize(TEST).allMatch(name -> name.matches("fashion-test/img-\\d+\\.png"));

        Submission run = submissions.submitModel(c, participant, cnn, "the CNN");
        assertThat(awaitScored(run.id())).isEqualTo("SCORED");

        // The same weights run apart from the plaza (DJL/PyTorch) on the same pictures, written as a predictions file.
        StringBuilder file = new StringBuilder("id,prediction\n");
        for (int i = 0; i < TEST; i++) {
            float[] logits = weights.forward(card.inputPreprocessing().orElseThrow().encode(testPicture(i)), 1);
            int best = 0;
            for (int k = 1; k < logits.length; k++) {
                best = logits[k] > logits[best] ? k : best;
            }
            file.append(ids().get(i)).append(',').append(card.classes().get(best)).append('\n');
        }
        Submission uploaded = submit(c, participant, file.toString());
        assertThat(awaitScored(uploaded.id())).isEqualTo("SCORED");
        assertThat(scores(run.id())).isEqualTo(scores(uploaded.id())).doesNotContainNull();
        assertThat(jdbc.sql("SELECT sum(instances) FROM model_calls WHERE model_id = ?").param(cnn).query(Long.class).single())
                .as("every test image was one instance of the run").isEqualTo(TEST);
    }

    /**
     * Once a serving worker is online (a provider's gpu-worker process, CPU, serving for free), the participant's CNN is
     * run by it over the test images, as the owner's own calls, and scores exactly what the plaza's own run of the same
     * weights scored before any worker was online.
     */
    @Test
    void aServingWorkerRunsTheCnnAndItScoresWhatThePlazasOwnRunScored() throws Exception {
        Competition c = imageCompetition(testImages(ids()));
        teams.join(c, participant, true, clock.instant());
        long cnn = publish(cnnCard(28), ConvReference.random(card, 11));
        Submission inProcess = submissions.submitModel(c, participant, cnn, "run by the plaza");
        assertThat(awaitScored(inProcess.id())).isEqualTo("SCORED");
        assertThat(jdbc.sql("SELECT count(*) FROM model_calls WHERE model_id = ? AND worker_id IS NOT NULL").param(cnn)
                .query(Long.class).single()).isZero();

        GpuOffers.IssuedWorker issued = offers.register(users.member().id(), new GpuOffers.NewOffer("A provider's CPU", "CPU",
                2048, BigDecimal.ONE, "local", BigDecimal.ZERO));
        try (WorkerProcess worker = WorkerProcess.start("http://127.0.0.1:" + port, issued.token(), tmp.resolve("worker-cache"),
                "--no-benchmark")) {
            // Online once it answers the participant's own call of the model.
            String token = tokens.issue(participant.id(), "try").token();
            String body = "{\"instances\": [{\"image\": \"" + java.util.Base64.getEncoder().encodeToString(
                    ImageFolderZips.png(testPicture(0))) + "\"}]}";
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                assertThat(worker.process().isAlive()).as(worker.log()).isTrue();
                return mvc.perform(MockMvcRequestBuilders.post("/api/v1/models/" + cnn + "/predict")
                                .header("Authorization", "Bearer " + token).contentType("application/json").content(body))
                        .andReturn().getResponse().getContentAsString().contains("\"servedBy\":\"worker-");
            });
            Submission served = submissions.submitModel(c, participant, cnn, "run by a serving worker");
            assertThat(awaitScored(served.id())).as(worker.log()).isEqualTo("SCORED");
            assertThat(jdbc.sql("SELECT coalesce(sum(instances), 0) FROM model_calls WHERE model_id = ? AND worker_id = ? AND via = 'RUN'")
                    .params(cnn, issued.workerId()).query(Long.class).single()).as("every test image, run by the worker").isEqualTo(TEST);
            assertThat(scores(served.id())).isEqualTo(scores(inProcess.id())).doesNotContainNull();
        }
    }

    @Test
    void aModelThatDoesNotReadTheCompetitionsImagesIsRefusedWithNothingStoredOrCharged() throws Exception {
        Competition c = imageCompetition(testImages(ids()));
        teams.join(c, participant, true, clock.instant());
        long wrongSize = publish(cnnCard(32), ConvReference.random(new ModelCardValidator().parse(cnnCard(32)), 3));
        long table = WineModel.create(datasets, models, participant.id(), tmp, 11, false).id();

        UserFacingException size = refusal(c, wrongSize);
        assertThat(size.messageKey()).isEqualTo("competition.error.model-image-shape");
        assertThat(text(size, Locale.ENGLISH))
                .isEqualTo("This model reads 32 x 32 pictures in 1 channel(s), but the competition's images are 28 x 28 in"
                        + " 1 channel(s): submit a model trained on images of that size and colour.");
        assertThat(text(size, Locale.KOREAN)).contains("32 x 32").contains("28 x 28");
        UserFacingException tableModel = refusal(c, table);
        assertThat(tableModel.messageKey()).isEqualTo("competition.error.model-input.images");
        assertThat(text(tableModel, Locale.KOREAN)).contains("테스트 입력은 이미지입니다");

        assertThat(jdbc.sql("SELECT count(*) FROM submissions WHERE competition_id = ?").param(c.id()).query(Long.class).single())
                .isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM model_calls WHERE model_id IN (?, ?)").params(wrongSize, table)
                .query(Long.class).single()).as("nothing run, nothing charged").isZero();
    }

    @Test
    void testImagesThatDoNotNameTheSolutionsIdsAreRefusedWithTheDifferences() throws Exception {
        List<String> ids = new ArrayList<>(ids());
        ids.set(3, "g1");
        long before = jdbc.sql("SELECT count(*) FROM competitions").query(Long.class).single();
        assertThatThrownBy(() -> imageCompetition(testImages(ids)))
                .isInstanceOfSatisfying(TestInputsRejected.class, e -> assertThat(e.problems().stream()
                        .map(p -> messages.getMessage(p.key(), p.arguments(), Locale.ENGLISH)).toList()).containsExactlyInAnyOrder(
                        "1 images of the test inputs have ids that the solution does not have, for example: g1",
                        "1 ids of the solution have no image in the test inputs, for example: img-3"));
        assertThat(jdbc.sql("SELECT count(*) FROM competitions").query(Long.class).single()).isEqualTo(before);
    }

    private String text(UserFacingException e, Locale locale) {
        return messages.getMessage(e.messageKey(), e.args(), locale);
    }

    private UserFacingException refusal(Competition c, long modelId) {
        try {
            submissions.submitModel(c, participant, modelId, "");
        } catch (UserFacingException e) {
            return e;
        }
        throw new AssertionError("model " + modelId + " was taken");
    }

    /** The example Fashion-MNIST CNN card, for {@code side} x {@code side} grey pictures. */
    private static String cnnCard(int side) throws Exception {
        return new ClassPathResource("model-card/examples/fashion-mnist-cnn.json").getContentAsString(StandardCharsets.UTF_8)
                .replace("\"shape\": [1, 28, 28]", "\"shape\": [1, " + side + ", " + side + "]");
    }

    private long publish(String cardJson, ConvReference weights) throws Exception {
        Path file = Files.write(Files.createTempFile(tmp, "cnn", ".safetensors"), weights.safetensors());
        return models.publish(participant.id(), new ModelUpload(cardJson, List.of(), file));
    }

    /** An accuracy competition on the host's training images, with the test images as its test inputs. */
    private Competition imageCompetition(Path testImages) throws Exception {
        Path training = ImageFolderZips.fashion(tmp.resolve("train-" + System.nanoTime() + ".zip"), TRAIN);
        long dataset = datasets.importDataset(host.id(), DatasetUpload.imageFolders(
                new ListingDraft("Fashion training images", "", List.of(), "MIT", BigDecimal.ZERO), training,
                "fashion-train.zip", ImageFolderOptions.FROM_DATA));
        CompetitionForm form = form(5);
        form.setMetric("ACCURACY");
        form.setDatasetId(dataset);
        StringBuilder solution = new StringBuilder("id,label\n");
        for (int i = 0; i < TEST; i++) {
            solution.append(ids().get(i)).append(',').append(card.classes().get(labels[TRAIN + i])).append('\n');
        }
        Path solutionFile = temp(solution.toString());
        try {
            return competitions.host(host, form, solutionFile, testImages);
        } finally {
            delete(solutionFile);
        }
    }

    private List<String> ids() {
        return IntStream.range(0, TEST).mapToObj(i -> "img-" + i).toList();
    }

    private BufferedImage testPicture(int i) {
        return ImageFolderZips.fashionItem(pixels, TRAIN + i);
    }

    /** The test images as a participant downloads them: {@code fashion-test/ID.png}, in id order. */
    private Path testImages(List<String> ids) throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            entries.put("fashion-test/" + ids.get(i) + ".png", ImageFolderZips.png(testPicture(i)));
        }
        return ImageFolderZips.write(tmp.resolve("test-" + System.nanoTime() + ".zip"), entries);
    }
}
