package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The navbar's suggest-as-you-type, then the results page and its facets (demo data); a competition
 * hosted here is found from the navbar and opened.
 */
class SearchTest extends PlazaBrowserTest {

    @Test
    void suggestsAsYouTypeAndFiltersByFacet() {
        open("/");
        WebElement box = visible(By.id("search-box"));
        box.sendKeys("fash");
        List<WebElement> suggestions = wait.until(
                ExpectedConditions.numberOfElementsToBeMoreThan(By.cssSelector("#suggestion-list li"), 0));
        screenshot("search-suggestions");
        assertTrue(suggestions.stream().anyMatch(s -> s.getText().contains("Fashion-MNIST")),
                "a suggestion names Fashion-MNIST");

        box.sendKeys(Keys.ENTER);
        waitForPath("/search.*");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("result-count"), "2"));
        List<String> titles = driver.findElements(By.cssSelector(".search-hit .card-title")).stream()
                .map(WebElement::getText).toList();
        assertTrue(titles.contains("Fashion-MNIST (test split)") && titles.contains("Fashion-MNIST MLP"),
                "both Fashion-MNIST listings are found: " + titles);
        assertTrue(driver.findElement(By.cssSelector(".search-hit .card-title mark")).isDisplayed(),
                "the matched word is highlighted");
        screenshot("search-results");

        driver.findElement(By.cssSelector("#facet-kind a[href*='kind=MODEL']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("result-count"), "1 result"));
        assertTrue(driver.getCurrentUrl().contains("kind=MODEL"), "the facet is in the address bar");
        assertEquals(List.of("Fashion-MNIST MLP"), driver.findElements(By.cssSelector(".search-hit .card-title"))
                .stream().map(WebElement::getText).toList());
        screenshot("search-facet-model");
    }

    @Test
    void findsACompetitionFromTheNavbar() throws IOException {
        String word = randomWord();
        String slug = "search-" + word;
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
        registerAndSignIn("searchhost");
        open("/competitions/new");
        type(By.id("title"), "Cup of " + word);
        type(By.id("slug"), slug);
        type(By.id("overview"), "Sort the **rare** " + word + " birds.");
        setValue(By.id("startsAt"), now.minusHours(1));
        setValue(By.id("endsAt"), now.plusDays(30));
        Path solution = tempFile("plaza-ui-search-", ".csv");
        Files.writeString(solution, "id,bird\nr0,0\nr1,1\nr2,0\nr3,1\nr4,0\nr5,1\nr6,0\nr7,1\nr8,0\nr9,1\n",
                StandardCharsets.UTF_8);
        driver.findElement(By.id("solution")).sendKeys(solution.toString());
        driver.findElement(By.id("host-submit")).click();
        waitForPath("/competitions/" + slug);

        // The index catches up asynchronously when Elasticsearch serves the search: ask again until it has.
        waitUpTo(java.time.Duration.ofSeconds(30)).until(d -> {
            open("/");
            WebElement box = visible(By.id("search-box"));
            box.sendKeys(word);
            box.sendKeys(Keys.ENTER);
            waitForPath("/search.*");
            return d.findElement(By.id("result-count")).getText().startsWith("1 ");
        });
        // Its kind, and the task its metric implies (the host form's default metric, accuracy: classification).
        assertEquals(List.of("Competition", "Classification"), driver.findElements(By.cssSelector(".search-hit .card-meta .badge"))
                .stream().map(WebElement::getText).toList());
        assertTrue(driver.findElement(By.id("facet-kind")).getText().contains("Competition"), "the kind facet counts it");
        screenshot("search-competition");
        driver.findElement(By.cssSelector(".search-hit .card-title")).click();
        waitForPath("/competitions/" + slug);
    }

    /** Letters only, so that no other run's title is a typo away from it. */
    private static String randomWord() {
        Random random = new Random();
        StringBuilder word = new StringBuilder("uiq");
        for (int i = 0; i < 10; i++) {
            word.append((char) ('a' + random.nextInt(26)));
        }
        return word.toString();
    }
}
