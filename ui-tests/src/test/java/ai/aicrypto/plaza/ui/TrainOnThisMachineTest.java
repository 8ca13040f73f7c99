package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The whole path on a fresh ops/run, with data the demo does not have: a member uploads their own table (the wine
 * data Debian's python3-sklearn ships), trains the recommended network on this machine's CPU through the builder
 * (the demo worker ops/run starts: a real worker process), pays the deposit with the wallet, sees the plaza's
 * held-out accuracy, opens the trained model and gets a prediction for a record typed into its form.
 */
class TrainOnThisMachineTest extends PlazaBrowserTest {

    private static final String DEMO_PASSWORD = "plaza-demo-pass";
    private static final int ALICE = 8;

    private Path csv;

    @AfterEach
    void deleteCsv() throws IOException {
        if (csv != null) {
            Files.deleteIfExists(csv);
        }
    }

    @Test
    void ownTableTrainedOnTheDemoWorkerAnswersAPrediction() throws IOException {
        TestWallet.install(driver, ALICE); // alice's demo wallet holds AIC for the deposit
        signIn("alice", DEMO_PASSWORD);
        waitForPath("/(\\?.*)?");
        String wine = BuilderRecommendedTest.wineCsv();
        csv = Files.createTempFile("plaza-wine-", ".csv");
        Files.writeString(csv, wine, StandardCharsets.UTF_8);
        String title = "UI wine on this machine " + System.currentTimeMillis();

        uploadFreeCsv(title, csv, "cultivar");

        // The demo worker is online once it has measured this machine (a minute or two on a busy one): the GPUs
        // page says so, as a member would check before choosing it.
        By online = By.xpath("//tr[.//span[contains(., \"This machine's CPU\")]]//span[@class='status-online']");
        waitUpTo(Duration.ofMinutes(5)).pollingEvery(Duration.ofSeconds(5)).until(d -> {
            open("/gpus");
            return !d.findElements(online).isEmpty();
        });
        screenshot("this-machine-online");

        open("/builder");
        visible(By.xpath("//label[contains(., '" + title + "')]/input")).click();
        driver.findElement(By.id("next")).click();
        visible(By.cssSelector("#recommended input[value='recommended:mlp']")).click();
        driver.findElement(By.id("next")).click();
        visible(By.id("hp-epochs")); // the recommended settings, as they come
        driver.findElement(By.id("next")).click();
        By thisMachine = By.xpath("//label[contains(., \"This machine's CPU\")]"
                + "/input[@name='offer' and @value != 'cheapest' and @value != 'fastest']");
        visible(thisMachine).click();
        type(By.id("budget"), "1");
        screenshot("this-machine-offer");
        driver.findElement(By.id("next")).click();
        visible(By.id("estimate"));
        driver.findElement(By.id("submit")).click();
        waitForPath("/jobs/\\d+");

        click(By.id("deposit-job"));
        // Deposit confirmed, leased by the demo worker, trained, verified on held-out rows (an audit, which no second
        // provider here takes, is dropped after PLAZA_AUDIT_WAIT: a minute), paid: a few minutes at most.
        try {
            waitUpTo(Duration.ofMinutes(6)).until(d -> d.findElement(By.id("job-status")).getText().contains("Succeeded"));
        } finally {
            screenshot("this-machine-job"); // where it stood, when it did not succeed in time
        }
        String accuracy = visible(By.id("verified-accuracy")).getText().replace("%", "").strip();
        assertTrue(Double.parseDouble(accuracy) >= 80, "the plaza's held-out accuracy: " + accuracy + " %");
        screenshot("this-machine-job-succeeded");

        visible(By.id("trained-model")).click();
        waitForPath("/models/\\d+");
        // The first wine of the file, as its CSV row has it, typed into the form made from the model's columns.
        List<String> header = List.of(wine.lines().findFirst().orElseThrow().split(","));
        String[] record = wine.lines().skip(1).findFirst().orElseThrow().split(",");
        for (String column : BuilderRecommendedTest.WINE_COLUMNS) {
            type(By.name("in[" + column + "]"), record[header.indexOf(column)]);
        }
        driver.findElement(By.id("try-submit")).click();
        assertEquals(record[header.indexOf("cultivar")], visible(By.id("try-label")).getText().strip(),
                "the trained model names the first wine's cultivar");
        screenshot("this-machine-model-prediction");
    }
}
