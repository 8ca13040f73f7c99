package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The whitepaper's "best data", walked by two new members: a host uploads the training data that fixes the columns and
 * classes, and hosts a data competition with the builder's recommended network and a training time, over every third
 * wine hidden; a participant submits her own wine table, the plaza trains the host's network on it on the demo worker,
 * runs it on the hidden rows and ranks her data on the board.
 */
class BestDataCompetitionTest extends PlazaBrowserTest {

    @Test
    void aMembersWineTableIsTrainedOnAndRankedInADataCompetition() throws Exception {
        String wine = BuilderRecommendedTest.wineCsv();
        Path csv = tempFile("plaza-wine-", ".csv");
        Files.writeString(csv, wine, StandardCharsets.UTF_8);
        WineSplit split = WineSplit.everyThirdWine(wine, tempFile("plaza-wine-test-", ".csv"), tempFile("plaza-wine-solution-", ".csv"));
        String slug = "ui-wine-data-" + System.currentTimeMillis();

        Account participant = registerAndSignIn("winedata");
        String datasetTitle = "My wine measurements " + slug;
        uploadFreeCsv(datasetTitle, csv, "cultivar");
        String datasetId = currentPath().replaceAll("\\D", "");

        driver.manage().deleteAllCookies();
        registerAndSignIn("datahost");
        uploadFreeCsv("Wine training rows " + slug, csv, "cultivar");
        String trainingData = currentPath().replaceAll("\\D", "");
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
        open("/competitions/new");
        type(By.id("title"), "The best wine data " + slug);
        type(By.id("slug"), slug);
        type(By.id("overview"), "Send the wine measurements that teach a fixed network the cultivars best.");
        new Select(driver.findElement(By.name("datasetId"))).selectByValue(trainingData);
        driver.findElement(By.cssSelector("#data-competition input[value=DATA]")).click();
        new Select(driver.findElement(By.name("templateRecommendation"))).selectByValue("mlp");
        type(By.name("trainingMinutes"), "10");
        new Select(driver.findElement(By.id("metric"))).selectByValue("ACCURACY");
        setValue(By.id("startsAt"), now.minusHours(1));
        setValue(By.id("endsAt"), now.plusDays(7));
        driver.findElement(By.id("solution")).sendKeys(split.solution().toString());
        driver.findElement(By.id("testInputs")).sendKeys(split.testInputs().toString());
        screenshot("data-competition-host");
        driver.findElement(By.id("host-submit")).click();
        // The plaza checks the files and that the network fits the training data before it answers.
        waitForPath("/competitions/" + slug, Duration.ofSeconds(90));
        screenshot("data-competition-page");

        driver.manage().deleteAllCookies();
        signInAndWaitForHome(participant);
        open("/competitions/" + slug);
        driver.findElement(By.cssSelector("#join-form input[name=acceptRules]")).click();
        clickAndWaitForReload(By.cssSelector("#join-form button"));
        open("/competitions/" + slug + "/submissions");
        new Select(visible(By.id("dataset-id"))).selectByValue(datasetId);
        screenshot("data-competition-submit");
        driver.findElement(By.id("data-submit")).click();
        // Trained on the demo worker, then scored: a minute or two.
        waitUpTo(Duration.ofMinutes(5)).pollingEvery(Duration.ofSeconds(5)).until(d -> {
            open("/competitions/" + slug + "/submissions");
            return d.findElement(By.id("submissions")).getText().contains("Scored");
        });
        WebElement row = driver.findElement(By.cssSelector("#submissions tr[id^=submission-]"));
        assertContains(row.getText(), "data", "the submission is marked as data");
        double score = Double.parseDouble(row.findElement(By.cssSelector("td.num")).getText().strip());
        assertTrue(score >= 0.8, "the host's network trained on her wines, on the hidden rows: " + score);
        screenshot("data-competition-scored");
        open("/competitions/" + slug);
        assertContains(visible(By.id("public-leaderboard")).getText(), datasetTitle, "her data on the board");
        screenshot("data-competition-leaderboard");
    }
}
