package ai.aicrypto.plaza.search.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class SearchPropertiesTest {

    @Test
    void toStringLeavesOutTheUrlAndItsCredentials() {
        assertThat(new SearchProperties("https://elastic:es-secret@es.example.org:9200", null, null, null, null, null, null, null).toString())
                .doesNotContain("es-secret").contains("elasticsearch=true");
    }

    @Test
    void timeoutsHaveDefaultsAndBounds() {
        var defaults = new SearchProperties("", null, null, null, null, null, null, null);
        assertThat(defaults.esConnectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.esReadTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(defaults.esCooldown()).isEqualTo(Duration.ofSeconds(30));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new SearchProperties("", null, null, Duration.ZERO, null, null, null, null))
                .withMessage("plaza.search.es-read-timeout must be 10ms to PT1M; got PT0S");
        assertThat(defaults.pgExactCountsUpTo()).isEqualTo(1_000);
        assertThat(defaults.pgRankedCandidates()).isEqualTo(500);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new SearchProperties("", null, null, null, null, null, 0, null))
                .withMessage("plaza.search.pg-exact-counts-up-to must be 10 to 1000000; got 0");
    }
}
