package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.dataset.format.ImageFolderOptions;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.support.ConvReference;
import ai.aicrypto.plaza.support.ImageFolderZips;
import ai.aicrypto.plaza.support.TestCompetitions;
import ai.aicrypto.plaza.support.WorkerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.MessageSource;
import org.springframework.test.context.TestPropertySource;

/**
 * Data competitions on images, on real data: Fashion-MNIST (Debian's dataset-fashion-mnist). The host's training images
 * (a ZIP of class folders) are the format, the recommended convolutional network is fixed, and the test images (named by
 * their ids) and their labels are hidden. Two participants submit image datasets of their own, other Fashion-MNIST
 * images than the host's, one labelled correctly and one with every picture in the next class's folder. A real
 * gpu-worker trains the host's CNN on each (its CPU engine), the plaza runs each trained CNN over the hidden test
 * images, and the board ranks the correct images first. Data of another kind or size is refused with the difference.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// The test moves training on itself ({@link DataCompetitions#advance}).
@TestPropertySource(properties = "plaza.competition.training-poll=1h")
class ImageDataCompetitionTest extends DataCompetitionTestSupport {

    private static final int HOST_IMAGES = 300, TEST = 60, PARTICIPANT_FROM = HOST_IMAGES + TEST, PARTICIPANT_IMAGES = 600;
    private static final int WAIT_SECONDS = 900;

    @LocalServerPort
    int port;
    @Autowired
    Datasets datasets;
    @Autowired
    GpuOffers offers;
    @Autowired
    MessageSource messages;
    @TempDir
    Path tmp;

    AccountPrincipal host;
    long reference;
    int[] labels;

    @BeforeEach
    void aHostWithTrainingImages() throws Exception {
        host = users.member();
        reference = images(host, "Fashion training images", 0, HOST_IMAGES, 0);
        labels = ConvReference.fashionLabels(HOST_IMAGES + TEST);
    }

    /** Jobs a test left queued would be the next test's worker's first work. */
    @AfterEach
    void cancelQueuedJobs() {
        jdbc.sql("UPDATE training_jobs SET status = 'CANCELLED' WHERE status = 'QUEUED'").update();
    }

    @Test
    void theCorrectImagesRankAboveTheMislabelledOnTheHiddenTestImages() throws Exception {
        Competition c = host(form("cnn"), testImages());
        AccountPrincipal alice = joined(c);
        AccountPrincipal bob = joined(c);
        long good = images(alice, "Fashion as labelled", PARTICIPANT_FROM, PARTICIPANT_IMAGES, 0);
        long bad = images(bob, "Fashion one class off", PARTICIPANT_FROM, PARTICIPANT_IMAGES, 1);
        long aliceEntry = submissions.submitData(c, alice, good, "as labelled").id();
        long bobEntry = submissions.submitData(c, bob, bad, "one class off").id();

        GpuOffers.IssuedWorker worker = WorkerProcess.registerCpuOffer(offers, users.member().id());
        try (WorkerProcess process = WorkerProcess.start("http://127.0.0.1:" + port, worker.token(), tmp.resolve("cache"), "--no-benchmark")) {
            for (int i = 0; i < WAIT_SECONDS * 5 && !(ended(aliceEntry) && ended(bobEntry)); i++) {
                data.advance();
                Thread.sleep(200);
            }
            assertThat(statusOf(aliceEntry)).as(process.log() + failure(aliceEntry)).isEqualTo("SCORED");
            assertThat(statusOf(bobEntry)).as(process.log() + failure(bobEntry)).isEqualTo("SCORED");
        }
        double aliceScore = score(aliceEntry), bobScore = score(bobEntry);
        System.out.printf("Fashion-MNIST data competition, recommended CNN, %d images, 3 epochs: correct %.3f, one class off %.3f%n",
                PARTICIPANT_IMAGES, aliceScore, bobScore);
        // Chance is 0.1; the correctly labelled images teach most classes, the shifted ones name almost none right. The
        // CPU engine's training is not bit-exact from run to run (threaded kernels), and on 60 test images after 3 epochs
        // the correct set has scored 0.500 to 0.722: the bound is three times chance, not the runs' typical score.
        assertThat(aliceScore).as("the correct images' CNN names far more test images than chance").isGreaterThan(0.3);
        assertThat(bobScore).as("the shifted images' CNN names them one class off").isLessThan(0.2);
        long aliceModel = jdbc.sql("SELECT model_id FROM submissions WHERE id = ?").param(aliceEntry).query(Long.class).single();
        assertThat(jdbc.sql("SELECT owner_id FROM listings WHERE id = ?").param(aliceModel).query(Long.class).single())
                .as("the CNN trained on Alice's images is hers").isEqualTo(alice.id());
        String board = body("/competitions/" + c.slug() + "/leaderboard", null);
        assertThat(board.indexOf("Fashion as labelled")).as(board).isPositive().isLessThan(board.indexOf("Fashion one class off"));
    }

    @Test
    void dataOfAnotherKindOrSizeIsRefusedWithTheDifferenceAndNothingCounts() throws Exception {
        Competition c = host(form("cnn"), testImages());
        AccountPrincipal alice = joined(c);
        long table = WineSplit.upload(datasets, alice.id(), tmp, "Wine rows", WineSplit.training(UnaryOperator.identity()));
        UserFacingException notImages = refusal(c, alice, table);
        assertThat(notImages.messageKey()).isEqualTo("competition.error.data-needs-images");
        assertThat(text(notImages, Locale.KOREAN)).contains("이미지");
        long colourShapes = datasets.importDataset(alice.id(), DatasetUpload.imageFolders(
                new ListingDraft("Coloured shapes", "", List.of(), "MIT", BigDecimal.ZERO),
                ImageFolderZips.shapes(tmp.resolve("shapes.zip"), 4, 14, 5), "shapes.zip", ImageFolderOptions.FROM_DATA));
        UserFacingException size = refusal(c, alice, colourShapes);
        assertThat(size.messageKey()).isEqualTo("competition.error.data-image-shape");
        assertThat(text(size, Locale.ENGLISH)).isEqualTo("Your dataset's images are 14 x 14 in 3 channel(s); the competition's are"
                + " 28 x 28 in 1 channel(s).");
        long fewClasses = images(alice, "Fashion, a few", PARTICIPANT_FROM, 5, 0);
        assertThat(refusal(c, alice, fewClasses).messageKey()).isEqualTo("competition.error.data-classes");
        assertThat(jdbc.sql("SELECT count(*) FROM submissions WHERE competition_id = ?").param(c.id()).query(Long.class).single())
                .isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM training_jobs WHERE requester_id = ?").param(alice.id()).query(Long.class).single())
                .as("nothing queued").isZero();
    }

    @Test
    void hostingChecksThatTheTestInputsAndTheModelAreForImages() throws Exception {
        long before = jdbc.sql("SELECT count(*) FROM competitions WHERE host_id = ?").param(host.id()).query(Long.class).single();
        StringBuilder table = new StringBuilder("id,p1\n");
        for (int i = 0; i < TEST; i++) {
            table.append(ids().get(i)).append(",0\n");
        }
        assertThatThrownBy(() -> host(form("cnn"), CompetitionTestSupport.temp(table.toString())))
                .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.messageKey()).isEqualTo("competition.error.data-test-images"));
        assertThatThrownBy(() -> host(form("gbdt"), testImages()))
                .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.messageKey()).isEqualTo("competition.error.template-kind"));
        assertThat(jdbc.sql("SELECT count(*) FROM competitions WHERE host_id = ?").param(host.id()).query(Long.class).single())
                .isEqualTo(before);
        assertThat(jdbc.sql("SELECT count(*) FROM listings WHERE owner_id = ? AND kind = 'MODEL'").param(host.id())
                .query(Long.class).single()).as("no template card left behind").isZero();
    }

    /** Fashion-MNIST test images {@code from} to {@code from + count} as an image-folder dataset of {@code owner}'s. */
    private long images(AccountPrincipal owner, String title, int from, int count, int labelShift) throws Exception {
        Path zip = ImageFolderZips.fashion(tmp.resolve("images-" + System.nanoTime() + ".zip"), from, count, labelShift);
        return datasets.importDataset(owner.id(), DatasetUpload.imageFolders(new ListingDraft(title, "", List.of(), "MIT",
                BigDecimal.ZERO), zip, "fashion.zip", ImageFolderOptions.FROM_DATA));
    }

    /** The hidden test images, named by their ids, the images after the host's. */
    private Path testImages() throws Exception {
        float[] pixels = ConvReference.fashionImages(HOST_IMAGES + TEST);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < TEST; i++) {
            entries.put("fashion-test/" + ids().get(i) + ".png", ImageFolderZips.png(ImageFolderZips.fashionItem(pixels, HOST_IMAGES + i)));
        }
        return ImageFolderZips.write(tmp.resolve("test-" + System.nanoTime() + ".zip"), entries);
    }

    private List<String> ids() {
        return java.util.stream.IntStream.range(0, TEST).mapToObj(i -> "img-" + i).toList();
    }

    /** An accuracy data competition on the host's training images: a recommended network, 3 epochs, running 2020-2099. */
    private CompetitionForm form(String recommendation) {
        CompetitionForm form = new CompetitionForm();
        form.setTitle("Best fashion pictures");
        form.setSlug(TestCompetitions.slug("fashion-data"));
        form.setMetric("ACCURACY");
        form.setStartsAt(LocalDateTime.of(2020, 1, 1, 0, 0));
        form.setEndsAt(LocalDateTime.of(2099, 1, 1, 0, 0));
        form.setSubmissionsPerDay(5);
        form.setMaxTeamSize(2);
        form.setPrizeSplit("");
        form.setDatasetId(reference);
        form.setKind(CompetitionForm.DATA);
        form.setTemplateRecommendation(recommendation);
        form.setHyperparameters("{\"epochs\": 3}");
        form.setTrainingMinutes(30);
        return form;
    }

    private Competition host(CompetitionForm form, Path testInputs) {
        StringBuilder solution = new StringBuilder("id,label\n");
        for (int i = 0; i < TEST; i++) {
            solution.append(ids().get(i)).append(',').append(ImageFolderZips.FASHION_CLASSES.get(labels[HOST_IMAGES + i])).append('\n');
        }
        Path solutionFile = CompetitionTestSupport.temp(solution.toString());
        try {
            return competitions.host(host, form, solutionFile, testInputs);
        } finally {
            CompetitionTestSupport.delete(solutionFile);
            CompetitionTestSupport.delete(testInputs);
        }
    }

    private UserFacingException refusal(Competition c, AccountPrincipal who, long datasetId) {
        try {
            submissions.submitData(c, who, datasetId, "");
        } catch (UserFacingException e) {
            return e;
        }
        throw new AssertionError("dataset " + datasetId + " was taken");
    }

    private String text(UserFacingException e, Locale locale) {
        return messages.getMessage(e.messageKey(), e.args(), locale);
    }
}
