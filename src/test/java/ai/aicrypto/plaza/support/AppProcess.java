package ai.aicrypto.plaza.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.PlazaApplication;

/**
 * The app in a JVM of its own, on the test's class path, configured as {@code ops/run} configures it (its embedded
 * PostgreSQL in its data directory, the chain's deployment, the minter and escrow operator keys, 2 confirmations),
 * for the tests that kill it with SIGKILL and start it again.
 */
public final class AppProcess implements AutoCloseable {

    private static final Duration READY_WITHIN = Duration.ofMinutes(3);

    private final Process process;
    private final Path log;
    private final int port;

    private AppProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts the app; {@code arguments} are Spring Boot command-line properties ({@code --name=value}). */
    public static AppProcess start(Path dataDir, Path deployment, String rpcUrl, int dbPort, String... arguments) throws IOException {
        return start(dataDir, deployment, rpcUrl, Map.of("PLAZA_EMBEDDED_DB_PORT", String.valueOf(dbPort)), arguments);
    }

    /**
     * A second instance beside the app of {@code firstDataDir}, whose embedded PostgreSQL listens on {@code dbPort}:
     * that server is its database; its data directory is its own ({@code second} inside the first's) and its master
     * key the first one's, as the instances of a cluster are set up.
     */
    public static AppProcess startBeside(Path firstDataDir, Path deployment, String rpcUrl, int dbPort, String... arguments)
            throws IOException {
        Path dataDir = Files.createDirectories(firstDataDir.resolve("second"));
        String masterKey = Files.readString(firstDataDir.resolve("master.key")).trim();
        return start(dataDir, deployment, rpcUrl, Map.of("PLAZA_DB_URL", "jdbc:postgresql://localhost:" + dbPort + "/postgres",
                "PLAZA_DB_USER", "postgres", "PLAZA_MASTER_KEY", masterKey), arguments);
    }

    private static AppProcess start(Path dataDir, Path deployment, String rpcUrl, Map<String, String> database, String... arguments)
            throws IOException {
        int port = freePort();
        Path log = Files.createTempFile(dataDir, "app-", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // C1 only: a quicker start, so that more of a test's time goes to killing the app while it works.
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), PlazaApplication.class.getName()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        var env = builder.environment();
        env.put("PORT", String.valueOf(port));
        env.put("PLAZA_DATA_DIR", dataDir.toString());
        env.putAll(database);
        env.put("PLAZA_DEMO_DATA", "false");
        env.put("PLAZA_SEARCH_ES_URL", "");
        env.put("PLAZA_CHAIN_RPC_URL", rpcUrl);
        env.put("PLAZA_CHAIN_DEPLOYMENT", deployment.toString());
        env.put("PLAZA_CHAIN_OPERATOR_KEY", TestChain.KEYS.get(0));
        env.put("PLAZA_CHAIN_ESCROW_OPERATOR_KEY", TestChain.KEYS.get(TestChain.ESCROW_OPERATOR));
        env.put("PLAZA_CHAIN_CONFIRMATIONS", "2");
        return new AppProcess(builder.start(), log, port);
    }

    public void awaitReady() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health")).build();
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the app exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                if (http.send(health, HttpResponse.BodyHandlers.ofString()).body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the app was not ready within " + READY_WITHIN + ":\n" + log());
    }

    /** SIGKILL: no shutdown hook runs, the embedded PostgreSQL server is left behind. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Where the app listens, on loopback. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** A graceful stop (SIGTERM), which also stops the database server. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }

    /** A connection to the app's embedded PostgreSQL server. */
    public static Connection connect(int dbPort) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + dbPort + "/postgres", "postgres", "");
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
