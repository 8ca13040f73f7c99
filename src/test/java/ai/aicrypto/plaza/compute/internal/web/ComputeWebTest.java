package ai.aicrypto.plaza.compute.internal.web;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.MutableClock;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.json.JsonMapper;

/**
 * Base of the GPU offers, builder and job page tests: the app with a clock the tests move, and
 * helpers that act through the real APIs (workers through their tokens).
 */
@Import(MutableClock.Config.class)
abstract class ComputeWebTest extends IntegrationTest {

    @Autowired
    MutableClock clock;
    @Autowired
    TestUsers users;
    @Autowired
    Datasets datasets;
    @Autowired
    Models models;
    @Autowired
    GpuOffers offers;
    @Autowired
    JsonMapper json;

    /**
     * Every test starts a day after the last one, so that workers of earlier tests are offline, and
     * with an empty queue, so that their jobs do not get in the way.
     */
    @BeforeEach
    void freshDay() {
        clock.advance(Duration.ofDays(1));
        jdbc.sql("UPDATE training_jobs SET status = 'CANCELLED', worker_id = NULL, lease_expires_at = NULL "
                + "WHERE status IN ('QUEUED', 'LEASED')").update();
    }

    /** A CSV dataset with the four feature columns of the Iris model card. */
    long irisDataset(AccountPrincipal owner, String price) throws Exception {
        return csvDataset(owner, price, "species", "sepal_length,sepal_width,petal_length,petal_width,species\n"
                + "5.1,3.5,1.4,0.2,setosa\n7.0,3.2,4.7,1.4,versicolor\n6.3,3.3,6.0,2.5,virginica\n4.9,3.0,1.4,0.2,setosa\n");
    }

    long csvDataset(AccountPrincipal owner, String price, String label, String csvText) throws Exception {
        Path csv = Files.createTempFile("builder", ".csv");
        try {
            Files.writeString(csv, csvText);
            return datasets.importDataset(owner.id(), new DatasetUpload(
                    new ListingDraft("Data " + System.nanoTime(), "", List.of(), "MIT", new BigDecimal(price)), csv,
                    "data.csv", null, null, label));
        } finally {
            Files.delete(csv);
        }
    }

    long irisModel(AccountPrincipal owner) throws Exception {
        return irisModel(owner, "0");
    }

    /** A published card for the iris columns, without weights, sold for {@code price} AIC. */
    long irisModel(AccountPrincipal owner, String price) throws Exception {
        return models.publish(owner.id(), new ModelUpload(new ClassPathResource(
                "model-card/examples/tabular-softmax-regression.json").getContentAsString(StandardCharsets.UTF_8)
                .replace("\"priceAic\": \"0\"", "\"priceAic\": \"" + price + "\""), List.of(), null));
    }

    /** What a current CPU worker reports it trains, every family (gpu-worker's TrainableFamilies). */
    static final Map<String, String> EVERY_FAMILY = Map.of("softmax-regression", "cpu", "mlp", "cpu", "cnn", "cpu",
            "fasttext", "cpu", "gbdt", "xgboost-cpu");

    /** A registered offer whose worker has sent a heartbeat now, with a benchmark score unless null, training every family. */
    Worker onlineWorker(AccountPrincipal provider, String pricePerHour, Double score) throws Exception {
        return onlineWorker(provider, pricePerHour, score, EVERY_FAMILY);
    }

    /** @param families what its heartbeat says it trains; null: nothing said, as a worker from before the field */
    Worker onlineWorker(AccountPrincipal provider, String pricePerHour, Double score, Map<String, String> families) throws Exception {
        GpuOffers.IssuedWorker issued = offers.register(provider.id(), new GpuOffers.NewOffer("GPU " + System.nanoTime(),
                "RTX 4090", 24_576, new BigDecimal(pricePerHour), "kr-seoul"));
        Worker worker = new Worker(issued.offerId(), issued.token());
        heartbeat(worker, score, families);
        return worker;
    }

    void heartbeat(Worker worker, Double score) throws Exception {
        heartbeat(worker, score, EVERY_FAMILY);
    }

    void heartbeat(Worker worker, Double score, Map<String, String> families) throws Exception {
        Map<String, Object> beat = new HashMap<>(Map.of("engine", "cpu", "gpuMemoryMb", 24_576, "cachedDatasets", List.of()));
        if (score != null) {
            beat.put("benchmarkScore", score);
        }
        if (families != null) {
            beat.put("families", families);
        }
        api(worker.token(), "/heartbeat", beat);
    }

    MvcResult api(String token, String route, Object payload) throws Exception {
        var request = post("/api/worker/v1" + route).header("Authorization", "Bearer " + token);
        if (payload != null) {
            request.contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(payload));
        }
        return mvc.perform(request).andReturn();
    }

    record Worker(long offerId, String token) {
    }
}
