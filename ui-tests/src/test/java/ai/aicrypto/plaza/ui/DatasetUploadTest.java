package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * Upload a small CSV, check the detail page's profile, find the listing when browsing, and see the
 * Korean UI.
 */
class DatasetUploadTest extends PlazaBrowserTest {

    static final List<String> SPECIES = List.of("setosa", "versicolor", "virginica");
    static final int ROWS = 60;

    /** 60 iris-like rows, 20 of each species, the same on every run. */
    static String irisCsv() {
        StringBuilder sb = new StringBuilder("sepal_length,sepal_width,petal_length,petal_width,species\n");
        for (int i = 0; i < ROWS; i++) {
            int k = i % 3;
            int j = i / 3;
            double sepalLength = 5.0 + k * 0.9 + (j % 5) * 0.1;
            double sepalWidth = 3.4 - k * 0.4 + (j % 4) * 0.1;
            double petalLength = 1.4 + k * 2.6 + (j % 6) * 0.1;
            double petalWidth = 0.2 + k * 1.0 + (j % 3) * 0.1;
            sb.append(String.format(Locale.ROOT, "%.1f,%.1f,%.1f,%.1f,%s%n",
                    sepalLength, sepalWidth, petalLength, petalWidth, SPECIES.get(k)));
        }
        return sb.toString();
    }

    @Test
    void uploadCsvShowsProfileAndAppearsInBrowse() throws IOException {
        registerAndSignIn("ui");
        Path csv = tempFile("plaza-iris-", ".csv");
        Files.writeString(csv, irisCsv(), StandardCharsets.UTF_8);
        String title = "UI iris " + System.currentTimeMillis();

        open("/datasets/new");
        type(By.name("listing.title"), title);
        type(By.name("listing.description"), "Sixty **iris-like** rows written by the browser test.");
        type(By.name("listing.tags"), "flowers, test");
        new Select(driver.findElement(By.name("listing.license"))).selectByValue("CC-BY-4.0");
        type(By.name("listing.priceAic"), "0");
        type(By.name("labelColumn"), "species");
        driver.findElement(By.id("file")).sendKeys(csv.toAbsolutePath().toString());
        screenshot("upload-filled");

        driver.findElement(By.id("upload-submit")).click();
        waitForPath("/datasets/\\d+");

        screenshot("dataset-detail");

        // The detail page shows what the server made of the file.
        assertEquals(title, textOf(By.cssSelector("main h1")).trim());
        assertEquals("CSV", driver.findElement(By.id("format")).getText().trim());
        assertEquals(String.valueOf(ROWS), driver.findElement(By.id("row-count")).getText().trim());

        List<WebElement> statsRows = driver.findElements(By.cssSelector("#stats tbody tr"));
        assertEquals(5, statsRows.size(), "one statistics row per column");
        assertTrue(statsRows.get(0).getText().startsWith("sepal_length"), statsRows.get(0).getText());
        assertContains(statsRows.get(4).getText(), "species", "the label column's statistics row");

        Map<String, String> histogram = new TreeMap<>();
        for (WebElement bar : driver.findElements(By.cssSelector("#histogram .bar"))) {
            histogram.put(bar.findElement(By.cssSelector(".bar-label")).getText().trim(),
                    bar.findElement(By.cssSelector(".muted")).getText().trim());
        }
        assertEquals(Map.of("setosa", "20", "versicolor", "20", "virginica", "20"), histogram,
                "the class histogram: three classes of 20");

        int previewRows = driver.findElements(By.cssSelector("#preview tbody tr")).size();
        assertTrue(previewRows >= 1 && previewRows <= 20, "preview rows: " + previewRows);
        String detailUrl = currentPath();
        // The upload's confirmation (flash "dataset.uploaded"); checked at the end so that the rest still runs.
        List<String> notices = driver.findElements(By.cssSelector("main .notice")).stream()
                .map(WebElement::getText).toList();

        // Browse: filter by tag through the form (HTMX swaps #results and pushes the URL).
        open("/datasets");
        screenshot("browse-all");
        WebElement tag = visible(By.cssSelector("form.filters input[name=tag]"));
        tag.sendKeys("flowers");
        tag.sendKeys(Keys.TAB); // change event: HTMX fetches the filtered results
        waitForPath("/datasets\\?.*tag=flowers.*");
        waitUpTo(Duration.ofSeconds(15)).withMessage(() -> "\u201C" + title + "\u201D among the cards tagged flowers: " + cardTitles())
                .until(d -> cardTitles().contains(title));
        screenshot("browse-tag-flowers");
        assertTrue(driver.findElements(By.cssSelector(".listing-card")).stream()
                        .allMatch(card -> card.findElements(By.cssSelector(".tag")).stream()
                                .anyMatch(t -> t.getText().trim().equals("flowers"))),
                "every card shown is tagged flowers");

        // And the same through the URL: the other tag, free listings only (newest first).
        open("/datasets?tag=test&price=free");
        screenshot("browse-tag-test-free");
        assertTrue(cardTitles().contains(title), () -> "\u201C" + title + "\u201D among " + cardTitles());
        assertEquals("free", new Select(driver.findElement(By.name("price"))).getFirstSelectedOption().getAttribute("value"));

        // Korean UI.
        driver.findElement(By.id("lang-switch")).click();
        wait.until(d -> "ko".equals(d.findElement(By.tagName("html")).getAttribute("lang")));
        waitForPageLoaded();
        screenshot("browse-korean");
        assertTrue(currentPath().startsWith("/datasets"), "the language switch stays on the page: " + currentPath());
        assertContains(navbarText(), "데이터셋", "the Korean navbar");
        assertFalse(navbarText().contains("Datasets"), "the Korean navbar has no English \u201CDatasets\u201D");
        assertEquals("English", driver.findElement(By.id("lang-switch")).getText().trim());
        assertEquals("데이터셋", driver.findElement(By.cssSelector("main h1")).getText().trim());

        // The language is remembered on other pages.
        open(detailUrl);
        screenshot("dataset-detail-korean");
        assertEquals("ko", driver.findElement(By.tagName("html")).getAttribute("lang"));
        assertEquals(String.valueOf(ROWS), driver.findElement(By.id("row-count")).getText().trim());

        open("/datasets/new");
        screenshot("upload-form-korean");

        assertTrue(notices.stream().anyMatch(n -> n.contains("Your dataset is uploaded")),
                "the detail page reached after the upload confirms it (notice dataset.uploaded); notices: " + notices);
    }

