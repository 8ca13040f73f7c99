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
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Hosts a competition that ends two to three minutes from now, with a training dataset and test inputs, submits a
 * baseline as the host and predictions as two members, and checks the public leaderboard while it runs and both
 * leaderboards once it has ended and the app has finalized it (its sweeper runs every 30 seconds). The first member
 * downloads the competition's files after joining, and a CSV with mistakes dropped on the submission form is refused
 * with each of its problems shown on the page.
 */
class CompetitionTest extends PlazaBrowserTest {

    static final int ROWS = 40;
    private Path files;
    private int fileCount;

    @AfterEach
    void deleteFiles() throws IOException {
        deleteRecursively(files);
    }

    @Test
    void hostSubmitTwiceAndSeeBothLeaderboardsAfterTheEnd() throws IOException {
        String slug = "ui-cup-" + System.currentTimeMillis();
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
        Account host = registerAndSignIn("host");
        // The training data participants download: a dataset listing of the host's own.
        uploadFreeCsv("UI cup training " + slug, file("cats-and-dogs-train.csv", training()), "animal");
        String datasetId = currentPath().replaceAll("\\D", "");
        open("/competitions/new");
        // Later phases: a row added by the page's script is numbered after the two the server rendered, and removed.
        List<WebElement> laterPhases = driver.findElements(By.cssSelector("#later-phase-rows .later-phase"));
        driver.findElement(By.id("add-phase")).click();
        List<WebElement> withAdded = driver.findElements(By.cssSelector("#later-phase-rows .later-phase"));
        assertEquals(laterPhases.size() + 1, withAdded.size(), "a row added");
        WebElement added = withAdded.get(withAdded.size() - 1);
        assertEquals("Phase " + (laterPhases.size() + 2), added.findElement(By.tagName("h4")).getText());
        assertEquals("laterPhases[" + laterPhases.size() + "].name", added.findElement(By.tagName("input")).getDomAttribute("name"));
        screenshot("competition-host-phase-added");
        added.findElement(By.className("remove-phase")).click();
        assertEquals(laterPhases.size(), driver.findElements(By.cssSelector("#later-phase-rows .later-phase")).size(),
                "the added row removed");
        type(By.id("title"), "UI cup " + slug);
        type(By.id("slug"), slug);
        type(By.id("overview"), "Tell **cats** from dogs.");
        new Select(driver.findElement(By.id("metric"))).selectByValue("ACCURACY");
        setValue(By.id("startsAt"), now.minusHours(1));
        setValue(By.id("endsAt"), now.plusMinutes(3));
        type(By.id("prizePoolAic"), "100");
        type(By.id("prizeSplit"), "70,30");
        new Select(driver.findElement(By.id("datasetId"))).selectByValue(datasetId);
        driver.findElement(By.id("solution")).sendKeys(file("solution.csv", solution()).toString());
        driver.findElement(By.id("testInputs")).sendKeys(file("test.csv", testInputs()).toString());
        screenshot("competition-host-filled");
        driver.findElement(By.id("host-submit")).click();
        waitForPath("/competitions/" + slug);

        open("/competitions/" + slug + "/submissions");
        submit(predictions(20), "coin flip");

        driver.manage().deleteAllCookies();
        Account first = registerAndSignIn("first");
        open("/competitions/" + slug);
        assertEquals(3, driver.findElements(By.cssSelector("#competition-files tr[id^=file-]")).size(),
                "training data, test inputs and sample submission listed before joining");
        assertEquals(0, driver.findElements(By.cssSelector("#competition-files a")).size(), "no download before joining");
        visible(By.id("files-join"));
        join(slug);
        downloadFiles(slug);
        refusedDrop(slug);
        submit(predictions(ROWS), "");
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
        join(slug);
        open("/competitions/" + slug + "/submissions");
        submit(csv, "");
    }

    private void join(String slug) {
        open("/competitions/" + slug);
        driver.findElement(By.cssSelector("#join-form input[name=acceptRules]")).click();
        clickAndWaitForReload(By.cssSelector("#join-form button"));
        assertEquals(0, driver.findElements(By.id("join-form")).size(), "joined");
    }

    /** A participant's files: each link on the page downloads what the host uploaded, or the generated sample. */
    private void downloadFiles(String slug) {
        open("/competitions/" + slug);
        String files = textOf(By.id("competition-files"));
        assertContains(files, "Test inputs: predict these rows", "the test inputs' row");
        assertContains(files, "Sample submission", "the sample submission's row");
        assertContains(files, ROWS + " rows", "the row counts of the test files");
        screenshot("competition-files");
        assertEquals(training(), download(By.cssSelector("#file-training-0 a")), "the training data as uploaded");
        assertEquals(testInputs(), download(By.cssSelector("#file-test-inputs a")), "the test inputs as uploaded");
        String sample = download(By.cssSelector("#file-sample-submission a"));
        List<String> lines = sample.lines().toList();
        assertEquals("id,prediction", lines.get(0), "the sample's header");
        assertEquals(ROWS + 1, lines.size(), "a sample row for every test id: " + sample);
        for (int i = 0; i < ROWS; i++) {
            String[] cells = lines.get(i + 1).split(",");
            assertEquals("r" + i, cells[0], "the sample's ids in the test inputs' order");
            assertTrue(List.of("cat", "dog").contains(cells[1]), "a valid placeholder: " + lines.get(i + 1));
        }
    }

