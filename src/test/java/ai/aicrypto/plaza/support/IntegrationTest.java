package ai.aicrypto.plaza.support;

import static org.awaitility.Awaitility.await;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.platform.PlazaProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.MockMvcPrint;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.json.JsonMapper;

/**
 * Base of the tests that need the whole app: one Spring context per distinct configuration, and
 * with it one real embedded PostgreSQL server and blob store in a fresh temporary data directory.
 */
@SpringBootTest
// Not printed: the printer reads an event stream's headers while the stream's thread writes them (a rare
// ConcurrentModificationException), and a failed assertion already shows the answer it looked at.
@AutoConfigureMockMvc(print = MockMvcPrint.NONE)
public abstract class IntegrationTest {

    @Autowired
    protected MockMvc mvc;

    @Autowired
    protected JdbcClient jdbc;

    @Autowired
    private PlazaProperties plaza;

    @Autowired
    private JsonMapper jsonMapper;

    /** Called once for each context that is built, so each gets a data directory of its own. */
    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        Path dir = createDataDir();
        registry.add("plaza.data-dir", dir::toString);
        registry.add("plaza.demo-data", () -> "false");
        registry.add("plaza.public-url", () -> "http://localhost"); // what MockMvc requests are addressed to
        registry.add("plaza.db.durable", () -> "false"); // a throw-away database need not reach the disk
        // Jobs are audited only where a test asks for it, by drawing 0 for the job (training_jobs.audit_draw):
        // any other draw is above this share times the epochs.
        registry.add("plaza.compute.verification.audit-compute-share", () -> "1e-9");
    }

    /**
     * A signed-in member's JSON POST, the shape of the wallet payment steps; fails (showing the answer) unless the
     * status is {@code expectedStatus}, and returns the answer's JSON object.
     */
    protected Map<?, ?> postJson(String path, AccountPrincipal who, Map<String, String> body, int expectedStatus)
            throws Exception {
        MockHttpServletResponse response = mvc.perform(post(path).with(user(who)).with(csrf())
                .contentType(MediaType.APPLICATION_JSON).content(jsonMapper.writeValueAsString(body))).andReturn().getResponse();
        String answer = response.getContentAsString(StandardCharsets.UTF_8);
        assertThat(response.getStatus()).as(answer).isEqualTo(expectedStatus);
        return jsonMapper.readValue(answer, Map.class);
    }

    /**
     * Events reach an SSE stream from the live-updates thread once PostgreSQL delivers the NOTIFY, and a sender thread
     * writes them; wait for that delivery (bounded, as LiveUpdatesTest does), then check what arrived.
     */
    protected static void awaitStreamContaining(MockHttpServletResponse stream, String expected) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!stream.getContentAsString().contains(expected) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(stream.getContentAsString()).contains(expected);
    }

    protected Path dataDir() {
        return plaza.dataDir();
    }

    /** The keys of blobs stored ahead of the row that will name them (storage's PendingBlobs). */
    protected Set<String> pendingBlobKeys() {
        return new HashSet<>(jdbc.sql("SELECT blob_key FROM pending_blobs").query(String.class).list());
    }

    /** Makes these pending blobs look left by an instance that died: untouched for an hour. */
    protected void abandon(Collection<String> pendingKeys) {
        jdbc.sql("UPDATE pending_blobs SET touched_at = now() - interval '1 hour' WHERE blob_key = ANY(?)")
                .param(pendingKeys.toArray(String[]::new)).update();
    }

    /**
     * Waits until the plaza has the listing's token as minted: its mint sent, and its Transfer log confirmed (the
     * blocks the confirmations wait for are mined here, automining anvil mines none by itself).
     */
    protected void awaitConfirmedMint(TestChain chain, long listing) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            chain.mine(1);
            return jdbc.sql("SELECT EXISTS (SELECT 1 FROM asset_tokens WHERE listing_id = ? AND mint_confirmed)").param(listing)
                    .query(Boolean.class).single();
        });
    }

    protected long count(String table) {
        return jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single();
    }

    /** Blob files in the store, temporary ones included: what an orphan would add to. */
    protected long blobFiles() {
        Path root = dataDir().resolve("blobs");
        if (!Files.exists(root)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The member's Coin Payroll export ({@code /earnings.csv}), one line per row: the tests of each source of earnings
     * read it after the source's confirmed log.
     */
    protected List<String> earningsCsv(AccountPrincipal member) throws Exception {
        var started = mvc.perform(get("/earnings.csv").with(user(member))).andReturn();
        return mvc.perform(asyncDispatch(started)).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8).lines().toList();
    }

    private static Path createDataDir() {
        try {
            Path dir = Files.createTempDirectory("plaza-test-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteOnceStopped(dir), "delete " + dir));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Each context's directory holds a database and blobs (about 150 MB): left behind, a few CI runs
     * fill the disk. Spring closes the cached contexts in its own shutdown hook, beside this one, so wait
     * for the embedded server to remove its pid file (pg_ctl needs the directory to stop it), then delete.
     */
    private static void deleteOnceStopped(Path dir) {
        Path pidFile = dir.resolve("postgres").resolve("postmaster.pid");
        long deadline = System.nanoTime() + 60_000_000_000L;
        try {
            while (Files.exists(pidFile) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            if (Files.exists(pidFile)) {
                return; // still running: leave it rather than pull the directory from under a live server
            }
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        } catch (IOException | InterruptedException | UncheckedIOException e) {
            // best effort at JVM exit: a directory left in /tmp is no test failure
        }
    }
}
