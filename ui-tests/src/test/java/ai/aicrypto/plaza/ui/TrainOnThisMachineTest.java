package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The whole path on a fresh ops/run, with data the demo does not have: a member uploads their own table (the wine
 * data Debian's python3-sklearn ships), trains the recommended network on this machine's CPU through the builder
 * (the demo worker ops/run starts: a real worker process), pays the deposit with the wallet, sees the plaza's
 * held-out accuracy, opens the trained model and gets a prediction for a record typed into its form. Then another
 * member hosts a competition on wine (test inputs and hidden truth cut from the same table) and the first enters it with
 * the trained model: the plaza runs the model on the hidden inputs and scores it.
 */
class TrainOnThisMachineTest extends PlazaBrowserTest {

    private static final int ALICE = 8;

    @Test
    void ownTableTrainedOnTheDemoWorkerAnswersAPrediction() throws IOException {
        signInAsDemoMember("alice", ALICE); // alice's demo wallet holds AIC for the deposit
        String wine = BuilderRecommendedTest.wineCsv();
        Path csv = tempFile("plaza-wine-", ".csv");
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
        String modelId = currentPath().replaceAll("\\D", "");

        String slug = hostAWineCompetition(wine);
        signInAsDemoMember("alice", ALICE);
        open("/competitions/" + slug);
        driver.findElement(By.cssSelector("#join-form input[name=acceptRules]")).click();
        clickAndWaitForReload(By.cssSelector("#join-form button"));
        open("/competitions/" + slug + "/submissions");
        new Select(visible(By.id("model-id"))).selectByValue(modelId);
        screenshot("this-machine-model-entered");
        driver.findElement(By.id("model-submit")).click();
        waitUpTo(Duration.ofMinutes(2)).pollingEvery(Duration.ofSeconds(3)).until(d -> {
            d.navigate().refresh();
            return d.findElement(By.id("submissions")).getText().contains("Scored");
        });
        WebElement row = driver.findElement(By.cssSelector("#submissions tr[id^=submission-]"));
        assertContains(row.getText(), "model", "the submission is marked as a model's");
        double score = Double.parseDouble(row.findElement(By.cssSelector("td.num")).getText().strip());
        assertTrue(score >= 0.8, "the model's public accuracy on the hidden test rows: " + score);
        screenshot("this-machine-model-scored");
    }

    /** Another member hosts a competition over every third wine: their measurements to predict, their cultivar hidden. */
    private String hostAWineCompetition(String wine) throws IOException {
        driver.manage().deleteAllCookies();
        registerAndSignIn("winehost");
        List<String> lines = wine.lines().toList();
        List<String> header = List.of(lines.get(0).split(","));
        int label = header.indexOf("cultivar");
        StringBuilder inputs = new StringBuilder("id");
        for (int c = 0; c < header.size(); c++) {
            if (c != label) {
                inputs.append(',').append(header.get(c));
            }
        }
        inputs.append('\n');
        StringBuilder truth = new StringBuilder("id,cultivar\n");
        for (int row = 1; row < lines.size(); row += 3) {
            String[] values = lines.get(row).split(",");
            inputs.append('w').append(row);
            for (int c = 0; c < values.length; c++) {
                if (c != label) {
                    inputs.append(',').append(values[c]);
                }
            }
            inputs.append('\n');
            truth.append('w').append(row).append(',').append(values[label]).append('\n');
        }
        Path testInputs = tempFile("plaza-wine-test-", ".csv");
        Path solution = tempFile("plaza-wine-solution-", ".csv");
        Files.writeString(testInputs, inputs, StandardCharsets.UTF_8);
        Files.writeString(solution, truth, StandardCharsets.UTF_8);

        String slug = "ui-wine-" + System.currentTimeMillis();
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
        open("/competitions/new");
        type(By.id("title"), "Wine cultivars " + slug);
        type(By.id("slug"), slug);
        type(By.id("overview"), "Name each wine's cultivar from its measurements.");
        new Select(driver.findElement(By.id("metric"))).selectByValue("ACCURACY");
        setValue(By.id("startsAt"), now.minusHours(1));
        setValue(By.id("endsAt"), now.plusDays(7));
        driver.findElement(By.id("solution")).sendKeys(solution.toString());
        driver.findElement(By.id("testInputs")).sendKeys(testInputs.toString());
        driver.findElement(By.id("host-submit")).click();
        waitForPath("/competitions/" + slug);
        return slug;
    }
}
