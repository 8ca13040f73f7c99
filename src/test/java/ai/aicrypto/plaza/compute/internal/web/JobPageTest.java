package ai.aicrypto.plaza.compute.internal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.platform.LiveUpdates;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MvcResult;

/** The job page, its live stream and cancelling, with a worker acting through its token. */
class JobPageTest extends ComputeWebTest {

    @Autowired
    TrainingJobs jobs;
    @Autowired
    LiveUpdates live;

    AccountPrincipal me;
    long dataset;
    long model;

    @BeforeEach
    void dataAndModel() throws Exception {
        me = users.member();
        dataset = irisDataset(me, "0");
        model = irisModel(me);
    }

    @Test
    void aQueuedJobShowsItsPlaceInTheQueue() throws Exception {
        long first = submit(null);
        long second = submit(null);
        assertThat(page(second, me)).contains("Position in the queue: 2").contains("Queued")
                .contains("No GPU that can run it is online now");
        assertThat(page(first, me)).contains("Position in the queue: 1");
        assertThat(page(second, me, "ko")).contains("대기열 순서: 2").contains("지금 실행할 수 있는 GPU가 온라인에 없습니다");
        String mine = mvc.perform(get("/jobs").with(user(me))).andReturn().getResponse().getContentAsString();
        assertThat(mine).contains("/jobs/" + first).contains("/jobs/" + second);
        assertThat(mvc.perform(get("/jobs").with(user(users.member()))).andReturn().getResponse().getContentAsString())
                .doesNotContain("/jobs/" + first + "\"");
    }

    @Test
    void jobsBoundToAnotherOffersGpusAreNotAheadInTheQueue() throws Exception {
        Worker mine = onlineWorker(users.member(), "1", 500.0);
        Worker another = onlineWorker(users.member(), "1", 500.0);
        long elsewhere = submit(another.offerId());
        long anywhere = submit(null);
        long here = submit(mine.offerId());
        assertThat(page(here, me)).contains("Position in the queue: 2").contains("1 GPU that can run it is online");
        assertThat(page(anywhere, me)).contains("Position in the queue: 2").contains("2 GPUs that can run it are online");
        assertThat(page(elsewhere, me)).contains("Position in the queue: 1");
    }

    @Test
    void progressIsShownAsStatsLogLinesAndChartSeries() throws Exception {
        Worker worker = onlineWorker(users.member(), "1", 500.0);
        long job = submit(worker.offerId());
        assertThat(api(worker.token(), "/lease", null).getResponse().getStatus()).isEqualTo(200);
        progress(worker, job, 1, 1.2, 0.41, 1500.0);
        progress(worker, job, 2, 0.8, 0.62, 1520.0);

        String page = page(job, me);
        assertThat(page).contains("Running").contains("2 / 10").contains("0.8000").contains("1,520 samples/s")
                .contains("attempt 1 · epoch 2 · loss 0.8000 · accuracy 0.6200 · 1,520 samples/s")
                .contains("{&quot;epoch&quot;:[1.0,2.0],&quot;loss&quot;:[1.2,0.8],&quot;accuracy&quot;:[0.41,0.62]}")
                .contains("sse-connect=\"/jobs/" + job + "/events\"").contains("uPlot.iife.min.js");
        assertThat(mvc.perform(get("/jobs/" + job + "/panel").with(user(me))).andReturn().getResponse().getContentAsString())
                .startsWith("<section").contains("epoch 2");
        assertThat(page(job, me, "ko")).contains("실행 중").contains("에포크");
    }

    @Test
    void theEventStreamDeliversProgressAndStatusChanges() throws Exception {
        Worker worker = onlineWorker(users.member(), "1", 500.0);
        long job = submit(worker.offerId());
        MvcResult stream = mvc.perform(get("/jobs/" + job + "/events").with(user(me))).andReturn();
        assertThat(stream.getRequest().isAsyncStarted()).isTrue();

        assertThat(api(worker.token(), "/lease", null).getResponse().getStatus()).isEqualTo(200);
        awaitStreamContaining(stream.getResponse(), "event:status\ndata:LEASED");
        progress(worker, job, 1, 0.9, 0.5, 800.0);
        awaitStreamContaining(stream.getResponse(), "event:progress\ndata:1");
        mvc.perform(post("/jobs/" + job + "/cancel").with(user(me)).with(csrf()));
        awaitStreamContaining(stream.getResponse(), "event:status\ndata:CANCELLED");
    }

