package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The ownership of a dataset sold and resold in the browser with the {@link TestWallet}: a new member
 * signs in with a wallet (anvil account 2), uploads a dataset with a 5 % creator royalty and offers
 * its ownership for 20 AIC; alice (account 8) buys it with her wallet (approve, then buyAsset) and
 * the listing becomes hers once the chain confirms it; she offers it for 30 AIC and bob (account 9)
 * buys it, which pays the creator the royalty. The AIC move exactly as the page's split said, and alice's earnings
 * dashboard lists her resale, net of the fee and the royalty, as paid.
 */
class OwnershipSaleTest extends PlazaBrowserTest {

    /** ops/test deploys with a treasury apart from the deployer, whose balance each published reward epoch draws on. */
    private static final int TREASURY = 6, CREATOR = 2, ALICE = 8, BOB = 9;
    private static final BigInteger AIC = BigInteger.TEN.pow(18);

    @Test
    void aCreatorSellsTheOwnershipAndEarnsTheRoyaltyOnTheResale() throws Exception {
        WebDriverWait slow = waitUpTo(Duration.ofSeconds(90));

        // The creator: a wallet sign-in makes the account; the dataset is uploaded with a royalty.
        signInWithWallet(CREATOR);
        Path csv = tempFile("plaza-owned-", ".csv");
        Files.writeString(csv, DatasetUploadTest.irisCsv(), StandardCharsets.UTF_8);
        String title = "Owned iris " + System.currentTimeMillis();
        open("/datasets/new");
        type(By.name("listing.title"), title);
        type(By.name("listing.priceAic"), "0");
        type(By.id("royaltyPercent"), "5");
        type(By.name("labelColumn"), "species");
        driver.findElement(By.id("file")).sendKeys(csv.toAbsolutePath().toString());
        screenshot("ownership-upload-royalty");
        driver.findElement(By.id("upload-submit")).click();
        waitForPath("/datasets/\\d+");
        String dataset = currentPath();

        // Once the token is minted (with the royalty), the owner offers the ownership from the wallet.
        slow.until(d -> {
            openListing(dataset);
            return !d.findElements(By.id("sell-ownership")).isEmpty();
        });
        assertContains(textOf(By.id("ownership-royalty")), "5 %", "the royalty the token was minted with");
        type(By.id("ownership-price"), "20");
        driver.findElement(By.id("sell-ownership")).click();
        slow.withMessage(() -> "the panel said: " + statusLine()).until(d -> !d.findElements(By.id("ownership-waiting")).isEmpty()
                || !d.findElements(By.id("cancel-ownership")).isEmpty());
        screenshot("ownership-offer-sent");
        slow.until(d -> !d.findElements(By.id("cancel-ownership")).isEmpty());
        screenshot("ownership-offer-open");

        // Alice buys it with her wallet.
        BigInteger aliceBefore = balance(ALICE), creatorBefore = balance(CREATOR), treasuryBefore = balance(TREASURY);
        signInAsDemoMember("alice", ALICE);
        openListing(dataset);
        assertContains(textOf(By.id("ownership-split")),
                "Of 20 AIC: platform fee 0.5 AIC, creator royalty 0 AIC, the seller receives 19.5 AIC", "the split");
        screenshot("ownership-buyer-sees-offer");
        driver.findElement(By.id("buy-ownership")).click();
        slow.withMessage(() -> "the panel said: " + statusLine()).until(d -> !d.findElements(By.id("ownership-pending")).isEmpty()
                || !d.findElements(By.id("sell-ownership")).isEmpty());
        screenshot("ownership-purchase-pending");
        slow.until(d -> !d.findElements(By.id("sell-ownership")).isEmpty());
        openListing(dataset);
        assertContains(driver.findElement(By.cssSelector(".listing-summary")).getText(), "alice", "the listing is alice's");
        visible(By.id("sell-ownership"));
        screenshot("ownership-bought");
        assertEquals(aliceBefore.subtract(aic("20")), balance(ALICE), "alice paid the price");
        assertEquals(creatorBefore.add(aic("19.5")), balance(CREATOR), "the creator got the price less the fee");
        assertEquals(treasuryBefore.add(aic("0.5")), balance(TREASURY), "the treasury got the fee");

        // Alice resells it to bob: the creator's royalty is paid.
        type(By.id("ownership-price"), "30");
        driver.findElement(By.id("sell-ownership")).click();
        slow.withMessage(() -> "the panel said: " + statusLine()).until(d -> !d.findElements(By.id("cancel-ownership")).isEmpty());
        aliceBefore = balance(ALICE);
        creatorBefore = balance(CREATOR);
        BigInteger bobBefore = balance(BOB);
        signInAsDemoMember("bob", BOB);
        openListing(dataset);
        assertContains(textOf(By.id("ownership-split")),
                "Of 30 AIC: platform fee 0.75 AIC, creator royalty 1.5 AIC, the seller receives 27.75 AIC", "the resale's split");
        screenshot("ownership-resale-offer");
        driver.findElement(By.id("buy-ownership")).click();
        slow.withMessage(() -> "the panel said: " + statusLine()).until(d -> !d.findElements(By.id("sell-ownership")).isEmpty());
        openListing(dataset);
        assertContains(textOf(By.id("ownership-sales")), "30 AIC (creator royalty 1.5 AIC)", "the sales");
        screenshot("ownership-resold");
        assertEquals(bobBefore.subtract(aic("30")), balance(BOB), "bob paid the price");
        assertEquals(creatorBefore.add(aic("1.5")), balance(CREATOR), "the creator got the royalty");
        assertEquals(aliceBefore.add(aic("27.75")), balance(ALICE), "alice got the price less fee and royalty");

        // Alice's earnings dashboard lists the resale, net of the fee and the royalty, paid on-chain (issue 17).
        signInAsDemoMember("alice", ALICE);
        driver.findElement(By.id("nav-earnings")).click();
        waitForPath("/earnings");
        String ledger = textOf(By.id("earnings-ledger"));
        assertContains(ledger, title, "the resold listing in the ledger");
        assertContains(ledger, "27.75", "the resale's net amount");
        assertContains(textOf(By.id("source-OWNERSHIP_SALE")), "Ownership sales", "the source's row");
        visible(By.id("chart-day"));
        screenshot("earnings-seller");
        driver.findElement(By.id("lang-switch")).click();
        waitForPath("/earnings.*");
        assertContains(textOf(By.id("earnings-by-source")), "소유권 판매", "the dashboard in Korean");
        screenshot("earnings-seller-korean");
    }

    private static BigInteger balance(int account) throws IOException, InterruptedException {
        return TestWallet.aicBalance(TestWallet.ADDRESSES[account]);
    }

    private static BigInteger aic(String amount) {
        return new java.math.BigDecimal(amount).multiply(new java.math.BigDecimal(AIC)).toBigIntegerExact();
    }

    private String statusLine() {
        return driver.findElements(By.id("ownership-status")).stream().map(e -> e.getText()).findFirst().orElse("");
    }
}
