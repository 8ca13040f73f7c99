package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/**
 * The whitepaper's "best data", walked by two new members: a host uploads the training data that fixes the columns and
 * classes, and hosts a data competition with the builder's recommended network and a training time, over every third
 * wine hidden, and pays for the submissions' training: a pool of three submissions at 1 AIC each, deposited from her
 * wallet; a participant (no wallet) submits her own wine table once the pool is confirmed, the plaza trains the host's
 * network on it on the demo worker, paid from the pool, runs it on the hidden rows and ranks her data on the board.
 */
class BestDataCompetitionTest extends PlazaBrowserTest {

    /** alice, a demo member with a funded dev-chain wallet, hosts (the demo worker is bob's: he is paid). */
    private static final int ALICE = 8;

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

        signInAsDemoMember("alice", ALICE);
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
        type(By.name("trainingBudgetAic"), "1");
        type(By.name("trainingSubmissions"), "3");
        new Select(driver.findElement(By.id("metric"))).selectByValue("ACCURACY");
        setValue(By.id("startsAt"), now.minusHours(1));
        setValue(By.id("endsAt"), now.plusDays(7));
        driver.findElement(By.id("solution")).sendKeys(split.solution().toString());
        driver.findElement(By.id("testInputs")).sendKeys(split.testInputs().toString());
        screenshot("data-competition-host");
        driver.findElement(By.id("host-submit")).click();
        // The plaza checks the files and that the network fits the training data before it answers.
        waitForPath("/competitions/" + slug, Duration.ofSeconds(90));
        assertContains(textOf(By.id("training-pool")), "awaiting the host's deposit", "a pool to fund");
        screenshot("data-competition-pool-to-fund");
        // The host deposits the pool with her wallet; submissions open once the watcher saw it confirmed.
        BigInteger before = TestWallet.aicBalance(TestWallet.ADDRESSES[ALICE]);
        driver.findElement(By.id("deposit-training-pool")).click();
        // Signed and sent by the wallet (the page is left only then, not mid-flow).
        waitUpTo(Duration.ofSeconds(60)).until(d -> d.findElement(By.id("training-pool-status")).getText().contains("Sending"));
        screenshot("data-competition-pool-sent");
        waitUpTo(Duration.ofSeconds(90)).pollingEvery(Duration.ofSeconds(3)).until(d -> {
            open("/competitions/" + slug);
            return d.findElement(By.id("training-pool")).getText().contains("3 of 3 submissions left");
        });
        assertEquals(before.subtract(new BigInteger("3000000000000000000")), TestWallet.aicBalance(TestWallet.ADDRESSES[ALICE]),
                "the pool was deposited from the host's wallet");
        assertTrue(driver.findElements(By.id("training-pool-panel")).isEmpty(), "no deposit asked any more");
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
        SubmissionRow row = newestSubmission();
        assertContains(row.text(), "data", "the submission is marked as data");
        double score = row.publicScore();
        assertTrue(score >= 0.8, "the host's network trained on her wines, on the hidden rows: " + score);
        screenshot("data-competition-scored");
        open("/competitions/" + slug);
        assertContains(textOf(By.id("public-leaderboard")), datasetTitle, "her data on the board");
        // Her training cost less than its 1 AIC: what it did not spend stays in the pool for the next submissions.
        assertContains(textOf(By.id("training-pool")), "2 of 3 submissions left", "the pool after one training");
        screenshot("data-competition-leaderboard");
    }
}
