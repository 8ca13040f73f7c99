package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Shared set-up of the browser tests: a fresh headless chromium per test (own profile directory,
 * English UI), the base URL of the running app, numbered screenshots and the account steps every
 * test needs. The app must already be running; these tests never start it.
 */
abstract class PlazaBrowserTest {

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    static final String PASSWORD = "correct-horse-battery";
    /** The seeded demo members' password (ops/run's demo data). */
    static final String DEMO_PASSWORD = "plaza-demo-pass";
    static final Path SCREENSHOTS = Paths.get("target", "screenshots");

    private static final AtomicInteger SHOT = new AtomicInteger();
    private static boolean screenshotsCleared;

    protected ChromeDriver driver;
    protected WebDriverWait wait;
    private Path profileDir;
    private final List<Path> tempFiles = new ArrayList<>();
    /** The injected wallet's script in this browser, replaced when a test switches accounts. */
    private String walletScript;

    /** PLAZA_BASE_URL as a system property, else as an environment variable, else localhost:8080; no trailing slash. */
    static String baseUrl() {
        String url = System.getProperty("PLAZA_BASE_URL");
        if (url == null || url.isBlank()) {
            url = System.getenv("PLAZA_BASE_URL");
        }
        if (url == null || url.isBlank()) {
            url = "http://localhost:8080";
        }
        return url.replaceAll("/+$", "");
    }

