package ai.aicrypto.plaza.serving;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Serving across app instances: a call that lands on an instance no serving worker polls is forwarded to one that a
 * worker polls, signed with a secret every instance shares.
 *
 * @param url       how the other instances reach this one (scheme, host, port); empty: this host's address and the
 *                  port the app listens on
 * @param secret    the key of the forwarded calls' signatures (HMAC-SHA256), the same on every instance, at least 32
 *                  characters; empty: this instance neither forwards calls nor takes forwarded ones (a single instance)
 * @param heartbeat how often an instance records the workers that poll it and reads the others'; a route not seen for
 *                  three heartbeats is ignored (its instance died)
 */
@ConfigurationProperties("plaza.serving.instances")
public record ServingInstancesProperties(String url, String secret, Duration heartbeat) {

    public ServingInstancesProperties {
        url = url == null || url.isBlank() ? null : url.strip().replaceAll("/+$", "");
        secret = secret == null || secret.isBlank() ? null : secret.strip();
        heartbeat = heartbeat == null ? Duration.ofSeconds(2) : heartbeat;
        if (secret != null && secret.length() < 32) {
            throw new IllegalArgumentException("plaza.serving.instances.secret (PLAZA_INSTANCE_SECRET) must have at least 32 characters");
        }
        if (url != null && !url.matches("https?://[^/?#\\s]+(/[^?#\\s]*)?")) {
            throw new IllegalArgumentException("plaza.serving.instances.url (PLAZA_INSTANCE_URL) must be an http(s) URL without query");
        }
        if (heartbeat.compareTo(Duration.ofMillis(100)) < 0 || heartbeat.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("plaza.serving.instances.heartbeat must be 100 ms to 1 minute");
        }
    }

    /** Whether calls are forwarded between instances. */
    public boolean enabled() {
        return secret != null;
    }

    @Override
    public String toString() {
        return "ServingInstancesProperties[url=" + url + ", secret=" + (secret == null ? "none" : "configured")
                + ", heartbeat=" + heartbeat + "]";
    }
}
