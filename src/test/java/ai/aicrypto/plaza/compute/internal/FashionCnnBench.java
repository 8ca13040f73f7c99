package ai.aicrypto.plaza.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.model.card.RecommendedModels;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import ai.aicrypto.plaza.support.WorkerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * ops/bench/training with BUILDER_CNN=1: issue 19's image target through the builder's path. Fashion-MNIST's 60,000
 * training images and its 10,000 t10k images uploaded as one IDX pair (the first {@code plaza.bench.cnn-images}, all
 * 70,000 by default), so that the training split the plaza sends the worker, nine tenths, holds the 60,000 images of
 * the issue (63,000), and the tenth it keeps is what it verifies on; the builder's recommended CNN for that dataset, made
 * the requester's card as the builder makes it; {@code plaza.bench.cnn-epochs} epochs (10); one real gpu-worker process.
 * Prints `name value` lines (fashion_mnist_cnn_builder_heldout_accuracy against the target 0.90, the time per epoch,
 * the whole lease), then details, also to target/training-bench-builder-cnn.txt.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FashionCnnBench extends IntegrationTest {

    private static final double TARGET = 0.90;

    @LocalServerPort
    int port;
    @Autowired
    GpuOffers offers;
    @Autowired
    TrainingJobs jobs;
    @Autowired
    Datasets datasets;
    @Autowired
    Models models;
    @Autowired
    TestUsers users;
    @TempDir
    Path tmp;

    @Test
    void theRecommendedCnnOnFashionMnistThroughTheBuildersPath() throws Exception {
        int images = Integer.getInteger("plaza.bench.cnn-images", 70_000);
        int epochs = Integer.getInteger("plaza.bench.cnn-epochs", 10);
        Duration wait = Duration.ofHours(Long.getLong("plaza.bench.cnn-wait-hours", 24));
        AccountPrincipal requester = users.member();
        Path pixels = tmp.resolve("images-idx3-ubyte"), labels = tmp.resolve("labels-idx1-ubyte");
        concatenate(List.of("train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"), 16, 28 * 28, images, pixels);
        concatenate(List.of("train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"), 8, 1, images, labels);
        long dataset = datasets.importDataset(requester.id(), new DatasetUpload(new ListingDraft("Fashion-MNIST", "", List.of(),
                "MIT", BigDecimal.ZERO), pixels, pixels.getFileName().toString(), labels, labels.getFileName().toString(), null));
        RecommendedModels.Recommendation cnn = RecommendedModels.forDataset("Fashion-MNIST", datasets.preprocessing(dataset), images)
                .get(0);
        assertThat(cnn.key()).as("the builder's first recommendation for images").isEqualTo(RecommendedModels.CNN);
        long card = models.createPrivate(requester.id(), new ModelUpload(cnn.card().json().toString(), List.of("easy-ai-builder"), null));
        long job = jobs.submit(requester.id(), dataset, card, "{\"epochs\": " + epochs + "}", 0);
        GpuOffers.IssuedWorker issued = WorkerProcess.registerCpuOffer(offers, users.member().id());
        try (WorkerProcess worker = WorkerProcess.start("http://127.0.0.1:" + port, issued.token(), tmp.resolve("cache"), "--no-benchmark")) {
            Instant until = Instant.now().plus(wait);
            while (!List.of("SUCCEEDED", "FAILED").contains(status(job)) && Instant.now().isBefore(until)) {
                Thread.sleep(5_000);
            }
            assertThat(status(job)).as(worker.log()).isEqualTo("SUCCEEDED");
        }
        Map<String, Object> result = jdbc.sql("""
                        SELECT r.verified_accuracy, EXTRACT(EPOCH FROM r.uploaded_at - a.leased_at) AS seconds
                        FROM job_results r JOIN job_attempts a USING (job_id, attempt) WHERE r.job_id = ? AND r.verdict = 'VERIFIED'""")
                .param(job).query().singleRow();
        List<Map<String, Object>> progress = jdbc.sql("""
                        SELECT epoch, loss, accuracy, samples_per_s,
                               EXTRACT(EPOCH FROM reported_at - lag(reported_at) OVER (ORDER BY seq)) AS seconds
                        FROM job_progress WHERE job_id = ? ORDER BY seq""").param(job).query().listOfRows();
        double accuracy = ((Number) result.get("verified_accuracy")).doubleValue();
        double seconds = ((Number) result.get("seconds")).doubleValue();
        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "fashion_mnist_cnn_builder_heldout_accuracy %.4f%n", accuracy));
        report.append(String.format(Locale.ROOT, "fashion_mnist_cnn_builder_target %.2f%n", TARGET));
        report.append(String.format(Locale.ROOT, "fashion_mnist_cnn_builder_seconds_per_epoch %.0f%n", seconds / epochs));
        report.append(String.format(Locale.ROOT, "fashion_mnist_cnn_builder_job_seconds %.0f%n", seconds));
        report.append(String.format(Locale.ROOT, "%n# %d images uploaded (a tenth held out by the plaza), card %s, %d epochs, job %d%n",
                images, cnn.card().json().path("architecture"), epochs, job));
        progress.forEach(p -> report.append(String.format(Locale.ROOT,
                "# epoch %s: loss %s, accuracy %s (the worker's claim), %s samples/s, %s s after the previous report%n",
                p.get("epoch"), p.get("loss"), p.get("accuracy"), p.get("samples_per_s"), p.get("seconds"))));
        System.out.print(report);
        Files.writeString(Path.of("target/training-bench-builder-cnn.txt"), report);
    }

    private String status(long job) {
        return jdbc.sql("SELECT status FROM training_jobs WHERE id = ?").param(job).query(String.class).single();
    }

    /** The first {@code count} records of the gzipped IDX files, in turn, as one IDX file (the first file's header, the count set). */
    private static void concatenate(List<String> files, int headerBytes, int recordBytes, int count, Path target) throws IOException {
        try (OutputStream out = Files.newOutputStream(target)) {
            int left = count;
            for (int i = 0; i < files.size() && left > 0; i++) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(WorkerProcess.FASHION.resolve(files.get(i))))) {
                    byte[] header = in.readNBytes(headerBytes);
                    int records = Math.min(left, ByteBuffer.wrap(header).getInt(4));
                    if (i == 0) {
                        ByteBuffer.wrap(header).putInt(4, count); // the item count follows the magic number
                        out.write(header);
                    }
                    out.write(in.readNBytes(records * recordBytes));
                    left -= records;
                }
            }
            if (left > 0) {
                throw new IOException("Fashion-MNIST has fewer than " + count + " records");
            }
        }
    }
}
