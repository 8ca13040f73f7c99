package ai.aicrypto.plaza.compute.internal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.compute.TrainingJobs;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class ProviderDashboardTest extends ComputeWebTest {

    @Autowired
    TrainingJobs jobs;

    @Test
    void registeringAnOfferShowsTheWorkerCommandOnceAndKeepsOnlyTheTokensHash() throws Exception {
        AccountPrincipal provider = users.member();
        String page = mvc.perform(post("/dashboard/provider/offers").with(user(provider)).with(csrf())
                        .param("title", "My 4090").param("gpuModel", "RTX 4090").param("gpuMemoryMb", "24576")
                        .param("pricePerHourAic", "0.75").param("region", "kr-seoul"))
                .andReturn().getResponse().getContentAsString();
        // The token goes to the worker through its environment, never on its command line.
        Matcher command = Pattern.compile("export PLAZA_WORKER_TOKEN=(plz_[A-Za-z0-9_-]{43})\njava -jar gpu-worker.jar --plaza http://localhost<")
                .matcher(page);
        assertThat(command.find()).as(page).isTrue();
        String token = command.group(1);
        assertThat(jdbc.sql("SELECT count(*) FROM workers WHERE token_sha256 LIKE ?").param("%" + token + "%")
                .query(Long.class).single()).isZero();
        assertThat(api(token, "/heartbeat", Map.of("engine", "cpu", "gpuMemoryMb", 1024)).getResponse().getStatus())
                .isEqualTo(200);
        assertThat(dashboard(provider, "en")).contains("My 4090").contains("Online").doesNotContain(token);
    }

    @Test
    void badOfferInputGetsAMessageInTheUsersLanguageAndStoresNothing() throws Exception {
        AccountPrincipal provider = users.member();
        long offersBefore = count("gpu_offers");
        long workersBefore = count("workers");
        String english = register(provider, "en", "lots", "0.5");
        assertThat(english).contains("Give the GPU memory in MB, more than 0.").contains("value=\"lots\"");
        assertThat(register(provider, "ko", "lots", "0.5")).contains("GPU 메모리");
        assertThat(register(provider, "en", "8192", "cheap")).contains("is not a number");
        assertThat(register(provider, "en", "8192", "-1")).contains("The price cannot be negative.");
        assertThat(count("gpu_offers")).isEqualTo(offersBefore);
        assertThat(count("workers")).isEqualTo(workersBefore);
    }

    @Test
    void anOfferOptsIntoServingWithAPricePerGpuSecondAndABadOneIsRefusedInTheUsersLanguage() throws Exception {
        AccountPrincipal provider = users.member();
        long offersBefore = count("gpu_offers");
        for (String bad : List.of("-1", "free", "1000001", "0.0000000000000000001")) {
            assertThat(serving(provider, "en", bad)).contains("The serving price is a number of AIC per GPU-second");
        }
        assertThat(serving(provider, "ko", "free")).contains("추론 가격은 GPU 초당");
        assertThat(count("gpu_offers")).isEqualTo(offersBefore);

        serving(provider, "en", "0.002");
        serving(provider, "en", "");
        assertThat(jdbc.sql("""
                        SELECT coalesce(trim_scale(serving_price_per_gpu_second_aic)::text, 'training only') FROM gpu_offers
                        WHERE provider_id = ? ORDER BY id""")
                .param(provider.id()).query(String.class).list()).containsExactly("0.002", "training only");
    }

    @Test
    void aRegisteredOfferStartsRepricesAndStopsServingFromTheDashboardAndNobodyElseCanChangeIt() throws Exception {
        AccountPrincipal provider = users.member(), stranger = users.member();
        serving(provider, "en", "");
        long offer = jdbc.sql("SELECT id FROM gpu_offers WHERE provider_id = ?").param(provider.id()).query(Long.class).single();
        assertThat(dashboard(provider, "en")).contains("No (training only)");

        assertThat(changeServing(provider, offer, "0.003", "en").getStatus()).isEqualTo(302);
        assertThat(dashboard(provider, "en")).contains("0.003 AIC / GPU-second");
        assertThat(mvc.perform(get("/gpus")).andReturn().getResponse().getContentAsString()).contains("0.003 AIC / GPU-second");

        assertThat(changeServing(provider, offer, "free", "ko").getContentAsString()).contains("추론 가격은 GPU 초당");
        assertThat(changeServing(stranger, offer, "5", "en").getStatus()).as("another provider's offer").isEqualTo(404);
        assertThat(servingPrice(offer)).isEqualTo("0.003");

        assertThat(changeServing(provider, offer, "", "en").getStatus()).isEqualTo(302);
        assertThat(servingPrice(offer)).isEqualTo("training only");
    }

    private org.springframework.mock.web.MockHttpServletResponse changeServing(AccountPrincipal who, long offer, String price,
                                                                               String language) throws Exception {
        return mvc.perform(post("/dashboard/provider/offers/" + offer + "/serving").with(user(who)).with(csrf())
                .header("Accept-Language", language).param("servingPricePerGpuSecondAic", price)).andReturn().getResponse();
    }

    private String servingPrice(long offer) {
        return jdbc.sql("SELECT coalesce(trim_scale(serving_price_per_gpu_second_aic)::text, 'training only') FROM gpu_offers WHERE id = ?")
                .param(offer).query(String.class).single();
    }

    private String serving(AccountPrincipal provider, String language, String price) throws Exception {
        return mvc.perform(post("/dashboard/provider/offers").with(user(provider)).with(csrf())
                        .header("Accept-Language", language).param("title", "Offer").param("gpuModel", "A100")
                        .param("gpuMemoryMb", "8192").param("pricePerHourAic", "1").param("region", "us-east")
                        .param("servingPricePerGpuSecondAic", price))
                .andReturn().getResponse().getContentAsString();
    }

    @Test
    void switchesAreShownOnTheOfferOfTheWorkerWhoseTokenReportedThem() throws Exception {
        AccountPrincipal provider = users.member();
        Worker mine = onlineWorker(provider, "1", null);
        Worker other = onlineWorker(users.member(), "1", null);
        assertThat(api(mine.token(), "/switches", Map.of("state", "SUSPENDED", "command", "xmrig --threads 4"))
                .getResponse().getStatus()).isEqualTo(204);
        // An older worker sends the whole command line: only the program's name is kept (review L15).
        assertThat(api(mine.token(), "/switches", Map.of("state", "RESUMED", "command", "/opt/xmrig --threads 4 --pass SECRET"))
                .getResponse().getStatus()).isEqualTo(204);
        assertThat(api(other.token(), "/switches", Map.of("state", "SUSPENDED", "command", "other-miner"))
                .getResponse().getStatus()).isEqualTo(204);

        assertThat(api(mine.token(), "/switches", Map.of("state", "PAUSED", "command", "x")).getResponse().getStatus())
                .isEqualTo(400);
        assertThat(api(mine.token(), "/switches", Map.of("state", "RESUMED")).getResponse().getStatus()).isEqualTo(400);
        assertThat(api("plz_forged", "/switches", Map.of("state", "RESUMED", "command", "x")).getResponse().getStatus())
                .isEqualTo(401);

        assertThat(mvc.perform(get("/v3/api-docs")).andReturn().getResponse().getContentAsString())
                .contains("/api/worker/v1/switches").contains("benchmarkScore");

        String page = dashboard(provider, "en");
        assertThat(page).contains(">xmrig<").doesNotContain("SECRET").contains("suspended").contains("resumed").doesNotContain("other-miner")
                .contains("id=\"trains-" + mine.offerId() + "\"").contains("gbdt=xgboost-cpu");
        assertThat(mvc.perform(get("/v3/api-docs")).andReturn().getResponse().getContentAsString()).as("the heartbeat's families")
                .contains("families");
        assertThat(jdbc.sql("SELECT count(*) FROM worker_switches s JOIN workers w ON w.id = s.worker_id WHERE w.offer_id = ?")
                .param(mine.offerId()).query(Long.class).single()).isEqualTo(2);
        assertThat(jdbc.sql("SELECT command FROM worker_switches s JOIN workers w ON w.id = s.worker_id WHERE w.offer_id = ?")
                .param(mine.offerId()).query(String.class).list()).containsOnly("xmrig");
    }

    @Test
    void jobsServedAndEarningsComeFromTheJobsTheOffersWorkersFinished() throws Exception {
        AccountPrincipal provider = users.member();
        AccountPrincipal requester = users.member();
        Worker worker = onlineWorker(provider, "2", 1000.0);
        long job = jobs.submit(requester.id(), irisDataset(requester, "0"), irisModel(requester), "{}", 0);
        assertThat(api(worker.token(), "/lease", null).getResponse().getStatus()).isEqualTo(200);
        // As a verified completion ends (WorkerProcessTest runs the real one): succeeded, provider paid.
        jdbc.sql("UPDATE training_jobs SET status = 'SUCCEEDED', worker_id = NULL, lease_expires_at = NULL WHERE id = ?")
                .param(job).update();
        settlement.payProvider(job, provider.id(), new java.math.BigDecimal("1.25"), "verified");

        String page = dashboard(provider, "en");
        String card = page.substring(page.indexOf("id=\"offer-" + worker.offerId() + "\""));
        assertThat(card).contains("<dd class=\"jobs-served\">1</dd>").contains("<dd class=\"earned\">1.25 AIC</dd>")
                .contains("1,000 samples/s");
        assertThat(dashboard(users.member(), "en")).doesNotContain("id=\"offer-" + worker.offerId() + "\"");
    }

    @org.springframework.beans.factory.annotation.Autowired
    ai.aicrypto.plaza.compute.Settlement settlement;

    private String register(AccountPrincipal provider, String language, String memory, String price) throws Exception {
        return mvc.perform(post("/dashboard/provider/offers").with(user(provider)).with(csrf())
                        .header("Accept-Language", language).param("title", "Offer").param("gpuModel", "A100")
                        .param("gpuMemoryMb", memory).param("pricePerHourAic", price).param("region", "us-east"))
                .andReturn().getResponse().getContentAsString();
    }

    private String dashboard(AccountPrincipal who, String language) throws Exception {
        return mvc.perform(get("/dashboard/provider").with(user(who)).header("Accept-Language", language))
                .andReturn().getResponse().getContentAsString();
    }
}
