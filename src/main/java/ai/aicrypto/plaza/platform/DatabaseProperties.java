package ai.aicrypto.plaza.platform;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Database selection: an external PostgreSQL when {@code url} is set, otherwise an embedded server.
 *
 * @param embeddedPort port of the embedded server; 0 picks a free one
 */
@ConfigurationProperties("plaza.db")
public record DatabaseProperties(String url, String username, String password, int embeddedPort) {

    boolean external() {
        return url != null && !url.isBlank();
    }
}
