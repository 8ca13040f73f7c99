package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Paid model calls in the browser: bob (demo wallet, anvil account 9) publishes a model with weights and prices it
 * at 100 AIC per 1,000 predictions on its page; alice (account 8) deposits 2 AIC of usage credit with her wallet
 * (permit + one transaction) on the credit page and sees it once the chain confirms it, calls the model three times
 * with an API token as a script would, sees her calls and spend by day with a chart on the usage page and the
 * charge on the credit page, and asks for 1 AIC back with her wallet; bob sees the revenue of his model on his usage
 * page.
 */
class CreditUsageTest extends PlazaBrowserTest {

    private static final int ALICE = 8, BOB = 9;
    private static final BigInteger TWO_AIC = new BigInteger("2000000000000000000");

    @Test
    void aliceDepositsCreditCallsBobsPaidModelAndBothSeeTheUsage() throws Exception {
        WebDriverWait slow = waitUpTo(Duration.ofSeconds(60));
        signInAsDemoMember("bob", BOB);
        String modelPath = publishPricedModel();
        screenshot("credit-model-api-section");

        signInAsDemoMember("alice", ALICE);
        BigInteger before = TestWallet.aicBalance(TestWallet.ADDRESSES[ALICE]);
        open("/credit");
        WebElement amount = visible(By.id("deposit-amount"));
        amount.clear();
        amount.sendKeys("2");
        driver.findElement(By.id("deposit-credit")).click();
        slow.withMessage(() -> "the panel said: " + driver.findElement(By.id("deposit-status")).getText())
                .until(d -> d.findElement(By.id("deposit-status")).getText().startsWith("Sent"));
        slow.until(d -> {
            open("/credit");
            return d.findElement(By.id("credit-available")).getText().equals("2 AIC");
        });
        assertEquals(before.subtract(TWO_AIC), TestWallet.aicBalance(TestWallet.ADDRESSES[ALICE]), "alice deposited 2 AIC");
        screenshot("credit-deposited");

        String token = issueToken();
        String image = Base64.getEncoder().encodeToString(Files.readAllBytes(testImage()));
        long modelId = Long.parseLong(modelPath.substring(modelPath.lastIndexOf('/') + 1));
        for (int i = 0; i < 3; i++) {
            assertEquals(200, predict(token, modelId, image), "a paid call with credit");
        }

        open("/credit");
        WebElement row = visible(By.cssSelector("#credit-accounts tbody tr"));
        assertEquals("0.3", row.findElement(By.className("charged")).getText(), "3 predictions at 0.1 AIC");
        assertEquals("1.7 AIC", driver.findElement(By.id("credit-available")).getText());
        screenshot("credit-after-calls");

        open("/usage");
        WebElement day = visible(By.cssSelector("#caller-days tbody tr"));
        assertEquals("3", day.findElement(By.className("calls")).getText());
        assertEquals("0.3", day.findElement(By.className("spent")).getText());
        slow.until(d -> !d.findElements(By.cssSelector("#chart-caller canvas")).isEmpty());
        screenshot("usage-caller");

        // She asks for 1 AIC back: the plaza settles her usage and then pays the request from the escrow.
        open("/credit");
        visible(By.id("withdraw-amount")).sendKeys("1");
        driver.findElement(By.id("request-withdrawal")).click();
        slow.withMessage(() -> "the panel said: " + driver.findElement(By.id("withdraw-status")).getText())
                .until(d -> d.findElement(By.id("withdraw-status")).getText().startsWith("Sent"));
        BigInteger beforeWithdrawal = TestWallet.aicBalance(TestWallet.ADDRESSES[ALICE]);
        slow.until(d -> {
            open("/credit");
            return d.findElement(By.cssSelector("#credit-accounts tbody tr .withdrawn")).getText().equals("1");
        });
        assertEquals("0.3", driver.findElement(By.cssSelector("#credit-accounts tbody tr .settled")).getText(),
                "her usage was settled before the withdrawal");
        assertEquals("0.7 AIC", driver.findElement(By.id("credit-available")).getText(), "2 - 0.3 charged - 1 withdrawn");
        assertEquals(beforeWithdrawal.add(TWO_AIC.divide(BigInteger.TWO)), TestWallet.aicBalance(TestWallet.ADDRESSES[ALICE]));
        screenshot("credit-withdrawn");

        signInAsDemoMember("bob", BOB);
        open("/usage");
        WebElement revenue = visible(By.cssSelector("#owner-days tbody tr"));
        assertEquals("0.3", revenue.findElement(By.className("revenue")).getText(), "revenue before the plaza's fee");
        slow.until(d -> !d.findElements(By.cssSelector("#chart-owner canvas")).isEmpty());
        screenshot("usage-owner");
    }

    /** Publishes the Fashion-MNIST example card with weights and prices its API; returns the model's path. */
    private String publishPricedModel() throws Exception {
        String name = "UI priced MLP " + System.currentTimeMillis();
        String card = Files.readString(ModelTryItTest.EXAMPLE_CARD, StandardCharsets.UTF_8)
                .replace("\"Fashion-MNIST MLP\"", "\"" + name + "\"")
                .replaceFirst("\"description\":\\s*\"[^\"]*\"", "\"description\": \"A priced network published by a browser test.\"")
                .replaceFirst("\"priceAic\":\\s*\"[^\"]*\"", "\"priceAic\": \"0\"");
        Path weights = tempFile("plaza-ui-priced-", ".safetensors");
        ModelTryItTest.writeWeights(weights, 7L);
        open("/models/new");
        ((JavascriptExecutor) driver).executeScript("arguments[0].value = arguments[1]", visible(By.id("cardJson")), card);
        driver.findElement(By.id("weights")).sendKeys(weights.toAbsolutePath().toString());
        driver.findElement(By.cssSelector("#model-form button[type=submit]")).click();
        waitForPath("/models/\\d+");
        String path = currentPath();
        new Select(visible(By.id("api-visibility"))).selectByValue("PUBLIC");
        WebElement price = driver.findElement(By.id("api-price"));
        price.clear();
        price.sendKeys("100");
        driver.findElement(By.id("api-save")).click();
        waitForPath("/models/\\d+#api"); // the settings redirect back to the page's API section
        assertTrue(textOf(By.id("api-terms")).contains("100 AIC per 1,000 predictions"),
                driver.findElement(By.id("api-terms")).getText());
        assertTrue(driver.findElement(By.id("api-curl")).getText().contains("$PLAZA_TOKEN"));
        return path;
    }

    private String issueToken() {
        open("/profile");
        driver.findElement(By.cssSelector("form[action*='/profile/tokens#'] input[name=name]")).sendKeys("ui script");
        driver.findElement(By.cssSelector("form[action*='/profile/tokens#'] button[type=submit]")).click();
        return textOf(By.cssSelector("#new-token code")).trim();
    }

    private Path testImage() throws Exception {
        Path png = tempFile("plaza-ui-credit-", ".png");
        ModelTryItTest.writeTestImage(png, 1);
        return png;
    }

    /** A script's call, from the page's origin: the API wants the token, not the session. */
    private long predict(String token, long modelId, String base64Png) {
        Object status = ((JavascriptExecutor) driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/api/v1/models/' + arguments[0] + '/predict', {method: 'POST', credentials: 'omit',
                    headers: {'Authorization': 'Bearer ' + arguments[1], 'Content-Type': 'application/json'},
                    body: JSON.stringify({instances: [{image: arguments[2]}]})}).then(r => done(r.status), e => done(-1));""",
                modelId, token, base64Png);
        return ((Number) status).longValue();
    }
}
