package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Hosts a competition that ends two to three minutes from now, submits a baseline as the host and predictions as two
 * members, and checks the public leaderboard while it runs and both leaderboards once it has ended and the app has
 * finalized it (its sweeper runs every 30 seconds).
 */
class CompetitionTest extends PlazaBrowserTest {

    static final int ROWS = 40;
    private final List<Path> files = new ArrayList<>();

    @AfterEach
    void deleteFiles() throws IOException {
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
    }

    @Test
    void hostSubmitTwiceAndSeeBothLeaderboardsAfterTheEnd() throws IOException {
        String slug = "ui-cup-" + System.currentTimeMillis();
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
        Account host = registerAndSignIn("host");
        open("/competitions/new");
        type(By.id("title"), "UI cup " + slug);
        type(By.id("slug"), slug);
        type(By.id("overview"), "Tell **cats** from dogs.");
        new Select(driver.findElement(By.id("metric"))).selectByValue("ACCURACY");
        setValue(By.id("startsAt"), now.minusHours(1));
        setValue(By.id("endsAt"), now.plusMinutes(3));
        type(By.id("prizePoolAic"), "100");
        type(By.id("prizeSplit"), "70,30");
        driver.findElement(By.id("solution")).sendKeys(file(solution()).toString());
        screenshot("competition-host-filled");
        driver.findElement(By.id("host-submit")).click();
        waitForPath("/competitions/" + slug);

        open("/competitions/" + slug + "/submissions");
        submit(predictions(20), "coin flip");

        driver.manage().deleteAllCookies();
        Account first = registerAndSignIn("first");
        joinAndSubmit(slug, predictions(ROWS));
        driver.manage().deleteAllCookies();
        Account second = registerAndSignIn("second");
        joinAndSubmit(slug, predictions(30));

        open("/competitions/" + slug);
        wait.until(d -> leaderboardTeams("#public-leaderboard").size() == 2);
        assertEquals(List.of(first.username(), second.username()), leaderboardTeams("#public-leaderboard"));
        assertEquals(1, driver.findElements(By.cssSelector("#public-leaderboard tr.baseline")).size(), "the baseline, unranked");
        assertEquals(0, driver.findElements(By.id("final-leaderboard")).size(), "no final leaderboard before the end");
        screenshot("competition-running");

        new WebDriverWait(driver, Duration.ofMinutes(5), Duration.ofSeconds(10)).until(d -> {
            d.navigate().refresh();
            return !d.findElements(By.id("final-leaderboard")).isEmpty();
        });
        screenshot("competition-final");
        assertEquals(List.of(first.username(), second.username()), leaderboardTeams("#final-leaderboard"));
        assertEquals(List.of(first.username(), second.username()), leaderboardTeams("#public-leaderboard"));
        assertEquals("Ended", driver.findElement(By.id("phase")).getText().trim());
    }

    private void joinAndSubmit(String slug, String csv) throws IOException {
        open("/competitions/" + slug);
        driver.findElement(By.cssSelector("#join-form input[name=acceptRules]")).click();
        clickAndWaitForReload(By.cssSelector("#join-form button"));
        assertEquals(0, driver.findElements(By.id("join-form")).size(), "joined");
        open("/competitions/" + slug + "/submissions");
        submit(csv, "");
    }

    /** Submits through the HTMX form (progress bar, HX-Redirect) and waits for the queued notice. */
    private void submit(String csv, String description) throws IOException {
        driver.findElement(By.id("file")).sendKeys(file(csv).toString());
        type(By.name("description"), description);
        driver.findElement(By.id("submit-button")).click();
        wait.until(d -> !d.findElements(By.cssSelector(".notice")).isEmpty());
        wait.until(d -> {
            d.navigate().refresh();
            return d.findElement(By.id("submissions")).getText().contains("Scored");
        });
    }

    private List<String> leaderboardTeams(String table) {
        List<String> teams = new ArrayList<>();
        for (WebElement row : driver.findElements(By.cssSelector(table + " tr"))) {
            List<WebElement> cells = row.findElements(By.tagName("td"));
            if (cells.size() > 1 && !row.getAttribute("class").contains("baseline")) {
                teams.add(cells.get(1).getText().trim());
            }
        }
        return teams;
    }

    /** Ids r0..r39, the class alternating cat/dog. */
    private static String solution() {
        StringBuilder csv = new StringBuilder("id,animal\n");
        for (int i = 0; i < ROWS; i++) {
            csv.append("r").append(i).append(',').append(i % 2 == 0 ? "cat" : "dog").append('\n');
        }
        return csv.toString();
    }

    /** Right on the first {@code correct} rows, wrong after. */
    private static String predictions(int correct) {
        StringBuilder csv = new StringBuilder("id,prediction\n");
        for (int i = 0; i < ROWS; i++) {
            boolean cat = (i % 2 == 0) == (i < correct);
            csv.append("r").append(i).append(',').append(cat ? "cat" : "dog").append('\n');
        }
        return csv.toString();
    }

    private Path file(String content) throws IOException {
        Path f = Files.createTempFile("plaza-ui-competition-", ".csv");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        files.add(f);
        return f;
    }
}