    @Test
    void raggedCsvIsRejectedWithTheLineNumber() throws IOException {
        registerAndSignIn("ui");
        // Line 1 is the header; line 5 lacks its last column.
        Path csv = tempFile("plaza-ragged-", ".csv");
        Files.writeString(csv, """
                sepal_length,sepal_width,petal_length,petal_width,species
                5.1,3.5,1.4,0.2,setosa
                7.0,3.2,4.7,1.4,versicolor
                6.3,3.3,6.0,2.5,virginica
                4.9,3.0,1.4,0.2
                6.4,3.2,4.5,1.5,versicolor
                """, StandardCharsets.UTF_8);
        String title = "UI ragged " + System.currentTimeMillis();

        open("/datasets/new");
        type(By.name("listing.title"), title);
        type(By.name("listing.tags"), "ragged, test");
        type(By.name("listing.priceAic"), "0");
        type(By.name("labelColumn"), "species");
        driver.findElement(By.id("file")).sendKeys(csv.toAbsolutePath().toString());
        screenshot("ragged-filled");
        driver.findElement(By.id("upload-submit")).click();

        // The header is fine, so the upload is accepted at once; its import finds line 5 and refuses it, and the
        // import's page (followed live) says why.
        waitForPath("/datasets/imports/\\d+");
        By reason = By.id("import-reason");
        waitUpTo(Duration.ofSeconds(15)).withMessage(() -> "the import's page naming line 5; it shows: "
                        + driver.findElement(By.tagName("main")).getText())
                .until(d -> d.findElements(reason).stream().anyMatch(e -> e.getText().contains("Line 5")));
        screenshot("ragged-error");
        String error = driver.findElement(reason).getText();
        assertContains(error, "4 values", "the ragged-row error");
        assertContains(error, "5 columns", "the ragged-row error");
        assertEquals("Refused", driver.findElement(By.id("import-status")).getText().trim());

        open("/datasets?tag=ragged");
        screenshot("ragged-tag-search");
        assertFalse(cardTitles().contains(title), () -> "no listing \u201C" + title + "\u201D: " + cardTitles());
        open("/datasets");
        screenshot("ragged-not-listed");
        assertFalse(cardTitles().contains(title), () -> "no listing \u201C" + title + "\u201D: " + cardTitles());
    }
}
