package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** Register, sign in, see the profile, sign out, and fail to sign in with a wrong password. */
class AccountFlowTest extends PlazaBrowserTest {

    @Test
    void registerSignInProfileSignOutAndWrongPassword() {
        Account account = registerFreshUser("ui");
        screenshot("account-registered-login");
        assertTrue(visible(By.cssSelector("main .notice")).isDisplayed(), "the login page says the account was created");

        signInAndWaitForHome(account); // asserts that #nav-profile shows the username
        screenshot("account-signed-in-home");

        // The later steps do not depend on the profile page, so a broken profile does not hide them.
        assertAll("account flow",
                () -> {
                    driver.findElement(By.id("nav-profile")).click();
                    waitForPath("/profile.*");
                    screenshot("account-profile");
                    String profile = textOf(By.cssSelector("main"));
                    assertContains(profile, account.username(), "the profile page");
                    assertContains(profile, account.email(), "the profile page");
                    assertEquals(account.displayName(),
                            driver.findElement(By.cssSelector("main input[name=displayName]")).getAttribute("value"),
                            "the display name field holds the registered display name");
                },
                () -> {
                    open("/");
                    driver.findElement(By.xpath("//header//form//button[normalize-space()='Sign out']")).click();
                    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("nav-profile")));
                    waitForPageLoaded();
                    screenshot("account-signed-out");
                    assertTrue(driver.findElements(By.id("nav-profile")).isEmpty(), "signed out: no profile link");
                    assertContains(navbarText(), "Sign in", "the navbar after signing out");
                    open("/datasets/new");
                    waitForPath("/login.*"); // uploading needs an account again
                },
                () -> {
                    open("/login");
                    signIn(account.username(), "not-the-right-password");
                    waitForPath("/login\\?error.*");
                    screenshot("account-wrong-password");
                    assertContains(textOf(By.cssSelector("main .alert")), "Wrong username or password.",
                            "the login error");
                    assertTrue(driver.findElements(By.id("nav-profile")).isEmpty(), "a wrong password does not sign in");
                });
    }
}
