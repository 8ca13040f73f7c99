package ai.aicrypto.plaza.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class PlazaPropertiesTest {

    @Test
    void thePublicUrlIsKeptAsABrowserWritesTheOrigin() {
        assertThat(publicUrl("https://Plaza.Example.org:443/").url("/datasets/1")).isEqualTo("https://plaza.example.org/datasets/1");
        assertThat(publicUrl("http://localhost:8080").publicUrl().getAuthority()).isEqualTo("localhost:8080");
    }

    @Test
    void aPublicUrlWithAPathOrWithoutSchemeStopsTheStart() {
        for (String bad : new String[]{"plaza.example.org", "/relative", "ftp://plaza.example.org", "https://plaza.example.org/app",
                "https://user:pw@plaza.example.org", "https://plaza.example.org/?q=1"}) {
            assertThatThrownBy(() -> publicUrl(bad)).as(bad).hasMessageContaining("PLAZA_PUBLIC_URL");
        }
    }

    private static PlazaProperties publicUrl(String url) {
        return new PlazaProperties(Path.of("data"), false, URI.create(url));
    }
}
