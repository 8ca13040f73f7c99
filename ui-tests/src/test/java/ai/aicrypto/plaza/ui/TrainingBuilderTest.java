package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * A provider registers a GPU offer and its worker (played by this test over the worker API) comes
 * online; a member walks the Easy AI Builder, starts a job, deposits its budget with the wallet and
 * watches it progress live, in English and Korean.
 */
class TrainingBuilderTest extends PlazaBrowserTest {

    private static final String IRIS_CARD = """
            {"specVersion": "1.0", "name": "UI iris softmax", "task": "classification",
             "input": {"kind": "tabular", "columns": ["sepal_length", "sepal_width", "petal_length", "petal_width"]},
             "output": {"classes": ["setosa", "versicolor", "virginica"]},
             "architecture": {"template": "softmax-regression"},
             "hyperparameters": {"optimizer": {"default": "sgd", "allowed": ["sgd", "adam"]},
               "learningRate": {"default": 0.1, "min": 0.001, "max": 1, "scale": "log"},
               "batchSize": {"default": 16, "min": 1, "max": 150},
               "epochs": {"default": 20, "min": 1, "max": 1000},
               "weightDecay": {"default": 0, "min": 0, "max": 0.1}, "seed": {"default": 7, "min": 0, "max": 2147483647}},
             "runtime": {"engine": "djl-pytorch", "engineVersion": "0.36.0"}, "license": "Apache-2.0", "priceAic": "0"}""";

