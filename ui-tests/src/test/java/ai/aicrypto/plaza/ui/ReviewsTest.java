package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * Reviews on a listing page: the owner is told they may not review; a license holder's review without stars is
 * refused (400) and htmx shows the reason in the panel, keeping the text; then the review is saved and shown with
 * the average.
 */
class ReviewsTest extends PlazaBrowserTest {

    @Test
    void aLicenseHolderReviewsAFreeDataset() throws IOException {
        registerAndSignIn("rowner");
        String listingPage = uploadFreeDataset();
        assertContains(textOf(By.id("review-refusal")), "You cannot review your own listing.", "the owner's panel");

        driver.manage().deleteAllCookies(); // signed out
        Account holder = registerAndSignIn("rholder");
        open(listingPage);
        visible(By.id("free-license")).click();
        visible(By.id("licensed"));
        open(listingPage); // the reviews panel now offers the form

        WebElement stars = visible(By.cssSelector("#review-form select[name=stars]"));
        driver.executeScript("arguments[0].removeAttribute('required')", stars); // past the browser's own check
        type(By.cssSelector("#review-form textarea[name=body]"), "Tidy, small and\nwell labelled.");
        driver.findElement(By.cssSelector("#review-form button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBe(By.id("review-error"), "Choose from 1 to 5 stars."));
        assertEquals("Tidy, small and\nwell labelled.",
                driver.findElement(By.cssSelector("#review-form textarea[name=body]")).getDomProperty("value"),
                "the refused text is kept");
        screenshot("review-refused");

        new Select(driver.findElement(By.cssSelector("#review-form select[name=stars]"))).selectByValue("4");
        driver.findElement(By.cssSelector("#review-form button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBe(By.id("review-notice"), "Your review is saved."));
        assertEquals("4.0 ★ (1 review)", driver.findElement(By.id("rating")).getText().trim());
        String review = driver.findElement(By.cssSelector("#review-list .review")).getText();
        assertContains(review, holder.username(), "the review names its author");
        assertContains(review, "Tidy, small and\nwell labelled.", "the review keeps its line break");
        screenshot("review-saved");
    }

    /** A free CSV dataset of the signed-in user; returns the path of its page. */
    private String uploadFreeDataset() throws IOException {
        Path csv = tempFile("plaza-reviewed-", ".csv");
        Files.writeString(csv, DatasetUploadTest.irisCsv(), StandardCharsets.UTF_8);
        uploadFreeCsv("UI reviewed " + System.currentTimeMillis(), csv, "species");
        return currentPath();
    }
}