    /** The body of a link's download, fetched by the page itself (with its session). */
    private String download(By link) {
        String href = driver.findElement(link).getAttribute("href");
        Object body = ((JavascriptExecutor) driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch(arguments[0]).then(r => r.ok ? r.text() : 'HTTP ' + r.status).then(done, e => done('error ' + e));""",
                href);
        return String.valueOf(body);
    }

    /**
     * Drops a CSV with a mistake of each kind on the submission form (the page's script puts it in the file input) and
     * submits it: htmx swaps in the 400 answer, which lists every problem with its line.
     */
    private void refusedDrop(String slug) {
        open("/competitions/" + slug + "/submissions");
        String bad = "id,prediction\nr0,cat\nr0,dog\nr1,bird\nzz9,cat\nr2\n";
        ((JavascriptExecutor) driver).executeScript("""
                const data = new DataTransfer();
                data.items.add(new File([arguments[1]], 'mistakes.csv', {type: 'text/csv'}));
                const zone = arguments[0];
                zone.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: data}));
                zone.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: data}));""",
                driver.findElement(By.cssSelector("#submit-form label.field")), bad);
        assertEquals("mistakes.csv", ((JavascriptExecutor) driver).executeScript(
                "return document.getElementById('file').files[0].name"), "the dropped file is in the input");
        type(By.name("description"), "with mistakes");
        driver.findElement(By.id("submit-button")).click();
        List<String> problems = visible(By.id("file-errors")).findElements(By.tagName("p")).stream()
                .map(p -> p.getText().trim()).toList();
        screenshot("competition-refused-csv");
        assertEquals(List.of(
                "The submission has 5 rows, but the test set has " + ROWS + ".",
                "Line 3: the id \"r0\" already appeared on line 2. Give exactly one prediction per id.",
                "Line 4: the prediction \"bird\" for id \"r1\" is not one of the classes: cat, dog",
                "Line 5: the id \"zz9\" is not in the test set.",
                "Line 6 has the wrong number of values (1): every row needs exactly 2, the id and the prediction."),
                problems.subList(0, problems.size() - 1), "every problem, with its line, in the file's order");
        assertContains(problems.get(problems.size() - 1), (ROWS - 2) + " test ids have no prediction, for example: r2, r3",
                "the missing ids");
        assertEquals("with mistakes", driver.findElement(By.name("description")).getAttribute("value"),
                "the form keeps the description");
        assertEquals("/competitions/" + slug + "/submissions", currentPath(), "the browser stays on the page");
        assertTrue(driver.findElements(By.cssSelector("#submissions tr[id^=submission-]")).isEmpty(),
                "nothing was submitted");
    }

    /** Submits through the HTMX form (progress bar, HX-Redirect) and waits for the queued notice. */
    private void submit(String csv, String description) throws IOException {
        driver.findElement(By.id("file")).sendKeys(file("predictions.csv", csv).toString());
        type(By.name("description"), description);
        driver.findElement(By.id("submit-button")).click();
        wait.until(d -> !d.findElements(By.cssSelector(".notice")).isEmpty());
        wait.until(d -> {
            d.navigate().refresh();
            return d.findElement(By.id("submissions")).getText().contains("Scored");
        });
    }

    /**
     * The teams of a leaderboard, top first, the baseline left out. Read in one script: the board is swapped live as
     * scores arrive, so rows found one call earlier may be gone (stale) by the next.
     */
    @SuppressWarnings("unchecked")
    private List<String> leaderboardTeams(String table) {
        return new ArrayList<>((List<String>) ((JavascriptExecutor) driver).executeScript("""
                return Array.from(document.querySelectorAll(arguments[0] + ' tr'))
                    .filter(row => !row.classList.contains('baseline'))
                    .map(row => row.querySelectorAll('td'))
                    .filter(cells => cells.length > 1)
                    .map(cells => cells[1].innerText.trim());""", table));
    }

    /** Ids r0..r39, the class alternating cat/dog. */
    private static String solution() {
        StringBuilder csv = new StringBuilder("id,animal\n");
        for (int i = 0; i < ROWS; i++) {
            csv.append("r").append(i).append(',').append(i % 2 == 0 ? "cat" : "dog").append('\n');
        }
        return csv.toString();
    }

    /** Training rows: two features and the class, the same on every run. */
    private static String training() {
        StringBuilder csv = new StringBuilder("fur_length,weight,animal\n");
        for (int i = 0; i < ROWS; i++) {
            boolean cat = i % 2 == 0;
            csv.append(cat ? 2 + i % 3 : 4 + i % 5).append(',').append(cat ? 4 + i % 4 : 12 + i % 7).append(',')
                    .append(cat ? "cat" : "dog").append('\n');
        }
        return csv.toString();
    }

    /** The test rows' features (no labels), with the solution's ids. */
    private static String testInputs() {
        StringBuilder csv = new StringBuilder("id,fur_length,weight\n");
        for (int i = 0; i < ROWS; i++) {
            boolean cat = i % 2 == 0;
            csv.append('r').append(i).append(',').append(cat ? 3 : 5).append(',').append(cat ? 5 + i % 3 : 15 + i % 4)
                    .append('\n');
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

    /** A CSV file named as a person would name it, in this test's own directory. */
    private Path file(String name, String content) throws IOException {
        if (files == null) {
            files = Files.createTempDirectory("plaza-ui-competition-");
        }
        Path f = Files.createDirectories(files.resolve(String.valueOf(++fileCount))).resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }
}
