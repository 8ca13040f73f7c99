package ai.aicrypto.plaza.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Review L4: an anonymous visitor's pages, refusals, wallet nonces and failed sign-ins store no session (each was a
 * row in PostgreSQL, for anyone who asked); the page that sent them to sign in is kept in a cookie, and signing in
 * goes back to it. Over a real connection with a browser's cookie jar, in a context of its own: MockMvc's
 * {@code csrf()} in other tests swaps the shared security filter's cookie token store for a session one.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.BEFORE_CLASS)
class AnonymousVisitorsTest extends IntegrationTest {

    private static final Pattern META_TOKEN = Pattern.compile("<meta name=\"_csrf\" content=\"([^\"]+)\"");

    @LocalServerPort
    int port;
    @Autowired
    TestUsers users;

    private final HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @Test
    void anonymousVisitorsGetNoSessionAndSignInReturnsToThePageTheyAskedFor() throws Exception {
        AccountPrincipal member = users.member();
        long sessions = count("spring_session");

        HttpResponse<String> home = get("/", false);
        HttpResponse<String> login = get("/login", false);
        HttpResponse<String> nonce = get("/siwe/nonce", false);
        HttpResponse<String> asked = get("/profile?tab=tokens", false);
        HttpResponse<String> fragment = get("/profile", true);
        HttpResponse<String> failed = signIn(member.getUsername(), "not-the-password", token(login.body()));

        for (HttpResponse<String> response : List.of(home, login, nonce, asked, fragment, failed)) {
            assertThat(setCookies(response)).as(response.uri().toString()).noneMatch(c -> c.startsWith("SESSION="));
        }
        assertThat(count("spring_session")).as("(expired ones may go meanwhile)").isLessThanOrEqualTo(sessions);
        assertThat(setCookies(nonce)).anyMatch(c -> c.startsWith("plaza-siwe-nonce="));
        assertThat(asked.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
        assertThat(setCookies(asked)).as("the page to return to").anyMatch(c -> c.startsWith("REDIRECT_URI="));
        assertThat(setCookies(fragment)).as("an HTMX fragment is no page to return to").noneMatch(c -> c.startsWith("REDIRECT_URI="));
        assertThat(failed.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login?error"));
        assertThat(get("/login?error", false).body()).contains("Wrong username or password.");

        HttpResponse<String> signedIn = signIn(member.getUsername(), "a-long-password", token(get("/login", false).body()));
        assertThat(signedIn.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/profile?tab=tokens"));
        assertThat(setCookies(signedIn)).anyMatch(c -> c.startsWith("SESSION="));
        HttpResponse<String> profile = get("/profile?tab=tokens", false);
        assertThat(profile.statusCode()).isEqualTo(200);
        assertThat(profile.body()).contains(member.getUsername() + "@example.org");
    }

    private HttpResponse<String> get(String path, boolean htmx) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET();
        if (htmx) {
            request.header("HX-Request", "true");
        }
        return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> signIn(String username, String password, String token) throws Exception {
        String form = "username=" + URLEncoder.encode(username, StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8)
                + "&_csrf=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        return browser.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> setCookies(HttpResponse<?> response) {
        return response.headers().allValues("Set-Cookie");
    }

    private static String token(String page) {
        Matcher m = META_TOKEN.matcher(page);
        assertThat(m.find()).as("a CSRF token on the page").isTrue();
        return m.group(1);
    }
}
