package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A data request in the browser, paid with the wallet: alice (demo wallet, anvil account 8) asks for labelled wine
 * measurements and escrows a 3 AIC bounty; bob (account 9) uploads the wine table Debian's python3-sklearn ships and
 * submits it; alice sees it pass the request's automatic check and accepts it with her wallet; the escrow pays bob the
 * bounty minus the 2.5% fee, and the request shows who was paid in which transaction.
 */
class DataRequestTest extends PlazaBrowserTest {

    private static final int ALICE = 8, BOB = 9;
    private static final BigInteger AIC = BigInteger.TEN.pow(18);

    @Test
    void aliceEscrowsABountyBobSubmitsHisDataAndIsPaidWhenSheAccepts() throws Exception {
        WebDriverWait slow = waitUpTo(Duration.ofSeconds(60));
        signInAsDemoMember("alice", ALICE);
        String title = "Wine measurements " + System.currentTimeMillis();
        open("/requests/new");
        type(By.name("title"), title);
        type(By.name("description"), "Chemical analysis of wines, one row per wine, labelled with the cultivar.");
        type(By.name("expectedColumns"), "alcohol, proline");
        type(By.name("labelColumn"), "cultivar");
        WebElement minRows = driver.findElement(By.name("minRows"));
        minRows.clear();
        minRows.sendKeys("100");
        ((JavascriptExecutor) driver).executeScript("arguments[0].value = arguments[1]", driver.findElement(By.name("deadline")),
                LocalDate.now(ZoneOffset.UTC).plusDays(7).toString());
        type(By.name("priceAic"), "0");
        type(By.name("bountyAic"), "3");
        driver.findElement(By.cssSelector("#request-form button[type=submit]")).click();
        waitForPath("/requests/\\d+.*");
        String requestPath = currentPath().replaceAll("[?#].*", "");
        visible(By.id("status-awaiting_funding"));
        screenshot("request-created");

        driver.findElement(By.id("fund-request")).click();
        slow.withMessage(() -> "the panel said: " + driver.findElement(By.id("funding-status")).getText())
                .until(d -> d.findElement(By.id("funding-status")).getText().startsWith("Sent"));
        slow.until(d -> {
            open(requestPath);
            return !d.findElements(By.id("status-funded")).isEmpty();
        });
        screenshot("request-funded");

        signInAsDemoMember("bob", BOB);
        Path csv = tempFile("plaza-wine-", ".csv");
        Files.writeString(csv, BuilderRecommendedTest.wineCsv(), StandardCharsets.UTF_8);
        String dataset = "Bob's wine analyses " + System.currentTimeMillis();
        uploadFreeCsv(dataset, csv, "cultivar");
        open(requestPath);
        new Select(visible(By.id("submit-dataset"))).selectByVisibleText(dataset + " (178)");
        driver.findElement(By.id("submit-button")).click();
        slow.until(d -> !d.findElements(By.cssSelector("#submissions tbody tr")).isEmpty());
        screenshot("request-submitted");

        signInAsDemoMember("alice", ALICE);
        open(requestPath);
        WebElement submission = visible(By.cssSelector("#submissions tbody tr"));
        assertTrue(submission.getText().contains(dataset) && submission.getText().contains("178"), submission.getText());
        assertTrue(submission.getText().contains("Passes the request's checks"), "the automatic check: " + submission.getText());
        screenshot("request-judged");

        BigInteger bobBefore = TestWallet.aicBalance(TestWallet.ADDRESSES[BOB]);
        submission.findElement(By.cssSelector("button[id^=accept-]")).click();
        slow.withMessage(() -> "the row said: " + driver.findElement(By.cssSelector("#submissions tbody tr")).getText())
                .until(d -> d.findElement(By.cssSelector("#submissions [data-flow-status]")).getText().startsWith("Sent"));
        slow.until(d -> {
            open(requestPath);
            return !d.findElements(By.id("status-accepted")).isEmpty();
        });
        BigInteger bounty = AIC.multiply(BigInteger.valueOf(3));
        BigInteger fee = bounty.multiply(BigInteger.valueOf(250)).divide(BigInteger.valueOf(10_000));
        assertEquals(bobBefore.add(bounty).subtract(fee), TestWallet.aicBalance(TestWallet.ADDRESSES[BOB]),
                "bob is paid the bounty minus the 2.5% fee");
        assertTrue(textOf(By.id("bounty-paid")).toLowerCase().contains(TestWallet.ADDRESSES[BOB].toLowerCase()),
                "the page names the wallet paid: " + driver.findElement(By.id("bounty-paid")).getText());
        screenshot("request-accepted");
    }
}
