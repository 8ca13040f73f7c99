package ai.aicrypto.plaza.platform;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings shared across modules.
 *
 * @param dataDir   where the embedded database, blobs and generated keys live (kept between runs)
 * @param demoData  whether to seed demo users and listings on an empty database
 * @param publicUrl the address visitors reach the plaza at (scheme, host, port; no path). Sign-In
 *                  with Ethereum is checked against it and every absolute URL the plaza writes
 *                  starts with it: never with the request's Host header, which the client chooses
 */
@ConfigurationProperties("plaza")
public record PlazaProperties(Path dataDir, boolean demoData, URI publicUrl) {

    public PlazaProperties {
        publicUrl = origin(publicUrl == null ? URI.create("http://localhost:8080") : publicUrl);
    }

    /** The absolute URL of {@code path} (which starts with "/") on this plaza. */
    public String url(String path) {
        return publicUrl + path;
    }

    /** Lower-case scheme and host, and the port only when it is not the scheme's default, as browsers write an origin. */
    private static URI origin(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null || url.getRawUserInfo() != null
                || !(path.isEmpty() || path.equals("/")) || url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("plaza.public-url (PLAZA_PUBLIC_URL) must be the http(s) address visitors reach "
                    + "the plaza at, without a path, such as https://plaza.example.org; got " + url);
        }
        int port = url.getPort() == (scheme.equals("https") ? 443 : 80) ? -1 : url.getPort();
        return URI.create(scheme + "://" + url.getHost().toLowerCase(Locale.ROOT) + (port == -1 ? "" : ":" + port));
    }
}
