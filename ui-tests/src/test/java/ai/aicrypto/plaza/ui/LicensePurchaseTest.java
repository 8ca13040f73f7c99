package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A paid license, bought in the browser with the {@link TestWallet}: bob (demo wallet, anvil
 * account 9) opens license sales of his sensor dataset on-chain, alice (account 8) buys it with a
 * permit and one transaction, the license appears once the chain confirms it, the download works
 * for her, the AIC moved exactly, and a member without a license is refused the download.
 */
class LicensePurchaseTest extends PlazaBrowserTest {

    private static final int ALICE = 8, BOB = 9;
    private static final BigInteger PRICE = new BigInteger("12500000000000000000"); // 12.5 AIC
    private static final BigInteger FEE = PRICE.multiply(BigInteger.valueOf(250)).divide(BigInteger.valueOf(10_000));

    @Test
    void aliceBuysALicenseOfBobsDatasetWithHerWallet() throws Exception {
        WebDriverWait slow = waitUpTo(Duration.ofSeconds(60));

        signInAsDemoMember("bob", BOB);
        String dataset = sensorDatasetPath();
        openListing(dataset);
        // The plaza minted bob's asset token at start-up; wait for the panel to offer the sale.
        slow.until(d -> {
            openListing(dataset);
            return !d.findElements(By.id("open-sale")).isEmpty() || !d.findElements(By.id("sale-open")).isEmpty();
        });
        screenshot("owner-license-panel");
        if (driver.findElements(By.id("sale-open")).isEmpty()) {
            var openSale = driver.findElement(By.id("open-sale"));
            openSale.click();
            // The wallet sends the transaction, then the panel is fetched again.
            slow.withMessage(() -> "the panel said: " + panelText()).until(ExpectedConditions.stalenessOf(openSale));
            slow.until(d -> {
                openListing(dataset);
                return !d.findElements(By.id("sale-open")).isEmpty();
            });
        }
        screenshot("owner-sale-open");

        BigInteger aliceBefore = TestWallet.aicBalance(TestWallet.ADDRESSES[ALICE]);
        BigInteger bobBefore = TestWallet.aicBalance(TestWallet.ADDRESSES[BOB]);
        signInAsDemoMember("alice", ALICE);
        openListing(dataset);
        visible(By.id("buy-license"));
        screenshot("buyer-license-panel");
        assertEquals(404, downloadStatus(dataset), "no download before the purchase");

        driver.findElement(By.id("buy-license")).click();
        slow.withMessage(() -> "the panel said: " + panelText()).until(d -> !d.findElements(By.id("purchase-pending")).isEmpty() || !d.findElements(By.id("licensed")).isEmpty());
        screenshot("buyer-purchase-pending");
        slow.until(d -> !d.findElements(By.id("licensed")).isEmpty());
        screenshot("buyer-licensed");

        assertEquals(aliceBefore.subtract(PRICE), TestWallet.aicBalance(TestWallet.ADDRESSES[ALICE]), "alice paid the price");
        assertEquals(bobBefore.add(PRICE).subtract(FEE), TestWallet.aicBalance(TestWallet.ADDRESSES[BOB]),
                "bob got the price less the platform fee");
        assertEquals(200, downloadStatus(dataset), "the licensee downloads the data");

        driver.manage().deleteAllCookies();
        registerAndSignIn("nolicense");
        openListing(dataset);
        visible(By.id("buy-license"));
        assertEquals(404, downloadStatus(dataset), "a member without a license is refused the download");
    }

    /** The license panel's text: its state (pending, failed, licensed) and its status line. */
    private String panelText() {
        return driver.findElements(By.id("license-panel")).stream().map(e -> e.getText()).findFirst().orElse("(no panel)");
    }

    private String sensorDatasetPath() {
        open("/datasets");
        String href = visible(By.linkText("Machine sensor readings (synthetic)")).getAttribute("href");
        assertTrue(href.matches(".*/datasets/\\d+"), href);
        return href.substring(href.indexOf("/datasets/"));
    }

    private long downloadStatus(String dataset) {
        Object status = ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch(arguments[0] + '/download', { credentials: 'same-origin' }).then(r => done(r.status), e => done(-1));",
                dataset);
        return ((Number) status).longValue();
    }
}
