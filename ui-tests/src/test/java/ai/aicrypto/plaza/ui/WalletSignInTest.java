package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** Sign-In with Ethereum with the {@link TestWallet} (anvil's dev account 1, linked to no one). */
class WalletSignInTest extends PlazaBrowserTest {

    @Test
    void signsInWithAWalletAndGetsAnAccount() {
        TestWallet.install(driver, 1);
        open("/login");
        screenshot("wallet-login");
        driver.findElement(By.id("wallet-sign-in")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav-profile")));
        String username = driver.findElement(By.id("nav-profile")).getText();
        assertTrue(username.startsWith("eth-"), "a wallet account was created and signed in: " + username);

        open("/profile");
        String profile = textOf(By.id("wallets"));
        screenshot("wallet-profile");
        assertTrue(profile.matches("(?s).*0x[0-9a-f]{40}.*"), "the profile lists the linked wallet: " + profile);
    }
}
