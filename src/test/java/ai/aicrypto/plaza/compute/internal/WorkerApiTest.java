package ai.aicrypto.plaza.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.compute.GpuOfferChanged;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.earnings.OfferUtilisation;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.platform.IntegrityException;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.json.JsonMapper;

/** The worker API and the queue behind it, through the real routes with real tokens (package-level to run the expiry). */
@RecordApplicationEvents
class WorkerApiTest extends IntegrationTest {

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
    @Autowired
    JsonMapper json;
    @Autowired
    ApplicationEvents events;
    @Autowired
    TrainingSplits splits;
    @Autowired
    BlobStore blobs;
    @Autowired
    OfferUsageHours hours;

    long requester;
    long dataset;
    long model;

    @BeforeEach
    void datasetAndModel() throws Exception {
        requester = users.member().id();
        // Jobs queued by other tests would be leased here too: each test starts from an empty queue.
        jdbc.sql("UPDATE training_jobs SET status = 'CANCELLED', worker_id = NULL, lease_expires_at = NULL "
                + "WHERE status IN ('QUEUED', 'LEASED')").update();
        Path csv = Files.createTempFile("jobs", ".csv");
        Files.writeString(csv, "a,b,y\n1,2,x\n3,4,z\n5,6,x\n");
        dataset = datasets.importDataset(requester, new DatasetUpload(
                new ListingDraft("Job data", "", List.of(), "MIT", BigDecimal.ZERO), csv, "jobs.csv", null, null, "y"));
        Files.delete(csv);
        model = models.publish(requester, new ModelUpload(new ClassPathResource(
                "model-card/examples/tabular-softmax-regression.json").getContentAsString(StandardCharsets.UTF_8),
                List.of(), null));
    }

    /** Search re-indexes an offer on each GpuOfferChanged: a heartbeat repeating the same score must not send one. */
    @Test
    void onlyARegistrationOrANewMeasuredScoreIsNewsForSearch() throws Exception {
        var issued = offers.register(requester, new GpuOffers.NewOffer("Scored", "L4", 24576, BigDecimal.ONE, "eu-west"));
        for (double score : new double[] {500, 500, 510}) {
            call(issued.token(), "/heartbeat", Map.of("engine", "cpu", "gpuMemoryMb", 24576, "cachedDatasets", List.of(),
                    "benchmarkScore", score));
        }
        assertThat(events.stream(GpuOfferChanged.class)).containsExactly(new GpuOfferChanged(issued.offerId()),
                new GpuOfferChanged(issued.offerId()), new GpuOfferChanged(issued.offerId()));
    }

    /** The earnings dashboard's utilisation (issue 17): hours online from heartbeats, hours leased from leases. */
    @Test
    void anOffersHoursOnlineAndLeasedComeFromItsHeartbeatsAndLeases() throws Exception {
        AccountPrincipal provider = users.member();
        var issued = offers.register(provider.id(), new GpuOffers.NewOffer("Measured rig", "RTX 4090", 24_576, BigDecimal.ONE, "kr-seoul"));
        // Three earlier minutes online, as the heartbeat route records them (a row per worker and minute); then one now.
        jdbc.sql("""
                        INSERT INTO worker_heartbeats (worker_id, minute)
                        SELECT ?, date_trunc('minute', now()) - make_interval(mins => m) FROM generate_series(1, 3) m""")
                .param(issued.workerId()).update();
        call(issued.token(), "/heartbeat", Map.of("engine", "cpu", "gpuMemoryMb", 8192, "cachedDatasets", List.of()));
        long job = jobs.submit(requester, dataset, model, "{}", 0);
        assertThat(((Number) body(call(issued.token(), "/lease", null)).get("id")).longValue()).isEqualTo(job);

        // Summed over days: the four minutes may straddle midnight (UTC).
        var days = hours.daysOf(provider.id(), Instant.now().minus(Duration.ofDays(1)));
        assertThat(days).allSatisfy(d -> assertThat(d.offerId()).isEqualTo(issued.offerId()));
        assertThat(days.stream().mapToLong(OfferUtilisation.OfferDay::onlineMinutes).sum()).isEqualTo(4);
        assertThat(days.stream().mapToLong(OfferUtilisation.OfferDay::leasedMinutes).sum()).as("the minute of the lease").isEqualTo(1);
        assertThat(days.stream().mapToLong(OfferUtilisation.OfferDay::uptimeMinutes).sum()).isEqualTo(4);
        assertThat(hours.daysOf(requester, Instant.now().minus(Duration.ofDays(1)))).as("another provider's offers").isEmpty();
        assertThat(mvc.perform(get("/earnings").with(user(provider))).andReturn().getResponse().getContentAsString())
                .contains("id=\"offer-days\"").contains("Measured rig").contains("id=\"chart-utilisation\"");
    }