    @BeforeEach
    void startBrowser() throws IOException {
        // The driver is given explicitly, so Selenium Manager has nothing to look up or download.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        profileDir = Files.createTempDirectory("plaza-ui-chromium-");

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1280,1000", "--lang=en-US",
                "--user-data-dir=" + profileDir.toAbsolutePath());
        options.setExperimentalOption("prefs", Map.of("intl.accept_languages", "en-US,en"));

        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        wait = new WebDriverWait(driver, Duration.ofSeconds(15));
        // HTMX and SSE swap parts of the page while a wait reads them: try again on the new element.
        wait.ignoring(StaleElementReferenceException.class);
    }

    @AfterEach
    void stopBrowser() throws IOException {
        try {
            if (driver != null) {
                driver.quit();
            }
        } finally {
            deleteRecursively(profileDir);
            for (Path file : tempFiles) {
                Files.deleteIfExists(file);
            }
            tempFiles.clear();
        }
    }

    /** A temporary file for what the test uploads; deleted after the test. */
    protected Path tempFile(String prefix, String suffix) throws IOException {
        Path file = Files.createTempFile(prefix, suffix);
        tempFiles.add(file);
        return file;
    }

    // ---- navigation and waiting ------------------------------------------------------------

    protected void open(String path) {
        driver.get(baseUrl() + path);
        waitForPageLoaded();
    }

    /**
     * Opens a listing's page and waits until it has fetched its license and ownership panels (htmx, once loaded): a
     * check right after {@link #open} finds their empty slots on a busy machine, and a loop that opens the page again
     * to see a change would never see them.
     */
    protected void openListing(String path) {
        open(path);
        waitUpTo(Duration.ofSeconds(30)).withMessage(() -> path + "'s panels were not fetched")
                .until(d -> d.findElements(By.cssSelector("div.license-panel, div.ownership-panel")).isEmpty());
    }

    protected void waitForPageLoaded() {
        wait.until(d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
    }

    /** The path (and query) of the current page, relative to the base URL. */
    protected String currentPath() {
        String url = driver.getCurrentUrl();
        return url.startsWith(baseUrl()) ? url.substring(baseUrl().length()) : url;
    }

    protected void waitForPath(String regex) {
        waitForPath(regex, Duration.ofSeconds(15));
    }

    /** As {@link #waitForPath(String)}, for a request that takes long on a busy machine. */
    protected void waitForPath(String regex, Duration timeout) {
        // A wait of its own: withMessage would stay on the shared one and mislabel later timeouts.
        new WebDriverWait(driver, timeout)
                .withMessage(() -> "expected a page matching " + regex + " but was on " + currentPath() + ", which said: "
                        + driver.findElements(By.cssSelector(".alert, .field-error")).stream().map(WebElement::getText)
                        .filter(t -> !t.isBlank()).toList())
                .until(d -> currentPath().matches(regex));
        waitForPageLoaded();
    }

    /**
     * Submits a form that redirects back to the page it is on: the path cannot tell the old page from the new one,
     * so this waits for the clicked element to go with the old page.
     */
    protected void clickAndWaitForReload(By button) {
        WebElement clicked = click(button);
        wait.until(ExpectedConditions.stalenessOf(clicked));
        waitForPageLoaded();
    }

    /** Clicks an element of a live page, which may swap it in again (its catch-up event) just before: found anew then. */
    protected WebElement click(By element) {
        return waitUpTo(Duration.ofSeconds(15)).until(d -> {
            WebElement found = d.findElement(element);
            found.click();
            return found;
        });
    }

    /** The newest submission's row on a submissions page: its text and public score. */
    protected record SubmissionRow(String text, double publicScore) {}

    /** Reads the newest submission's row in one go, again if the live list was swapped in while it was read. */
    protected SubmissionRow newestSubmission() {
        return waitUpTo(Duration.ofSeconds(15)).until(d -> {
            WebElement row = d.findElement(By.cssSelector("#submissions tr[id^=submission-]"));
            return new SubmissionRow(row.getText(), Double.parseDouble(row.findElement(By.cssSelector("td.num")).getText().strip()));
        });
    }

    /** A wait longer than the usual 15 s, as forgiving of swapped elements. */
    protected WebDriverWait waitUpTo(Duration timeout) {
        WebDriverWait longer = new WebDriverWait(driver, timeout);
        longer.ignoring(StaleElementReferenceException.class);
        return longer;
    }

    protected WebElement visible(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /**
     * The text of the element once it is visible, read in the same wait: a live page (HTMX, SSE) may swap the element
     * between finding it and reading it, and then it is found again.
     */
    protected String textOf(By by) {
        return wait.until(d -> {
            WebElement element = d.findElement(by);
            return element.isDisplayed() ? element.getText() : null;
        });
    }

    protected void type(By by, String text) {
        WebElement input = visible(by);
        input.clear();
        input.sendKeys(text);
    }

    /** Publishes a free CSV dataset through the upload form, as a member would, and waits for its page. */
    protected void uploadFreeCsv(String title, Path csv, String labelColumn) {
        open("/datasets/new");
        type(By.name("listing.title"), title);
        type(By.name("listing.priceAic"), "0");
        type(By.name("labelColumn"), labelColumn);
        driver.findElement(By.id("file")).sendKeys(csv.toAbsolutePath().toString());
        driver.findElement(By.id("upload-submit")).click();
        waitForPath("/datasets/\\d+");
    }

    /** Sets a datetime-local input, whose typing rules differ between browsers and locales. */
    protected void setValue(By by, LocalDateTime time) {
        ((JavascriptExecutor) driver).executeScript("arguments[0].value = arguments[1]", driver.findElement(by),
                time.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm")));
    }

    protected String navbarText() {
        return driver.findElement(By.cssSelector("header.navbar")).getText();
    }

    // ---- accounts ----------------------------------------------------------------------------

    record Account(String username, String email, String displayName, String password) {
    }

    /** A username no earlier run has used: the tests share the app's database. */
    protected static Account freshAccount(String prefix) {
        String username = prefix + System.currentTimeMillis() + (int) (Math.random() * 1000);
        return new Account(username, username + "@example.org", "UI test " + username, PASSWORD);
    }

    protected Account registerFreshUser(String prefix) {
        Account account = freshAccount(prefix);
        open("/register");
        type(By.id("username"), account.username());
        type(By.id("email"), account.email());
        type(By.id("displayName"), account.displayName());
        type(By.id("password"), account.password());
        screenshot("register-filled");
        driver.findElement(By.cssSelector("main form button[type=submit]")).click();
        waitForPath("/login\\?registered.*");
        return account;
    }

    protected void signIn(String username, String password) {
        if (!currentPath().startsWith("/login")) {
            open("/login");
        }
        type(By.id("username"), username);
        type(By.id("password"), password);
        driver.findElement(By.cssSelector("main form button[type=submit]")).click();
    }

    /** Injects a dev-chain account as the browser's wallet, in place of the one injected before. */
    protected void useWallet(int account) {
        if (walletScript != null) {
            TestWallet.remove(driver, walletScript);
        }
        walletScript = TestWallet.install(driver, account);
    }

    /** Signs whoever was signed in out, and a seeded demo member in with their dev-chain wallet injected. */
    protected void signInAsDemoMember(String username, int walletAccount) {
        if (driver.getCurrentUrl().startsWith(baseUrl())) {
            driver.manage().deleteAllCookies();
        }
        useWallet(walletAccount);
        signIn(username, DEMO_PASSWORD);
        waitForPath("/(\\?.*)?");
    }

    /**
     * Signs whoever was signed in out, and the wallet of a dev-chain account in with Sign-In with Ethereum (its first
     * sign-in makes its wallet-only account); returns the account's username.
     */
    protected String signInWithWallet(int walletAccount) {
        if (driver.getCurrentUrl().startsWith(baseUrl())) {
            driver.manage().deleteAllCookies();
        }
        useWallet(walletAccount);
        open("/login");
        driver.findElement(By.id("wallet-sign-in")).click();
        return textOf(By.id("nav-profile")).trim();
    }

    protected void signInAndWaitForHome(Account account) {
        signIn(account.username(), account.password());
        waitForPath("/(\\?.*)?");
        assertEquals(account.username(), textOf(By.id("nav-profile")).trim(),
                "the navbar shows the signed-in user");
    }

    protected Account registerAndSignIn(String prefix) {
        Account account = registerFreshUser(prefix);
        signInAndWaitForHome(account);
        return account;
    }

    // ---- screenshots -------------------------------------------------------------------------

    /** Saves target/screenshots/NN-name.png: the whole page, or the window if that fails. */
    protected void screenshot(String name) {
        try {
            synchronized (PlazaBrowserTest.class) {
                if (!screenshotsCleared) {
                    deleteRecursively(SCREENSHOTS);
                    screenshotsCleared = true;
                }
            }
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(String.format("%02d-%s.png", SHOT.incrementAndGet(), name));
            Files.write(file, capture());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] capture() {
        try {
            // The window, extended down to the end of the page when the page is longer.
            Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
            @SuppressWarnings("unchecked")
            Map<String, Object> content = (Map<String, Object>) metrics.get("cssContentSize");
            Number innerWidth = (Number) driver.executeScript("return window.innerWidth");
            Number innerHeight = (Number) driver.executeScript("return window.innerHeight");
            double width = Math.max(innerWidth.doubleValue(), ((Number) content.get("width")).doubleValue());
            double height = Math.max(innerHeight.doubleValue(), ((Number) content.get("height")).doubleValue());
            Map<String, Object> clip = Map.of("x", 0, "y", 0, "width", width, "height", Math.min(height, 16000), "scale", 1);
            Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot",
                    Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
            return Base64.getDecoder().decode((String) shot.get("data"));
        } catch (RuntimeException e) {
            return driver.getScreenshotAs(OutputType.BYTES);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    protected static void assertContains(String haystack, String needle, String what) {
        assertTrue(haystack != null && haystack.contains(needle),
                () -> what + ": expected to contain \u201C" + needle + "\u201D but was \u201C" + haystack + "\u201D");
    }

    protected List<String> cardTitles() {
        return driver.findElements(By.cssSelector(".listing-card .card-title")).stream()
                .map(e -> e.getText().trim()).toList();
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