    private static final int ALICE = 8;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void buildATrainingJobAndWatchItRun() throws Exception {
        // alice (demo account with a funded demo wallet): the job's budget is deposited in JobEscrow.
        signInAsDemoMember("alice", ALICE);

        // A provider (this same member) offers a GPU and gets the worker command with its token.
        open("/dashboard/provider");
        String gpu = "UI test GPU " + System.currentTimeMillis();
        type(By.name("title"), gpu);
        type(By.name("gpuModel"), "RTX 4090");
        type(By.name("gpuMemoryMb"), "24576");
        type(By.name("pricePerHourAic"), "0.8");
        type(By.name("region"), "kr-seoul");
        driver.findElement(By.cssSelector("#offer-form button[type=submit]")).click();
        String command = textOf(By.id("worker-command"));
        screenshot("worker-token");
        Matcher token = Pattern.compile("PLAZA_WORKER_TOKEN=(\\S+)").matcher(command);
        assertTrue(token.find(), command);
        String worker = token.group(1);
        assertEquals(200, api(worker, "/heartbeat",
                "{\"engine\":\"cpu\",\"gpuMemoryMb\":24576,\"cachedDatasets\":[],\"benchmarkScore\":2500}").statusCode());
        assertEquals(204, api(worker, "/switches", "{\"state\":\"RESUMED\",\"command\":\"xmrig --threads 4\"}").statusCode());
        open("/gpus?sort=score");
        screenshot("gpus");
        open("/dashboard/provider");
        String dashboard = driver.findElement(By.tagName("main")).getText();
        assertContains(dashboard, "xmrig", "the switch on the dashboard");
        assertFalse(dashboard.contains("--threads"), "the idle command's program only, not its arguments: " + dashboard);
        screenshot("provider-dashboard");

        // Data and a model template to train.
        Path csv = tempFile("plaza-iris-", ".csv");
        Files.writeString(csv, DatasetUploadTest.irisCsv(), StandardCharsets.UTF_8);
        String title = "Builder iris " + System.currentTimeMillis();
        uploadFreeCsv(title, csv, "species");
        open("/models/new");
        driver.findElement(By.id("cardJson")).clear();
        driver.findElement(By.id("cardJson")).sendKeys(IRIS_CARD);
        driver.findElement(By.cssSelector("#model-form button[type=submit]")).click();
        screenshot("model-published");
        waitForPath("/models/\\d+");

        // The wizard, step by step (htmx swaps each step in).
        open("/builder");
        visible(By.xpath("//label[contains(., '" + title + "')]/input")).click();
        screenshot("builder-dataset");
        driver.findElement(By.id("next")).click();
        visible(By.xpath("//label[contains(., 'UI iris softmax')]/input")).click();
        screenshot("builder-model");
        driver.findElement(By.id("next")).click();
        type(By.id("hp-learningRate"), "7"); // type() waits for the step to be swapped in
        driver.findElement(By.id("next")).click();
        assertContains(textOf(By.id("error-hp-learningRate")), "between 0.001 and 1", "the range message");
        screenshot("builder-settings-error");
        type(By.id("hp-learningRate"), "0.05");
        type(By.id("hp-epochs"), "5");
        driver.findElement(By.id("next")).click();
        // This run's GPU: offers of earlier runs may still be online.
        visible(By.xpath("//label[contains(., '" + gpu + "')]/input")).click();
        type(By.id("budget"), "2");
        screenshot("builder-gpu");
        driver.findElement(By.id("next")).click();
        assertContains(textOf(By.id("estimate")), "AIC", "the estimate");
        screenshot("builder-review");
        driver.findElement(By.id("submit")).click();
        waitForPath("/jobs/\\d+");
        String job = currentPath().replaceAll("\\D", "");
        // The job waits for its deposit: the wallet signs the permit and sends depositWithPermit, and the
        // job is queued once the plaza's watcher has seen the JobFunded log confirmed.
        assertContains(textOf(By.id("job-status")), "Awaiting deposit", "a job awaiting its deposit");
        screenshot("job-awaiting-deposit");
        BigInteger before = TestWallet.aicBalance(TestWallet.ADDRESSES[ALICE]);
        driver.findElement(By.id("deposit-job")).click();
        waitUpTo(Duration.ofSeconds(60)).until(d -> !d.findElements(By.id("queue-position")).isEmpty());
        assertEquals(before.subtract(new BigInteger("2000000000000000000")), TestWallet.aicBalance(TestWallet.ADDRESSES[ALICE]),
                "the budget was deposited");
        assertContains(textOf(By.id("queue-position")), "Position in the queue", "a queued job");
        screenshot("job-queued");

        // The worker leases it and reports: the open page follows over SSE.
        assertEquals(200, api(worker, "/lease", "").statusCode());
        wait.until(d -> d.findElement(By.id("job-status")).getText().contains("Running"));
        double[][] epochs = {{1, 1.05, 0.52, 2410}, {2, 0.71, 0.71, 2480}, {3, 0.52, 0.83, 2455}};
        for (double[] e : epochs) {
            assertEquals(204, api(worker, "/jobs/" + job + "/progress", String.format(java.util.Locale.ROOT,
                    "{\"epoch\":%d,\"loss\":%.2f,\"accuracy\":%.2f,\"samplesPerSecond\":%.0f}",
                    (int) e[0], e[1], e[2], e[3])).statusCode());
            wait.until(d -> d.findElement(By.id("stat-epoch")).getText().startsWith((int) e[0] + " /"));
        }
        wait.until(d -> d.findElements(By.cssSelector("#chart-loss .uplot")).size() == 1);
        screenshot("job-running");

        driver.findElement(By.id("lang-switch")).click();
        wait.until(d -> "ko".equals(d.findElement(By.tagName("html")).getAttribute("lang")));
        assertContains(textOf(By.id("job-status")), "실행 중", "the Korean status");
        screenshot("job-running-korean");
        open("/builder");
        screenshot("builder-korean");

        open("/jobs/" + job);
        clickAndWaitForReload(By.cssSelector("#cancel-form button"));
        assertContains(textOf(By.id("job-status")), "취소됨", "the cancelled job");
        // 409: the worker held this job but no longer does, and abandons it.
        assertEquals(409, api(worker, "/jobs/" + job + "/renew", "").statusCode());
        screenshot("job-cancelled-korean");
    }

    private HttpResponse<String> api(String token, String route, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/api/worker/v1" + route))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