    @Test
    void theApiIsDescribedWithOpenApi() throws Exception {
        String docs = mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get("/v3/api-docs"))
                .andReturn().getResponse().getContentAsString();
        assertThat(docs).contains("\"openapi\"").contains("/api/worker/v1/lease").contains("/api/worker/v1/jobs/{id}/complete")
                .contains("/api/worker/v1/jobs/{id}/parent-weights").contains("GET .../parent-weights")
                .contains("bearer").doesNotContain("/datasets/new");
    }

    @Test
    void aWorkerNeedsItsToken() throws Exception {
        assertThat(mvc.perform(post("/api/worker/v1/lease")).andReturn().getResponse().getStatus()).isEqualTo(401);
        assertThat(mvc.perform(post("/api/worker/v1/lease").header("Authorization", "Bearer plz_forged"))
                .andReturn().getResponse().getStatus()).isEqualTo(401);
    }

    @Test
    void leaseRenewProgressAndCompletionNeedsWeights() throws Exception {
        String token = worker(8192);
        assertThat(call(token, "/lease", null).getResponse().getStatus()).isEqualTo(204);
        long job = jobs.submit(requester, dataset, model, "{\"epochs\": 3}", 1024);

        Map<String, Object> leased = body(call(token, "/lease", null));
        assertThat(((Number) leased.get("id")).longValue()).isEqualTo(job);
        assertThat(leased).containsEntry("attempt", 1).containsEntry("hyperparametersJson", "{\"epochs\": 3}");
        assertThat((String) leased.get("cardJson")).contains("softmax-regression");
        assertThat(Base64.getDecoder().decode((String) leased.get("shardKey"))).hasSize(32);
        assertThat((List<?>) leased.get("shards")).as("rows 1 and 2; row 0 is held out").hasSize(1);
        assertThat(call(token, "/jobs/" + job + "/renew", null).getResponse().getStatus()).isEqualTo(200);
        assertThat(call(token, "/jobs/" + job + "/progress", Map.of("epoch", 1, "loss", 0.9, "accuracy", 0.6,
                "samplesPerSecond", 1200.0)).getResponse().getStatus()).isEqualTo(204);
        assertThat(jdbc.sql("SELECT count(*) FROM job_progress WHERE job_id = ?").param(job).query(Long.class).single())
                .isEqualTo(1);
        assertThat(call(token, "/jobs/" + job + "/complete", Map.of("accuracy", 0.8)).getResponse().getStatus())
                .as("no weights uploaded").isEqualTo(409);
        assertThat(status(job)).isEqualTo("LEASED");
        assertThat(call(token, "/jobs/" + job + "/fail", Map.of("reason", "out of memory")).getResponse().getStatus()).isEqualTo(204);
        assertThat(status(job)).isEqualTo("QUEUED");
        assertThat(call(token, "/jobs/" + job + "/renew", null).getResponse().getStatus())
                .as("a job this worker held once but no longer").isEqualTo(409);
    }

    /** Review L11: what a worker reports is bounded before it is stored or shown; a refused report stores nothing. */
    @Test
    void oversizedOrNonsensicalWorkerReportsAreRefusedAndNothingIsStored() throws Exception {
        String token = worker(8192);
        long job = jobs.submit(requester, dataset, model, "{\"epochs\": 3}", 1024);
        assertThat(((Number) body(call(token, "/lease", null)).get("id")).longValue()).isEqualTo(job);

        List<Long> tooManyCached = java.util.stream.LongStream.rangeClosed(1, WorkerReports.MAX_CACHED_DATASETS + 1).boxed().toList();
        for (Map<String, Object> beat : List.of(
                Map.<String, Object>of("engine", "cpu", "gpuMemoryMb", 8192, "cachedDatasets", tooManyCached),
                Map.<String, Object>of("engine", "x".repeat(WorkerReports.MAX_ENGINE_LENGTH + 1), "gpuMemoryMb", 8192),
                Map.<String, Object>of("engine", "cpu", "gpuMemoryMb", -1),
                Map.<String, Object>of("engine", "cpu", "gpuMemoryMb", 8192, "benchmark", "b".repeat(WorkerReports.MAX_BENCHMARK_LENGTH + 1)),
                Map.<String, Object>of("engine", "cpu", "gpuMemoryMb", 8192, "benchmarkScore", -5.0),
                Map.<String, Object>of("engine", "cpu", "gpuMemoryMb", 8192, "families", Map.of("mlp", "")),
                Map.<String, Object>of("engine", "cpu", "gpuMemoryMb", 8192, "families",
                        Map.of("mlp", "e".repeat(WorkerReports.MAX_ENGINE_LENGTH + 1))),
                Map.<String, Object>of("engine", "cpu", "gpuMemoryMb", 8192, "families",
                        java.util.stream.IntStream.rangeClosed(0, WorkerReports.MAX_FAMILIES).boxed()
                                .collect(java.util.stream.Collectors.toMap(i -> "family-" + i, i -> "cpu"))))) {
            MvcResult refused = call(token, "/heartbeat", beat);
            assertThat(refused.getResponse().getStatus()).as(beat.keySet().toString()).isEqualTo(400);
            assertThat(body(refused).get("error")).asString().isNotBlank();
        }
        assertThat(jdbc.sql("""
                        SELECT w.engine || ' ' || w.gpu_memory_mb || ' ' || coalesce(w.benchmark, '-')
                        FROM workers w JOIN training_jobs j ON j.worker_id = w.id WHERE j.id = ?""")
                .param(job).query(String.class).single()).as("as the last accepted heartbeat said").isEqualTo("cpu 8192 -");
        // a family this plaza does not know (a newer worker's) cannot match a job here: it is dropped, the rest kept
        assertThat(call(token, "/heartbeat", Map.of("engine", "cpu", "gpuMemoryMb", 8192,
                "families", Map.of("mlp", "cpu", "transformer", "cpu"))).getResponse().getStatus()).isEqualTo(200);
        assertThat(jdbc.sql("SELECT w.families::text FROM workers w JOIN training_jobs j ON j.worker_id = w.id WHERE j.id = ?")
                .param(job).query(String.class).single()).isEqualTo("{\"mlp\": \"cpu\"}");

        for (Map<String, Object> progress : List.of(Map.<String, Object>of("epoch", -1), Map.<String, Object>of("epoch", 1, "accuracy", 1.5),
                Map.<String, Object>of("epoch", 1, "loss", -0.1))) {
            assertThat(call(token, "/jobs/" + job + "/progress", progress).getResponse().getStatus()).isEqualTo(400);
        }
        assertThat(jdbc.sql("SELECT count(*) FROM job_progress WHERE job_id = ?").param(job).query(Long.class).single()).isZero();

        Map<String, Object> manyMetrics = new java.util.HashMap<>();
        for (int i = 0; i <= WorkerReports.MAX_METRICS; i++) {
            manyMetrics.put("m" + i, i);
        }
        assertThat(call(token, "/jobs/" + job + "/complete", manyMetrics).getResponse().getStatus()).isEqualTo(400);
        assertThat(call(token, "/jobs/" + job + "/complete", Map.of("accuracy", Map.of("nested", List.of(1, 2, 3))))
                .getResponse().getStatus()).isEqualTo(400);
        assertThat(status(job)).isEqualTo("LEASED");

        assertThat(call(token, "/jobs/" + job + "/fail", Map.of("reason", "r".repeat(100_000))).getResponse().getStatus()).isEqualTo(204);
        assertThat(jdbc.sql("SELECT length(failure_reason) FROM training_jobs WHERE id = ?").param(job).query(Integer.class).single())
                .isEqualTo(WorkerReports.MAX_REASON_LENGTH);
    }

    /**
     * Issue 20: a worker only ever receives a key for the shards of the job it holds, it decrypts nothing another worker
     * downloads and nothing stored, and rotating the split retires it.
     */
    @Test
    void eachWorkerGetsAKeyOfItsOwnThatRotationRetires() throws Exception {
        String a = worker(8192);
        String b = worker(8192);
        long first = jobs.submit(requester, dataset, model, "{}", 0);
        long second = jobs.submit(requester, dataset, model, "{}", 0);
        MvcResult leaseA = call(a, "/lease", null);
        MvcResult leaseB = call(b, "/lease", null);
        byte[] keyA = Base64.getDecoder().decode((String) body(leaseA).get("shardKey"));
        byte[] keyB = Base64.getDecoder().decode((String) body(leaseB).get("shardKey"));
        assertThat(keyA).hasSize(32).isNotEqualTo(keyB);
        assertThat(contentIds(leaseA)).as("each worker's copy has an id of its own").doesNotContainAnyElementsOf(contentIds(leaseB));

        byte[] fromA = download(a, first);
        byte[] fromB = download(b, second);
        assertThat(download(a, first)).as("the same bytes on every download").isEqualTo(fromA);
        assertThat(fromA).hasSize(((Number) shards(leaseA).get(0).get("bytes")).intValue()).isNotEqualTo(fromB);
        byte[] plaintext = TrainingSplits.decrypt(keyA, fromA);
        assertThat(TrainingSplits.decrypt(keyB, fromB)).isEqualTo(plaintext);
        assertThatThrownBy(() -> TrainingSplits.decrypt(keyA, fromB)).isInstanceOf(IntegrityException.class);
        assertThatThrownBy(() -> TrainingSplits.decrypt(keyB, fromA)).isInstanceOf(IntegrityException.class);

        TrainingSplits.Split stored = splits.ensure(dataset);
        for (byte[] appKey : List.of(stored.key(), stored.atRest().wrapped())) {
            for (MvcResult lease : List.of(leaseA, leaseB)) {
                assertThat(lease.getResponse().getContentAsString()).doesNotContain(Base64.getEncoder().encodeToString(appKey));
            }
        }
        byte[] storedShard = blob(stored.shards().get(0).blobKey());
        byte[] storedValidation = blob(stored.validationBlob());
        for (byte[] workerKey : List.of(keyA, keyB)) {
            assertThatThrownBy(() -> TrainingSplits.decrypt(workerKey, storedShard)).isInstanceOf(IntegrityException.class);
            assertThatThrownBy(() -> TrainingSplits.decrypt(workerKey, storedValidation)).isInstanceOf(IntegrityException.class);
        }
        assertThatThrownBy(() -> stored.atRest().decryptFrom(blobs, stored.validationBlob(), TrainingSplits.SHARD_CONTEXT).readAllBytes())
                .as("the held-out split is bound to its purpose").isInstanceOf(java.io.IOException.class);

        splits.rotate(dataset);
        assertThat(mvc.perform(get("/api/worker/v1/jobs/" + first + "/shards/0").header("Authorization", "Bearer " + a))
                .andReturn().getResponse().getStatus()).as("a lease of the old generation").isEqualTo(409);
        assertThat(status(first)).as("queued again").isEqualTo("QUEUED");
        assertThatThrownBy(() -> blob(stored.shards().get(0).blobKey())).as("the old generation's blobs are gone")
                .isInstanceOf(java.io.IOException.class);
        MvcResult again = call(a, "/lease", null);
        assertThat(((Number) body(again).get("id")).longValue()).isEqualTo(first);
        byte[] rotatedKey = Base64.getDecoder().decode((String) body(again).get("shardKey"));
        assertThat(rotatedKey).isNotEqualTo(keyA);
        assertThat(contentIds(again)).doesNotContainAnyElementsOf(contentIds(leaseA));
        byte[] rotated = download(a, first);
        assertThatThrownBy(() -> TrainingSplits.decrypt(keyA, rotated)).isInstanceOf(IntegrityException.class);
        assertThat(TrainingSplits.decrypt(rotatedKey, rotated)).as("the same rows").isEqualTo(plaintext);
        assertThat(splits.validation(dataset).rows()).as("the held-out split is unchanged").isEqualTo(1);
    }

    @Test
    void aJobThatRunsOutOfAttemptsRefundsTheRequester() throws Exception {
        String token = worker(8192);
        long job = jobs.submit(requester, dataset, model, "{}", 0);
        for (int attempt = 1; attempt <= 3; attempt++) {
            assertThat(body(call(token, "/lease", null))).containsEntry("attempt", attempt);
            call(token, "/jobs/" + job + "/fail", Map.of("reason", "driver crashed"));
        }
        assertThat(status(job)).isEqualTo("FAILED");
        assertThat(jdbc.sql("SELECT kind || ' ' || user_id || ' ' || reason FROM settlements WHERE job_id = ?").param(job)
                .query(String.class).list()).containsExactly("REFUND_REQUESTER " + requester + " driver crashed");
    }

    @Test
    void aWorkerCannotTouchAnotherWorkersJob() throws Exception {
        String owner = worker(8192);
        String other = worker(8192);
        long job = jobs.submit(requester, dataset, model, "{}", 0);
        assertThat(call(owner, "/lease", null).getResponse().getStatus()).isEqualTo(200);
        for (String route : List.of("/renew", "/progress", "/complete", "/fail", "/checkpoints")) {
            Object payload = route.equals("/progress") ? Map.of("epoch", 1) : route.equals("/fail") ? Map.of("reason", "x")
                    : route.equals("/checkpoints") ? Map.of("sha256", List.of("0".repeat(64), "1".repeat(64))) : Map.of();
            assertThat(call(other, "/jobs/" + job + route, payload).getResponse().getStatus()).as(route).isEqualTo(404);
        }
        assertThat(mvc.perform(get("/api/worker/v1/jobs/" + job + "/shards/0").header("Authorization", "Bearer " + other))
                .andReturn().getResponse().getStatus()).isEqualTo(404);
        assertThat(mvc.perform(put("/api/worker/v1/jobs/" + job + "/weights").header("Authorization", "Bearer " + other)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).content(new byte[16])).andReturn().getResponse().getStatus())
                .isEqualTo(404);
        assertThat(mvc.perform(put("/api/worker/v1/jobs/" + job + "/checkpoints/1").header("Authorization", "Bearer " + other)
                .contentType(MediaType.APPLICATION_OCTET_STREAM).content(new byte[16])).andReturn().getResponse().getStatus())
                .isEqualTo(404);
        assertThat(mvc.perform(get("/api/worker/v1/jobs/" + job + "/checkpoints/start").header("Authorization", "Bearer " + other))
                .andReturn().getResponse().getStatus()).isEqualTo(404);
        assertThat(mvc.perform(get("/api/worker/v1/jobs/" + job + "/shards/0").header("Authorization", "Bearer " + owner))
                .andReturn().getResponse().getStatus()).isEqualTo(200);
        assertThat(status(job)).isEqualTo("LEASED");
    }

    @Test
    void aWorkerThatCachesTheDatasetGetsItsJobFirst() throws Exception {
        Path csv = Files.createTempFile("cached", ".csv");
        Files.writeString(csv, "a,y\n1,x\n2,z\n");
        long cached = datasets.importDataset(requester, new DatasetUpload(
                new ListingDraft("Cached data", "", List.of(), "MIT", BigDecimal.ZERO), csv, "cached.csv", null, null, "y"));
        Files.delete(csv);
        long older = jobs.submit(requester, dataset, model, "{}", 0);
        long local = jobs.submit(requester, cached, model, "{}", 0);
        String token = worker(8192);
        call(token, "/heartbeat", Map.of("engine", "cpu", "gpuMemoryMb", 8192, "cachedDatasets", List.of(cached)));
        assertThat(((Number) body(call(token, "/lease", null)).get("id")).longValue()).isEqualTo(local);
        assertThat(((Number) body(call(token, "/lease", null)).get("id")).longValue()).isEqualTo(older);
    }

    @Test
    void aWorkerWhoseResultsFailVerificationTooOftenGetsOnlyJobsThatChoseItsOffer() throws Exception {
        var distrusted = offers.register(requester, new GpuOffers.NewOffer("Sloppy GPU", "RTX 4090", 24_576,
                new BigDecimal("0.1"), "kr-seoul"));
        call(distrusted.token(), "/heartbeat", Map.of("engine", "cpu", "gpuMemoryMb", 8192, "cachedDatasets", List.of()));
        // 3 of 4 judged results verified (75 %): under the 80 % that trust needs once 3 results were judged.
        jdbc.sql("UPDATE workers SET verified_jobs = 3, rejected_jobs = 1 WHERE offer_id = ?").param(distrusted.offerId()).update();
        long anyOffer = jobs.submit(requester, dataset, model, "{}", 0);
        long chosen = jobs.submit(new TrainingJobs.JobRequest(requester, dataset, model, "{}", 0, distrusted.offerId(), null));

        assertThat(((Number) body(call(distrusted.token(), "/lease", null)).get("id")).longValue()).isEqualTo(chosen);
        assertThat(call(distrusted.token(), "/lease", null).getResponse().getStatus()).isEqualTo(204);
        assertThat(((Number) body(call(worker(8192), "/lease", null)).get("id")).longValue()).isEqualTo(anyOffer);

        // Two more verified results (5 of 6, 83 %) and it is trusted again.
        jdbc.sql("UPDATE workers SET verified_jobs = 5 WHERE offer_id = ?").param(distrusted.offerId()).update();
        long another = jobs.submit(requester, dataset, model, "{}", 0);
        assertThat(((Number) body(call(distrusted.token(), "/lease", null)).get("id")).longValue()).isEqualTo(another);
    }

    @Test
    void anAuditNeverGoesToAnotherOfferOfTheSameProvider() throws Exception {
        long provider = users.member().id();
        String first = workerOf(provider), sameProvidersOther = workerOf(provider), someoneElse = worker(8192);
        long original = jobs.submit(requester, dataset, model, "{}", 0);
        assertThat(((Number) body(call(first, "/lease", null)).get("id")).longValue()).isEqualTo(original);
        long firstWorker = jdbc.sql("SELECT worker_id FROM training_jobs WHERE id = ?").param(original).query(Long.class).single();
        long audit = queue.submitAudit(original, 1, firstWorker);

        assertThat(call(sameProvidersOther, "/lease", null).getResponse().getStatus()).isEqualTo(204);
        assertThat(((Number) body(call(someoneElse, "/lease", null)).get("id")).longValue()).isEqualTo(audit);
    }

    @Test
    void anAuditNeverGoesToTheNetworkTheAuditedWorkCameFrom() throws Exception {
        String original = workerOf(users.member().id()), sameNetwork = workerOf(users.member().id()),
                elsewhere = workerOf(users.member().id());
        long job = jobs.submit(requester, dataset, model, "{}", 0);
        assertThat(((Number) body(callFrom("203.0.113.7", original, "/lease")).get("id")).longValue()).isEqualTo(job);
        long originalWorker = jdbc.sql("SELECT worker_id FROM training_jobs WHERE id = ?").param(job).query(Long.class).single();
        long audit = queue.submitAudit(job, 1, originalWorker);

        assertThat(callFrom("203.0.113.7", sameNetwork, "/lease").getResponse().getStatus())
                .as("another account's worker on the audited worker's address").isEqualTo(204);
        assertThat(((Number) body(callFrom("198.51.100.9", elsewhere, "/lease")).get("id")).longValue()).isEqualTo(audit);
        assertThat(jdbc.sql("SELECT host(worker_address) FROM job_attempts WHERE job_id = ?").param(audit).query(String.class).single())
                .isEqualTo("198.51.100.9");

        // IPv6: the whole /64 of the audited worker is excluded.
        long job6 = jobs.submit(requester, dataset, model, "{}", 0);
        assertThat(((Number) body(callFrom("2001:db8:1:2::10", original, "/lease")).get("id")).longValue()).isEqualTo(job6);
        long audit6 = queue.submitAudit(job6, 1, originalWorker);
        assertThat(callFrom("2001:db8:1:2:ffff::3", sameNetwork, "/lease").getResponse().getStatus()).isEqualTo(204);
        assertThat(((Number) body(callFrom("2001:db8:1:3::10", sameNetwork, "/lease")).get("id")).longValue()).isEqualTo(audit6);
    }

    @Test
    void aNewOfferNeverLeasesAJobOnSomeoneElsesPaidDataset() throws Exception {
        var sellerPrincipal = users.member();
        long seller = sellerPrincipal.id();
        Path csv = Files.createTempFile("paid", ".csv");
        Files.writeString(csv, "a,b,y\n1,2,x\n3,4,z\n5,6,x\n");
        long paid = datasets.importDataset(seller, new DatasetUpload(
                new ListingDraft("Paid data", "", List.of(), "MIT", new BigDecimal("2")), csv, "paid.csv", null, null, "y"));
        Files.delete(csv);
        long job = jobs.submit(requester, paid, model, "{}", 0);
        String brandNew = worker(8192), vetted = worker(8192);
        jdbc.sql("UPDATE workers SET verified_jobs = 3 WHERE token_sha256 = encode(sha256(convert_to(?, 'UTF8')), 'hex')")
                .param(vetted).update();

        assertThat(call(brandNew, "/lease", null).getResponse().getStatus()).isEqualTo(204);
        assertThat(((Number) body(call(vetted, "/lease", null)).get("id")).longValue()).isEqualTo(job);
        // The seller's own jobs on it go to any trusted offer.
        long sellers = jobs.submit(seller, paid, model, "{}", 0);
        assertThat(((Number) body(call(brandNew, "/lease", null)).get("id")).longValue()).isEqualTo(sellers);

        // Unless its owner allows offers without a record; nobody else can allow it.
        long licensees = jobs.submit(requester, paid, model, "{}", 0);
        assertThat(mvc.perform(post("/datasets/" + paid + "/compute-policy").param("allowUnvetted", "true")
                .with(user(users.member())).with(csrf())).andReturn().getResponse().getStatus()).isEqualTo(404);
        assertThat(call(brandNew, "/lease", null).getResponse().getStatus()).isEqualTo(204);
        assertThat(mvc.perform(post("/datasets/" + paid + "/compute-policy").param("allowUnvetted", "true")
                .with(user(sellerPrincipal)).with(csrf())).andReturn().getResponse().getStatus()).isEqualTo(302);
        assertThat(mvc.perform(get("/datasets/" + paid).with(user(sellerPrincipal))).andReturn().getResponse()
                .getContentAsString()).contains("id=\"allow-unvetted\" checked");
        assertThat(((Number) body(call(brandNew, "/lease", null)).get("id")).longValue()).isEqualTo(licensees);
    }

    @Test
    void smallWorkersAreNotGivenJobsTooBigForThem() throws Exception {
        String small = worker(2048);
        jobs.submit(requester, dataset, model, "{}", 16_000);
        assertThat(call(small, "/lease", null).getResponse().getStatus()).isEqualTo(204);
    }

    @Test
    void expiredLeasesReturnToTheQueueUntilAttemptsRunOut() throws Exception {
        String token = worker(8192);
        long job = jobs.submit(requester, dataset, model, "{}", 0);
        for (int attempt = 1; attempt <= 3; attempt++) {
            Map<String, Object> leased = body(call(token, "/lease", null));
            assertThat(leased).containsEntry("attempt", attempt);
            jdbc.sql("UPDATE training_jobs SET lease_expires_at = now() - interval '1 second' WHERE id = ?").param(job).update();
            jobQueueExpiry();
            assertThat(status(job)).isEqualTo(attempt < 3 ? "QUEUED" : "FAILED");
        }
        assertThat(jdbc.sql("SELECT failure_reason FROM training_jobs WHERE id = ?").param(job).query(String.class).single())
                .contains("expired 3 times");
        assertThat(call(token, "/lease", null).getResponse().getStatus()).isEqualTo(204);
    }

    @Test
    void concurrentWorkersNeverLeaseAJobTwice() throws Exception {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            tokens.add(worker(8192));
        }
        for (int i = 0; i < 120; i++) {
            jobs.submit(requester, dataset, model, "{}", 0);
        }
        List<Long> leased = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> running = new ArrayList<>();
        for (String token : tokens) {
            running.add(pool.submit(() -> {
                while (true) {
                    MvcResult result = call(token, "/lease", null);
                    if (result.getResponse().getStatus() == 204) {
                        return null;
                    }
                    leased.add(((Number) body(result).get("id")).longValue());
                }
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        pool.shutdown();
        assertThat(leased).hasSize(120).doesNotHaveDuplicates();
    }

    /**
     * Review M12: an instance measures two completions at once (each holds weights and held-out rows in memory); a third
     * is told to come back, and is measured once one of the two is done. The two are held in their first read of the
     * job's result by a lock on the table.
     */
    @Test
    void aThirdCompletionWhileTwoAreMeasuredIsToldToComeBack() throws Exception {
        List<String> tokens = new ArrayList<>();
        List<Long> leased = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tokens.add(worker(8192));
            jobs.submit(requester, dataset, model, "{}", 0);
            leased.add(((Number) body(call(tokens.get(i), "/lease", null)).get("id")).longValue());
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<MvcResult>> measuring = new ArrayList<>();
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            lock.createStatement().execute("LOCK TABLE job_results IN ACCESS EXCLUSIVE MODE");
            for (int i = 0; i < 2; i++) {
                String route = "/jobs/" + leased.get(i) + "/complete";
                String token = tokens.get(i);
                measuring.add(pool.submit(() -> call(token, route, Map.of("accuracy", 0.8))));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql("""
                            SELECT count(*) FROM pg_stat_activity
                            WHERE wait_event_type = 'Lock' AND query LIKE '%LEFT JOIN job_results r ON r.job_id = j.id%'""")
                    .query(Long.class).single() == 2);
            MvcResult third = call(tokens.get(2), "/jobs/" + leased.get(2) + "/complete", Map.of("accuracy", 0.8));
            assertThat(third.getResponse().getStatus()).isEqualTo(503);
            assertThat(third.getResponse().getHeader("Retry-After")).isEqualTo("5");
            assertThat(third.getResponse().getContentAsString()).contains("measuring other results");
            lock.rollback();
        } finally {
            pool.shutdown();
        }
        for (Future<MvcResult> completion : measuring) {
            assertThat(completion.get().getResponse().getStatus()).as("measured: no weights uploaded").isEqualTo(409);
        }
        assertThat(call(tokens.get(2), "/jobs/" + leased.get(2) + "/complete", Map.of("accuracy", 0.8)).getResponse().getStatus())
                .as("measured now").isEqualTo(409);
    }

    @Autowired
    DataSource dataSource;
    @Autowired
    JobQueue queue;

    /** What the scheduler does every few seconds, run now. */
    private void jobQueueExpiry() {
        queue.expireLeases();
    }

    private String workerOf(long provider) throws Exception {
        String token = offers.register(provider, new GpuOffers.NewOffer("GPU " + System.nanoTime(), "RTX 4090", 24_576,
                new BigDecimal("0.5"), "kr-seoul")).token();
        call(token, "/heartbeat", Map.of("engine", "cpu", "gpuMemoryMb", 8192, "cachedDatasets", List.of()));
        return token;
    }

    private String worker(int memoryMb) throws Exception {
        String token = offers.register(requester, new GpuOffers.NewOffer("Test GPU", "RTX 4090", 24_576,
                new BigDecimal("0.5"), "kr-seoul")).token();
        call(token, "/heartbeat", Map.of("engine", "cpu", "gpuMemoryMb", memoryMb, "cachedDatasets", List.of()));
        return token;
    }

    private String status(long job) {
        return jdbc.sql("SELECT status FROM training_jobs WHERE id = ?").param(job).query(String.class).single();
    }

    /** A worker's call from this network address (a lease records it; audits exclude by it). */
    private MvcResult callFrom(String address, String token, String route) throws Exception {
        return mvc.perform(post("/api/worker/v1" + route).header("Authorization", "Bearer " + token)
                .with(request -> {
                    request.setRemoteAddr(address);
                    return request;
                })).andReturn();
    }

    private byte[] download(String token, long job) throws Exception {
        MvcResult result = mvc.perform(get("/api/worker/v1/jobs/" + job + "/shards/0").header("Authorization", "Bearer " + token))
                .andReturn();
        assertThat(result.getResponse().getStatus()).isEqualTo(200);
        return result.getResponse().getContentAsByteArray();
    }

    private byte[] blob(String key) throws Exception {
        try (var in = blobs.open(key)) {
            return in.readAllBytes();
        }
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> shards(MvcResult lease) throws Exception {
        return (List<Map<String, Object>>) body(lease).get("shards");
    }

    private List<Object> contentIds(MvcResult lease) throws Exception {
        return shards(lease).stream().map(shard -> shard.get("contentId")).toList();
    }

    private MvcResult call(String token, String route, Object payload) throws Exception {
        var request = post("/api/worker/v1" + route).header("Authorization", "Bearer " + token);
        if (payload != null) {
            request.contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(payload));
        }
        return mvc.perform(request).andReturn();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> body(MvcResult result) throws Exception {
        return json.readValue(result.getResponse().getContentAsString(), Map.class);
    }
}
