package ai.aicrypto.plaza.dataset.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.SklearnData;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockMultipartHttpServletRequestBuilder;

/**
 * Imports run off the request (issue 16): one import thread and one place in its queue, so that a test holding the
 * thread with a gate of its own sees an upload answered while its import waits, and a third refused.
 */
@TestPropertySource(properties = {"plaza.dataset.import-threads=1", "plaza.dataset.import-queue=1"})
class DatasetImportTest extends IntegrationTest {

    @Autowired
    TestUsers users;
    @Autowired
    TestImports imports;
    @Autowired
    ImportExecutor executor;
    @Autowired
    DatasetImports datasetImports;
    @Autowired
    DatasetImportRepository importRows;
    @Autowired
    BlobStore blobs;
    @Autowired
    DataKeys dataKeys;

    AccountPrincipal owner;

    @BeforeEach
    void signIn() {
        owner = users.member();
    }

    @Test
    void theUploadIsAnsweredBeforeItsImportRunsAndTheLiveStreamFollowsItToTheDataset() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        ImportExecutor.Place busy = executor.reserve();
        busy.start(() -> awaitQuietly(gate)); // the only import thread, held until the gate opens
        try {
            MockHttpServletResponse answer = mvc.perform(wine("Wine " + System.nanoTime())).andReturn().getResponse();
            assertThat(answer.getStatus()).isEqualTo(302);
            long id = TestImports.importId(answer.getRedirectedUrl());
            DatasetImport waiting = imports.state(id);
            assertThat(waiting.status()).as("answered while its import waits").isEqualTo(DatasetImport.Status.PROCESSING);
            assertThat(waiting.step()).isEqualTo(DatasetImport.Step.QUEUED);
            assertThat(jdbc.sql("SELECT count(*) FROM listings WHERE owner_id = ?").param(owner.id()).query(Long.class)
                    .single()).as("no dataset before the import is READY").isZero();

            String page = page("/datasets/imports/" + id, "en");
            assertThat(page).contains("id=\"import-status\">Processing<").contains("Waiting for the importer")
                    .contains("sse-connect=\"/datasets/imports/" + id + "/events\"");
            assertThat(page("/datasets/imports/" + id, "ko")).contains("처리 중");

            MvcResult stream = mvc.perform(get("/datasets/imports/" + id + "/events").with(user(owner))).andReturn();
            awaitStreamContaining(stream.getResponse(), "event:import\ndata:\n\n"); // a late page catches up first
            gate.countDown();
            long dataset = imports.awaitDataset("/datasets/imports/" + id);
            awaitStreamContaining(stream.getResponse(), "event:import\ndata:READY\n\n");
            // NOTIFYs arrive in the order they were sent, so every step's came before READY.
            assertThat(stream.getResponse().getContentAsString()).containsSubsequence("data:HASHING", "data:PROFILING",
                    "data:PREPROCESSING", "data:ENCRYPTING", "data:READY");

            MockHttpServletResponse state = mvc.perform(get("/datasets/imports/" + id + "/state").with(user(owner)))
                    .andReturn().getResponse();
            assertThat(state.getHeader("HX-Redirect")).as("a READY import sends its page to the dataset")
                    .isEqualTo("/datasets/" + dataset);
            assertThat(mvc.perform(get("/datasets/imports/" + id).with(user(owner))).andReturn().getResponse()
                    .getRedirectedUrl()).isEqualTo("/datasets/" + dataset);
            assertThat(page("/datasets/" + dataset, "en")).contains("id=\"row-count\">178<");
        } finally {
            gate.countDown();
        }
    }

    @Test
    void aFullExecutorRefusesTheUploadWith503AndStoresNothing() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        ImportExecutor.Place running = executor.reserve();
        running.start(() -> awaitQuietly(gate));
        ImportExecutor.Place queued = executor.reserve(); // the one place in the queue
        try {
            long importRows = count("dataset_imports");
            long listings = count("listings");
            long blobFiles = blobFiles();
            long workFiles = workFiles();
            for (String language : new String[] {"en", "ko"}) {
                MockHttpServletResponse answer = mvc.perform(wine("Busy " + System.nanoTime())
                        .header("Accept-Language", language)).andReturn().getResponse();
                assertThat(answer.getStatus()).isEqualTo(503);
                assertThat(answer.getHeader("Retry-After")).isEqualTo(String.valueOf(ImportExecutor.RETRY_AFTER_SECONDS));
                assertThat(answer.getContentAsString()).contains("id=\"upload-form\"")
                        .contains(language.equals("en") ? "Nothing was stored: please try again in 60 seconds"
                                : "아무것도 저장하지 않았습니다");
            }
            assertThat(count("dataset_imports")).isEqualTo(importRows);
            assertThat(count("listings")).isEqualTo(listings);
            assertThat(blobFiles()).isEqualTo(blobFiles);
            assertThat(workFiles()).as("the spooled upload is gone").isEqualTo(workFiles);
        } finally {
            queued.close();
            gate.countDown();
        }
        // with the places free again, the same upload goes through
        imports.awaitDataset(mvc.perform(wine("After " + System.nanoTime())).andReturn().getResponse().getRedirectedUrl());
    }

    @Test
    void aBadFileIsRefusedWithItsReasonInTheUsersLanguageAndLeavesNothing() throws Exception {
        long listings = count("listings");
        long blobFiles = blobFiles();
        // The header is fine, so the upload is accepted; line 3 is short a value, which only profiling finds.
        String location = mvc.perform(upload("Ragged " + System.nanoTime(), "species",
                        new MockMultipartFile("file", "ragged.csv", "text/csv",
                                "a,b,species\n1,2,x\n3,4\n".getBytes(StandardCharsets.UTF_8))))
                .andReturn().getResponse().getRedirectedUrl();
        DatasetImport ended = imports.awaitEnd(TestImports.importId(location));
        assertThat(ended.status()).isEqualTo(DatasetImport.Status.REFUSED);
        assertThat(ended.reasonKey()).isEqualTo("dataset.error.ragged");
        assertThat(page(location, "en")).contains("id=\"import-status\">Refused<").contains("Line 3")
                .doesNotContain("sse-connect");
        assertThat(page(location, "ko")).contains("거부됨").containsPattern("3[^<]*[\\uAC00-\\uD7A3]");
        MockHttpServletResponse state = mvc.perform(get(location + "/state").with(user(owner))).andReturn().getResponse();
        assertThat(state.getHeader("HX-Refresh")).as("the page drops its live stream: nothing more comes").isEqualTo("true");
        assertThat(page("/datasets/new", "en")).as("the form lists it, so its page is easy to find again")
                .contains("href=\"" + location + "\"").contains(">Refused<");

        assertThat(count("listings")).isEqualTo(listings);
        assertThat(blobFiles()).isEqualTo(blobFiles);
        assertThat(Files.exists(datasetImports.workDir(ended.id()))).isFalse();
    }

    @Test
    void onlyTheUploaderSeesAnImport() throws Exception {
        long id = datasetImports.begin(owner.id(), "Mine", "mine.csv");
        try {
            AccountPrincipal other = users.member();
            for (String path : new String[] {"", "/state", "/events"}) {
                assertThat(mvc.perform(get("/datasets/imports/" + id + path).with(user(other))).andReturn().getResponse()
                        .getStatus()).as(path).isEqualTo(404);
                assertThat(mvc.perform(get("/datasets/imports/" + id + path)).andReturn().getResponse().getStatus())
                        .as("anonymous " + path).isEqualTo(302);
            }
            assertThat(mvc.perform(get("/datasets/imports/" + Long.MAX_VALUE).with(user(owner))).andReturn().getResponse()
                    .getStatus()).isEqualTo(404);
        } finally {
            datasetImports.release(id);
            datasetImports.refuse(id, DatasetImports.REFUSED_FAILED);
        }
    }

    @Test
    void theStepAndHowFarItIsAreShownInTheUsersLanguage() throws Exception {
        long id = datasetImports.begin(owner.id(), "Halfway", "halfway.csv");
        try {
            importRows.progress(id, DatasetImport.Step.PREPROCESSING, 1_000_000, 2_000_000, 178L);
            String state = mvc.perform(get("/datasets/imports/" + id + "/state").with(user(owner))
                    .header("Accept-Language", "en")).andReturn().getResponse().getContentAsString();
            assertThat(state).contains("Step 3 of 4: preprocessing into training shards").contains("value=\"50\"")
                    .contains("178 records");
            assertThat(mvc.perform(get("/datasets/imports/" + id + "/state").with(user(owner))
                    .header("Accept-Language", "ko")).andReturn().getResponse().getContentAsString())
                    .contains("4단계 중 3단계").contains("레코드 178개");
        } finally {
            datasetImports.release(id);
            datasetImports.refuse(id, DatasetImports.REFUSED_FAILED);
        }
    }

    /**
     * An instance that dies mid-import stops touching it: once untouched for long, any instance refuses it with the
     * reason and deletes the blobs it had stored and its files, even one it died right after storing (its key was
     * recorded before the blob was in place). One still touched is left alone.
     */
    @Test
    void anImportItsInstanceAbandonedIsRefusedAndWhatItStoredDeleted() throws Exception {
        long crashed = datasetImports.begin(owner.id(), "Crashed", "wine.csv");
        String blob = storeBlob(crashed, "encrypted shard");
        assertThat(recordedBlobs(crashed)).as("recorded as the import's").containsExactly(blob);
        datasetImports.release(crashed); // the instance died right after storing it: nobody holds the import now
        Path left = Files.createDirectories(datasetImports.workDir(crashed)).resolve("raw-0");
        Files.writeString(left, "what the dead instance had spooled");
        jdbc.sql("UPDATE dataset_imports SET heartbeat_at = now() - interval '1 hour' WHERE id = ?").param(crashed).update();
        long alive = datasetImports.begin(users.member().id(), "Alive", "alive.csv");
        try {
            datasetImports.refuseAbandoned();

            DatasetImport refused = imports.state(crashed);
            assertThat(refused.status()).isEqualTo(DatasetImport.Status.REFUSED);
            assertThat(refused.reasonKey()).isEqualTo(DatasetImports.REFUSED_ABANDONED);
            assertThat(blobs.exists(blob)).as("its blob").isFalse();
            assertThat(Files.exists(left.getParent())).as("its files").isFalse();
            assertThat(page("/datasets/imports/" + crashed, "en")).contains("stopped before it finished");
            assertThat(page("/datasets/imports/" + crashed, "ko")).contains("끝내기 전에 멈췄습니다");
            assertThat(imports.state(alive).status()).as("an import still touched").isEqualTo(DatasetImport.Status.PROCESSING);

            // the dead instance's thread, should it wake, finds the import decided and stores nothing more
            long blobFiles = blobFiles();
            assertThatThrownBy(() -> storeBlob(crashed, "late")).isInstanceOf(DatasetImports.Abandoned.class);
            assertThat(blobFiles()).isEqualTo(blobFiles);
        } finally {
            datasetImports.release(alive);
            datasetImports.refuse(alive, DatasetImports.REFUSED_FAILED);
        }
    }

    /**
     * An instance shut down normally (SIGTERM) refuses the imports it holds, queued or under way, at once, deleting what
     * they stored; the shutdown waits for the import threads to find out and let their imports and files go.
     */
    @Test
    void aGracefulShutdownRefusesTheImportsItHoldsAtOnceAndDeletesWhatTheyStored() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        executor.reserve().start(() -> awaitQuietly(gate)); // the only import thread: the upload below stays queued
        CompletableFuture<Void> stopping = null;
        try {
            long queued = TestImports.importId(mvc.perform(wine("Queued " + System.nanoTime())).andReturn().getResponse()
                    .getRedirectedUrl());
            // One under way, run here as an import thread runs it: its upload spooled, a blob stored.
            long running = datasetImports.begin(owner.id(), "Running", "wine.csv");
            Path spooled = Files.createDirectories(datasetImports.workDir(running)).resolve("raw-0");
            Files.writeString(spooled, "the upload");
            String blob = storeBlob(running, "encrypted raw file");

            stopping = CompletableFuture.runAsync(datasetImports::stop);
            for (long id : new long[] {queued, running}) {
                DatasetImport ended = imports.awaitEnd(id); // announced at once: no sweep ran, both were touched just now
                assertThat(ended.status()).isEqualTo(DatasetImport.Status.REFUSED);
                assertThat(ended.reasonKey()).isEqualTo(DatasetImports.REFUSED_ABANDONED);
            }
            assertThat(blobs.exists(blob)).as("the blob it stored").isFalse();
            assertThat(page("/datasets/imports/" + running, "en")).contains("stopped before it finished");

            // the import thread's next step finds its import refused, and it lets it go; the queued one, at its turn
            assertThatThrownBy(() -> datasetImports.step(running, DatasetImport.Step.HASHING, 10, null))
                    .isInstanceOf(DatasetImports.Abandoned.class);
            datasetImports.release(running);
            gate.countDown();
            stopping.get(1, TimeUnit.MINUTES);
            assertThat(Files.exists(datasetImports.workDir(running))).isFalse();
            assertThat(Files.exists(datasetImports.workDir(queued))).as("the queued upload's files").isFalse();
        } finally {
            gate.countDown();
            if (stopping != null) {
                stopping.join();
            }
            datasetImports.start(); // this test's context goes on serving the other tests
        }
    }

    /**
     * An instance killed mid-import leaves the import's files on its own disk, where another instance's sweep cannot
     * reach them: the instance deletes them when it starts again. Those of an import it holds stay.
     */
    @Test
    void theFilesOfImportsAnEarlierRunHeldAreDeletedAtStart() throws Exception {
        long held = datasetImports.begin(owner.id(), "Held", "wine.csv");
        Path heldFile = Files.createDirectories(datasetImports.workDir(held)).resolve("raw-0");
        Files.writeString(heldFile, "the upload being imported");
        Path leftover = Files.createDirectories(datasetImports.workDir(999_999_999L)).resolve("raw-0");
        Files.writeString(leftover, "what the killed run had spooled");
        try {
            datasetImports.start();

            assertThat(leftover.getParent()).doesNotExist();
            assertThat(heldFile).exists();
        } finally {
            datasetImports.release(held);
            datasetImports.refuse(held, DatasetImports.REFUSED_FAILED);
        }
    }

    /** Stores {@code content} as one of the import's blobs, as its import thread does. */
    private String storeBlob(long importId, String content) throws Exception {
        return datasetImports.storeBlob(importId, dataKeys.generate(),
                new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), "dataset:raw").key();
    }

    private List<String> recordedBlobs(long importId) {
        return jdbc.sql("SELECT unnest(blob_keys) FROM dataset_imports WHERE id = ?").param(importId)
                .query(String.class).list();
    }

    private String page(String path, String language) throws Exception {
        MockHttpServletResponse response = mvc.perform(get(path).with(user(owner)).header("Accept-Language", language))
                .andReturn().getResponse();
        assertThat(response.getStatus()).as(path).isEqualTo(200);
        return response.getContentAsString();
    }

    private MockMultipartHttpServletRequestBuilder wine(String title) {
        return upload(title, "cultivar", new MockMultipartFile("file", "wine.csv", "text/csv",
                SklearnData.wineCsv().getBytes(StandardCharsets.UTF_8)));
    }

    private MockMultipartHttpServletRequestBuilder upload(String title, String labelColumn, MockMultipartFile file) {
        return multipart("/datasets/new").file(file)
                .param("listing.title", title).param("listing.description", "Test data").param("listing.tags", "test")
                .param("listing.license", "CC-BY-4.0").param("listing.priceAic", "0").param("labelColumn", labelColumn)
                .with(user(owner)).with(csrf().asHeader());
    }

    private long workFiles() throws Exception {
        Path work = dataDir().resolve("work");
        if (!Files.exists(work)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(work)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private static void awaitQuietly(CountDownLatch gate) {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
