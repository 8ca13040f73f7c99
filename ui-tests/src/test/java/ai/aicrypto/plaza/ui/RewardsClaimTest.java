package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Proof of Value in the browser, from a use to the reward in the wallet: bob (demo wallet, anvil account 9) publishes
 * a paid dataset and opens its license sales, alice (account 8) buys a license with her wallet. The deployer funded
 * both wallets, which links nobody (it is the operator's, PLAZA_REWARDS_OPERATOR_WALLETS). The epoch closes on its
 * schedule (a minute long under ops/test), so bob sees the dataset's score and, on its "why" page, alice's license
 * counted; the epoch's root is published on-chain, bob claims his reward on /rewards with his wallet, receives exactly
 * the amount the page showed, and his earnings page lists it paid with the claim's transaction.
 */
class RewardsClaimTest extends PlazaBrowserTest {

    private static final int ALICE = 8, BOB = 9;
    /** An epoch (a minute), the closing job's turn and the root's publication, with room for a busy machine. */
    private static final Duration EPOCH_CLOSED = Duration.ofMinutes(4);

    @Test
    void aliceBuysALicenseOfBobsDataAndBobClaimsTheRewardOfThatUse() throws Exception {
        WebDriverWait slow = waitUpTo(Duration.ofSeconds(90));

        signInAsDemoMember("bob", BOB);
        Path csv = tempFile("plaza-rewarded-", ".csv");
        Files.writeString(csv, DatasetUploadTest.irisCsv(), StandardCharsets.UTF_8);
        String title = "Rewarded iris " + System.currentTimeMillis();
        open("/datasets/new");
        type(By.name("listing.title"), title);
        type(By.name("listing.priceAic"), "3");
        type(By.name("labelColumn"), "species");
        driver.findElement(By.id("file")).sendKeys(csv.toAbsolutePath().toString());
        driver.findElement(By.id("upload-submit")).click();
        waitForPath("/datasets/\\d+", Duration.ofSeconds(90));
        String dataset = currentPath();
        String listingId = dataset.substring("/datasets/".length());
        // Once the token is minted (after the demo data's, on a freshly started app), bob opens license sales.
        waitUpTo(Duration.ofMinutes(3)).withMessage("bob's dataset was not minted").until(d -> {
            open(dataset);
            return !d.findElements(By.id("open-sale")).isEmpty() || !d.findElements(By.id("sale-open")).isEmpty();
        });
        if (driver.findElements(By.id("sale-open")).isEmpty()) {
            WebElement openSale = driver.findElement(By.id("open-sale"));
            openSale.click();
            slow.withMessage(() -> "the panel said: " + text(By.id("market-status"))).until(ExpectedConditions.stalenessOf(openSale));
            slow.until(d -> {
                open(dataset);
                return !d.findElements(By.id("sale-open")).isEmpty();
            });
        }

        // Alice buys a license with her wallet: a use of bob's contribution.
        signInAsDemoMember("alice", ALICE);
        open(dataset);
        click(By.id("buy-license"));
        slow.withMessage(() -> "the panel said: " + text(By.id("market-status")))
                .until(d -> !d.findElements(By.id("licensed")).isEmpty());
        screenshot("rewards-alice-licensed");

        // The epoch closes on its schedule: the dataset's page shows its standing, which links to its scores.
        signInAsDemoMember("bob", BOB);
        String scores = "/contributions/LISTING/" + listingId;
        waitUpTo(EPOCH_CLOSED).withMessage("the epoch of alice's purchase was not closed").until(d -> {
            open(scores);
            return !d.findElements(By.id("contribution-scores")).isEmpty();
        });
        open(dataset);
        WebElement standing = visible(By.cssSelector("#standing a"));
        assertContains(standing.getText(), "Proof of Value: score 1.0 (rank", "the standing on the listing page");
        screenshot("rewards-dataset-standing");
        standing.click();
        waitForPath(scores);
        screenshot("rewards-contribution-scores");
        WebElement why = visible(By.cssSelector("main ul li a"));
        String epoch = why.getText().replace("Epoch ", "").trim();
        why.click();
        waitForPath(scores + "/epochs/" + epoch);
        WebElement alicesUse = driver.findElements(By.cssSelector("#why tbody tr")).stream()
                .filter(row -> row.getText().startsWith("alice")).findFirst().orElseThrow();
        assertContains(alicesUse.getText(), "License bought", "alice's use");
        assertContains(alicesUse.getText(), "Counted", "alice's license counts: the deployer that funded both links nobody");
        assertEquals("Score: 1.0", visible(By.id("why-score")).getText(), "the epoch's score");
        screenshot("rewards-why");

        // The root is published on-chain; bob claims with his wallet.
        driver.findElement(By.linkText("Rewards")).click();
        waitForPath("/rewards");
        By claim = By.id("claim-" + epoch);
        waitUpTo(EPOCH_CLOSED).withMessage("epoch " + epoch + "'s root was not published").until(d -> {
            open("/rewards");
            return !d.findElements(claim).isEmpty();
        });
        By row = By.id("reward-" + epoch);
        BigDecimal amountAic = new BigDecimal(visible(row).findElements(By.tagName("td")).get(1).getText().trim());
        assertTrue(amountAic.signum() > 0, "a reward to claim");
        screenshot("rewards-claimable");
        BigInteger before = TestWallet.aicBalance(TestWallet.ADDRESSES[BOB]);
        click(claim);
        // The wallet sends the claim (the page says so), then the plaza records it from the confirmed log.
        slow.withMessage(() -> "the panel said: " + text(By.id("rewards-status")))
                .until(d -> text(By.id("rewards-status")).startsWith("Claim sent"));
        screenshot("rewards-claim-sent");
        slow.until(d -> {
            open("/rewards");
            return !d.findElement(row).findElements(By.className("reward-claimed")).isEmpty();
        });
        String claimTx = driver.findElement(row).findElement(By.className("claim-tx")).getAttribute("title");
        assertTrue(claimTx.matches("0x[0-9a-f]{64}"), "the claim's transaction: " + claimTx);
        screenshot("rewards-claimed");
        assertEquals(before.add(amountAic.movePointRight(18).toBigIntegerExact()), TestWallet.aicBalance(TestWallet.ADDRESSES[BOB]),
                "bob received exactly the reward the page showed");

        // The Coin Payroll lists the reward as paid, with the claim's transaction.
        driver.findElement(By.id("nav-earnings")).click();
        waitForPath("/earnings");
        WebElement reward = driver.findElements(By.cssSelector("#earnings-ledger tbody tr")).stream()
                .filter(r -> r.getText().contains("epoch " + epoch)).findFirst().orElseThrow();
        assertContains(reward.getText(), "Proof of Value rewards", "the reward's source");
        assertContains(reward.getText(), "Paid", "the reward is paid");
        assertEquals(claimTx, reward.findElement(By.className("tx")).getAttribute("title"), "paid by the claim");
        screenshot("rewards-earnings");
    }

    private String text(By by) {
        return driver.findElements(by).stream().map(WebElement::getText).findFirst().orElse("");
    }
}
