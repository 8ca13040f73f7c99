package ai.aicrypto.plaza.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import ai.aicrypto.plaza.dataset.internal.DatasetImport;
import ai.aicrypto.plaza.dataset.internal.TestImports;
import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import jakarta.servlet.ServletContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Review M7 over a real connection to the real container: multipart requests nobody should send are answered
 * before their body is read, so no part is spooled to disk (the container's temporary directory and the app's
 * work directory are counted before and after).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MultipartSpoolingTest extends IntegrationTest {

    private static final String BOUNDARY = "----plaza-test-boundary";
    private static final Pattern META_TOKEN = Pattern.compile("<meta name=\"_csrf\" content=\"([^\"]+)\"");

    @LocalServerPort
    int port;
    @Autowired
    ServletContext servletContext;
    @Autowired
    TestUsers users;
    @Autowired
    TestImports imports;

    @Test
    void anonymous100MbUploadIsRefusedUnreadAndSpoolsNothing() throws Exception {
        long before = spooledFiles();
        String status = post("/datasets/new", Map.of(), 100L << 20, null);
        assertThat(status).startsWith("HTTP/1.1 302");
        assertThat(spooledFiles()).isEqualTo(before);
    }

    @Test
    void signedInUploadWithoutTokenOrWithAWrongOneSpoolsNothing() throws Exception {
        Session session = signIn();
        long before = spooledFiles();
        assertThat(post("/datasets/new", session.cookies(), 20L << 20, null)).startsWith("HTTP/1.1 403");
        assertThat(post("/datasets/new", Map.of("Cookie", session.cookie(), "X-XSRF-TOKEN", "not-the-token"), 20L << 20,
                null)).startsWith("HTTP/1.1 403");
        assertThat(post("/datasets/new?_csrf=not-the-token", session.cookies(), 20L << 20, null))
                .startsWith("HTTP/1.1 403");
        // a member's multipart request to a route that takes no files, over the small limit
        assertThat(post("/profile", Map.of("Cookie", session.cookie(), "X-XSRF-TOKEN", session.token()), 20L << 20,
                null)).startsWith("HTTP/1.1 413");
        assertThat(spooledFiles()).isEqualTo(before);
    }

    @Test
    void formPostedWithoutScriptCarriesItsTokenInTheActionAndIsStored() throws Exception {
        Session session = signIn();
        String page = session.get("/datasets/new");
        Matcher action = Pattern.compile("action=\"(/datasets/new\\?_csrf=[^\"]+)\"").matcher(page);
        assertThat(action.find()).as("the form's action carries the token").isTrue();
        String csv = "a,b,y\n1,2,x\n3,4,z\n5,6,x\n";
        String title = "No script " + System.nanoTime();
        String body = field("listing.title", title) + field("listing.description", "d")
                + field("listing.tags", "t") + field("listing.license", "CC-BY-4.0") + field("listing.priceAic", "0")
                + field("labelColumn", "y")
                + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d.csv\"\r\n"
                + "Content-Type: text/csv\r\n\r\n" + csv + "\r\n--" + BOUNDARY + "--\r\n";
        String status = post(action.group(1).replace("&amp;", "&"), session.cookies(), -1, body);
        assertThat(status).startsWith("HTTP/1.1 302");
        // stored: its import's files leave the work directory the other tests count
        assertThat(imports.awaitEnd(title).status()).isEqualTo(DatasetImport.Status.READY);
    }

    private static String field(String name, String value) {
        return "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    }

    /**
     * Sends a multipart POST over a plain socket and returns the answer's status line. With {@code body}, the whole
     * body; otherwise the request announces a file part of {@code announced} bytes but sends only its first 64 KiB:
     * an answer can then only come from a server that decided without reading, or parsing, the body (one that
     * parsed it would wait for the rest, and the read below time out).
     */
    private String post(String path, Map<String, String> headers, long announced, String body) throws Exception {
        byte[] head = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
                + "Content-Type: text/csv\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] whole = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
        long length = whole != null ? whole.length : head.length + announced + tail.length;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: localhost:" + port + "\r\n"
                    + "Content-Type: multipart/form-data; boundary=" + BOUNDARY + "\r\nContent-Length: " + length + "\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            if (whole != null) {
                out.write(whole);
            } else {
                out.write(head);
                out.write(new byte[64 * 1024]);
            }
            out.flush();
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            return in.readLine();
        }
    }

    /** Files in the container's temporary directory (where it spools parts) and the app's work directory. */
    private long spooledFiles() {
        Path containerTemp = ((java.io.File) servletContext.getAttribute(ServletContext.TEMPDIR)).toPath();
        return count(containerTemp) + count(dataDir().resolve("work"));
    }

    private static long count(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Session signIn() throws Exception {
        AccountPrincipal member = users.member();
        Session session = new Session(HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build());
        String token = token(session.get("/login"));
        String form = Map.of("username", member.getUsername(), "password", "a-long-password", "_csrf", token)
                .entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> signedIn = session.client.send(HttpRequest.newBuilder(session.uri("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(signedIn.headers().firstValue("Location").orElse("")).doesNotContain("error");
        session.tokenValue = token(session.get("/datasets/new"));
        return session;
    }

    private static String token(String page) {
        Matcher m = META_TOKEN.matcher(page);
        assertThat(m.find()).as("a CSRF token on the page").isTrue();
        return m.group(1);
    }

    private final class Session {

        final HttpClient client;
        String tokenValue;

        Session(HttpClient client) {
            this.client = client;
        }

        URI uri(String path) {
            return URI.create("http://localhost:" + port + path);
        }

        String get(String path) throws Exception {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri(path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            return response.body();
        }

        String token() {
            return tokenValue;
        }

        String cookie() {
            CookieManager cookies = (CookieManager) client.cookieHandler().orElseThrow();
            return cookies.getCookieStore().getCookies().stream().map(HttpCookie::toString)
                    .collect(Collectors.joining("; "));
        }

        Map<String, String> cookies() {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Cookie", cookie());
            return headers;
        }
    }
}
