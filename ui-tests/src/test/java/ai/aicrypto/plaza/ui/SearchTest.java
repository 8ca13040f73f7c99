package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** The navbar's suggest-as-you-type, then the results page and its facets (demo data). */
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
}