    /** Review M8: a new stream starts with its page's catch-up event; a closed one leaves nothing behind. */
    @Test
    void aStreamStartsWithACatchUpAndIsForgottenWhenClosed() throws Exception {
        long job = submit(null);
        int streams = live.streams();
        MvcResult stream = mvc.perform(get("/jobs/" + job + "/events").with(user(me))).andReturn();
        awaitStreamContaining(stream.getResponse(), "event:status\ndata:\n\n");
        assertThat(live.subscribers("job:" + job)).isEqualTo(1);
        assertThat(live.streams()).isEqualTo(streams + 1);

        stream.getRequest().getAsyncContext().complete(); // the browser went away
        assertThat(live.subscribers("job:" + job)).isZero();
        assertThat(live.streams()).isEqualTo(streams);
    }

    @Test
    void cancellingAQueuedJob() throws Exception {
        long job = submit(null);
        assertThat(mvc.perform(post("/jobs/" + job + "/cancel").with(user(me)).with(csrf())).andReturn().getResponse()
                .getRedirectedUrl()).isEqualTo("/jobs/" + job);
        assertThat(status(job)).isEqualTo("CANCELLED");
        assertThat(page(job, me)).contains("Cancelled").doesNotContain("id=\"cancel-form\"");

        MvcResult again = mvc.perform(post("/jobs/" + job + "/cancel").with(user(me)).with(csrf())).andReturn();
        assertThat(again.getFlashMap().get("error")).isEqualTo("The job has already ended.");
    }

    @Test
    void aCancelledLeaseIsRefusedToItsWorker() throws Exception {
        Worker worker = onlineWorker(users.member(), "1", 500.0);
        long job = submit(worker.offerId());
        assertThat(api(worker.token(), "/lease", null).getResponse().getStatus()).isEqualTo(200);
        jobs.cancel(me.id(), job);
        assertThat(status(job)).isEqualTo("CANCELLED");
        // 409: the worker held this job but no longer does, and abandons it.
        assertThat(api(worker.token(), "/jobs/" + job + "/renew", null).getResponse().getStatus()).isEqualTo(409);
        assertThat(api(worker.token(), "/jobs/" + job + "/progress", Map.of("epoch", 2)).getResponse().getStatus())
                .isEqualTo(409);
    }

    @Test
    void aJobForOneOfferIsLeasedOnlyByThatOffersWorkers() throws Exception {
        Worker chosen = onlineWorker(users.member(), "1", 500.0);
        Worker stranger = onlineWorker(users.member(), "0.1", 900.0);
        long job = submit(chosen.offerId());
        assertThat(api(stranger.token(), "/lease", null).getResponse().getStatus()).isEqualTo(204);
        assertThat(api(chosen.token(), "/lease", null).getResponse().getContentAsString()).contains("\"id\":" + job);
    }

    @Test
    void onlyTheRequesterCancels() throws Exception {
        long job = submit(null);
        assertThat(mvc.perform(post("/jobs/" + job + "/cancel").with(user(users.member())).with(csrf()))
                .andReturn().getResponse().getStatus()).isEqualTo(404);
        assertThat(mvc.perform(post("/jobs/" + job + "/cancel").with(user(users.admin())).with(csrf()))
                .andReturn().getResponse().getStatus()).isEqualTo(403);
        assertThat(status(job)).isEqualTo("QUEUED");
    }

    private long submit(Long offerId) {
        return jobs.submit(new TrainingJobs.JobRequest(me.id(), dataset, model, "{\"epochs\": 10}", 0, offerId, null));
    }

    private void progress(Worker worker, long job, int epoch, double loss, double accuracy, double samplesPerSecond)
            throws Exception {
        assertThat(api(worker.token(), "/jobs/" + job + "/progress", Map.of("epoch", epoch, "loss", loss,
                "accuracy", accuracy, "samplesPerSecond", samplesPerSecond)).getResponse().getStatus()).isEqualTo(204);
    }

    private String status(long job) {
        return jdbc.sql("SELECT status FROM training_jobs WHERE id = ?").param(job).query(String.class).single();
    }

    private String page(long job, AccountPrincipal who) throws Exception {
        return page(job, who, "en");
    }

    private String page(long job, AccountPrincipal who, String language) throws Exception {
        MockHttpServletResponse response = mvc.perform(get("/jobs/" + job).with(user(who)).header("Accept-Language", language))
                .andReturn().getResponse();
        assertThat(response.getStatus()).isEqualTo(200);
        return response.getContentAsString();
    }
}
