package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * A competition's discussion in the browser: the host previews and posts an announcement (pinned), a member starts a
 * thread whose HTML stays text, the host replies to it, and the list and the competition page's section show the
 * announcement first.
 */
class DiscussionTest extends PlazaBrowserTest {

    @Test
    void hostAnnouncesMemberAsksHostReplies() throws IOException {
        String slug = "ui-talk-" + System.currentTimeMillis();
        Account host = registerAndSignIn("dhost");
        hostCompetition(slug);

        // The section on the competition page is loaded by htmx; it leads to the discussion.
        visible(By.id("discussion-link")).click();
        waitForPath("/competitions/" + slug + "/discussion");
        type(By.cssSelector("#thread-form input[name=title]"), "Welcome: read the rules");
        type(By.cssSelector("#thread-form textarea[name=body]"), "Please read the **rules** before you submit.");
        driver.findElement(By.cssSelector("#thread-form input[name=announcement]")).click();
        driver.findElement(By.cssSelector("#thread-form button[type=button]")).click(); // Preview
        assertEquals("rules", textOf(By.cssSelector("#thread-preview .markdown strong")));
        screenshot("discussion-announcement-preview");
        driver.findElement(By.cssSelector("#thread-form button[type=submit]")).click();
        waitForPath("/competitions/" + slug + "/discussion/\\d+");
        visible(By.id("pinned"));
        assertEquals("Welcome: read the rules", driver.findElement(By.id("thread-title")).getText());

        driver.manage().deleteAllCookies();
        Account member = registerAndSignIn("dmember");
        open("/competitions/" + slug + "/discussion");
        type(By.cssSelector("#thread-form input[name=title]"), "How are ids split?");
        type(By.cssSelector("#thread-form textarea[name=body]"),
                "Is the split random? <script>alert(1)</script> See [the docs](https://example.org).");
        driver.findElement(By.cssSelector("#thread-form button[type=submit]")).click();
        waitForPath("/competitions/" + slug + "/discussion/\\d+");
        String question = currentPath();
        WebElement opening = visible(By.cssSelector("#posts .post .markdown"));
        assertContains(opening.getText(), "<script>alert(1)</script>", "the HTML is shown as text");
        assertEquals("nofollow ugc noopener", opening.findElement(By.linkText("the docs")).getDomAttribute("rel"));
        assertTrue(driver.findElements(By.id("pin-form")).isEmpty(), "a member cannot pin");
        screenshot("discussion-member-thread");

        driver.manage().deleteAllCookies();
        signIn(host.username(), host.password());
        waitForPath("/(\\?.*)?");
        open(question);
        clickAndWaitForReload(By.cssSelector("#posts .post a[href*='replyTo=']")); // reply to the question
        assertContains(textOf(By.cssSelector("#reply-form")), "in reply to " + member.username(), "the form says whom");
        type(By.cssSelector("#reply-form textarea[name=body]"), "Yes: a seeded random 30/70 split.");
        driver.findElement(By.cssSelector("#reply-form button[type=submit]")).click();
        waitForPath("/competitions/" + slug + "/discussion/\\d+#post-\\d+");
        List<WebElement> posts = driver.findElements(By.cssSelector("#posts .post"));
        assertEquals(2, posts.size());
        assertContains(posts.get(1).getText(), "in reply to " + member.username(), "the reply names the post it answers");
        assertContains(posts.get(1).getText(), "Yes: a seeded random 30/70 split.", "the reply");
        screenshot("discussion-host-reply");

        open("/competitions/" + slug + "/discussion");
        List<WebElement> rows = driver.findElements(By.cssSelector("#threads tbody tr"));
        assertEquals(2, rows.size());
        assertContains(rows.get(0).getText(), "Welcome: read the rules", "the announcement first");
        assertContains(rows.get(0).getText(), "Announcement", "the announcement's badge");
        assertContains(rows.get(1).getText(), "How are ids split?", "then the question");
        screenshot("discussion-list");

        open("/competitions/" + slug);
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#discussion #threads tbody tr"), 2));
        screenshot("competition-discussion-section");
    }

    /** A running accuracy competition of the signed-in member, from its hosting form; waits for its page. */
    private void hostCompetition(String slug) throws IOException {
        Path solution = tempFile("plaza-talk-solution-", ".csv");
        Files.writeString(solution, "id,label\na,cat\nb,dog\nc,cat\nd,dog\n");
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
        open("/competitions/new");
        type(By.id("title"), "UI talk " + slug);
        type(By.id("slug"), slug);
        new Select(driver.findElement(By.id("metric"))).selectByValue("ACCURACY");
        setValue(By.id("startsAt"), now.minusHours(1));
        setValue(By.id("endsAt"), now.plusDays(7));
        driver.findElement(By.id("solution")).sendKeys(solution.toAbsolutePath().toString());
        driver.findElement(By.id("host-submit")).click();
        waitForPath("/competitions/" + slug);
    }
}
