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
 * Proof of Value in the browser, from a use to the reward in the wallet, between two members of their own: a creator
 * and a buyer who sign in with wallets no other browser test uses (anvil accounts 3 and 4, whose wallet sign-ins make
 * their accounts), funded with AIC by the deployer as the demo's members are (ops/test's UI_TEST_WALLETS). The
 * deployer is the operator's (PLAZA_REWARDS_OPERATOR_WALLETS), so it links nobody; and as nothing else moves AIC
 * between them, the other tests' uses (alice's and bob's, which their ownership resale links) change nothing here,
 * in any order, and a second run against the same app is the buyer coming back. The creator publishes a paid dataset
 * and opens its license sales, the buyer buys a license with her wallet; the epoch closes on its schedule (a minute
 * long under ops/test), so the creator sees the dataset's score and, on its "why" page, the license counted; the
 * epoch's root is published on-chain, the creator claims the reward on /rewards with the wallet, receives exactly the
 * amount the page showed, and the earnings page lists it paid with the claim's transaction.
 */
class RewardsClaimTest extends PlazaBrowserTest {

    private static final int CREATOR = 3, BUYER = 4;
    /** An epoch (a minute), the closing job's turn and the root's publication, with room for a busy machine. */
    private static final Duration EPOCH_CLOSED = Duration.ofMinutes(4);

    @Test
    void aMemberBuysALicenseOfAnothersDataAndTheCreatorClaimsTheRewardOfThatUse() throws Exception {
        WebDriverWait slow = waitUpTo(Duration.ofSeconds(90));

        String buyer = signInWithWallet(BUYER);
        String creator = signInWithWallet(CREATOR);
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
        // Once the token is minted (after the demo data's, on a freshly started app), the creator opens license sales.
        waitUpTo(Duration.ofMinutes(3)).withMessage("the creator's dataset was not minted").until(d -> {
            openListing(dataset);
            return !d.findElements(By.id("open-sale")).isEmpty() || !d.findElements(By.id("sale-open")).isEmpty();
        });
        if (driver.findElements(By.id("sale-open")).isEmpty()) {
            WebElement openSale = driver.findElement(By.id("open-sale"));
            openSale.click();
            slow.withMessage(() -> "the panel said: " + text(By.id("market-status"))).until(ExpectedConditions.stalenessOf(openSale));
            slow.until(d -> {
                openListing(dataset);
                return !d.findElements(By.id("sale-open")).isEmpty();
            });
        }

        // The buyer buys a license with her wallet: a use of the creator's contribution.
        signInWithWallet(BUYER);
        openListing(dataset);
        click(By.id("buy-license"));
        slow.withMessage(() -> "the panel said: " + text(By.id("market-status")))
                .until(d -> !d.findElements(By.id("licensed")).isEmpty());
        screenshot("rewards-buyer-licensed");

        // The epoch closes on its schedule: the dataset's page shows its standing, which links to its scores.
        signInWithWallet(CREATOR);
        String scores = "/contributions/LISTING/" + listingId;
        waitUpTo(EPOCH_CLOSED).withMessage(() -> "the epoch of the purchase was not closed with a score; its uses: " + uses(scores))
                .until(d -> {
                    open(scores);
                    return !d.findElements(By.id("contribution-scores")).isEmpty();
                });
        openListing(dataset);
        WebElement standing = visible(By.cssSelector("#standing a"));
        assertContains(standing.getText(), "Proof of Value: score 1.0 (rank", "the standing on the listing page");
        screenshot("rewards-dataset-standing");
        standing.click();
        waitForPath(scores);
        assertEquals(title, textOf(By.id("contribution-name")), "the contribution is named by its title");
        screenshot("rewards-contribution-scores");
        WebElement why = visible(By.cssSelector("main ul li a"));
        String epoch = why.getText().replace("Epoch ", "").trim();
        why.click();
        waitForPath(scores + "/epochs/" + epoch);
        assertContains(textOf(By.tagName("h1")), title, "the why page's heading");
        WebElement buyersUse = driver.findElements(By.cssSelector("#why tbody tr")).stream()
                .filter(row -> row.getText().startsWith(buyer)).findFirst().orElseThrow();
        assertContains(buyersUse.getText(), "License bought", "the buyer's use");
        assertContains(buyersUse.getText(), "Counted", "the buyer's license counts: the deployer that funded both links nobody");
        assertEquals("Score: 1.0", textOf(By.id("why-score")), "the epoch's score");
        screenshot("rewards-why");

        // The root is published on-chain; the creator claims with the wallet.
        driver.findElement(By.linkText("Rewards")).click();
        waitForPath("/rewards");
        By claim = By.id("claim-" + epoch);
        waitUpTo(EPOCH_CLOSED).withMessage("epoch " + epoch + "'s root was not published").until(d -> {
            open("/rewards");
            return !d.findElements(claim).isEmpty();
        });
        assertContains(textOf(By.id("scores")), title, "the creator's scores name the dataset");
        By row = By.id("reward-" + epoch);
        BigDecimal amountAic = new BigDecimal(visible(row).findElements(By.tagName("td")).get(1).getText().trim());
        assertTrue(amountAic.signum() > 0, "a reward to claim");
        screenshot("rewards-claimable");
        BigInteger before = TestWallet.aicBalance(TestWallet.ADDRESSES[CREATOR]);
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
        assertEquals(before.add(amountAic.movePointRight(18).toBigIntegerExact()), TestWallet.aicBalance(TestWallet.ADDRESSES[CREATOR]),
                "the creator received exactly the reward the page showed");

        // The Coin Payroll lists the reward as paid, with the claim's transaction.
        driver.findElement(By.id("nav-earnings")).click();
        waitForPath("/earnings");
        WebElement reward = driver.findElements(By.cssSelector("#earnings-ledger tbody tr")).stream()
                .filter(r -> r.getText().contains("epoch " + epoch)).findFirst().orElseThrow();
        assertContains(reward.getText(), "Proof of Value rewards", "the reward's source");
        assertContains(reward.getText(), "Paid", "the reward is paid");
        assertEquals(claimTx, reward.findElement(By.className("tx")).getAttribute("title"), "paid by the claim");
        screenshot("rewards-earnings");

        // The creator's public profile: the dataset among what they published, its score charted over the epochs.
        open("/members/" + creator);
        assertContains(textOf(By.id("member-listings")), title, "the profile lists the dataset");
        assertContains(textOf(By.id("scores")), title, "and its score");
        visible(By.cssSelector("#chart-scores canvas"));
        assertContains(text(By.cssSelector("#chart-scores .u-legend")), title, "the chart's line is the dataset's");
        screenshot("rewards-member-profile");
    }

    /** What the "why" pages of a contribution say, for a failure's message: each use with its rule. */
    private String uses(String scores) {
        open(scores);
        StringBuilder out = new StringBuilder();
        for (String why : driver.findElements(By.cssSelector("main ul li a")).stream().map(a -> a.getAttribute("href")).toList()) {
            driver.get(why);
            out.append(why).append(": ").append(text(By.id("why"))).append("; ");
        }
        return out.toString();
    }

    private String text(By by) {
        return driver.findElements(by).stream().map(WebElement::getText).findFirst().orElse("");
    }
}
