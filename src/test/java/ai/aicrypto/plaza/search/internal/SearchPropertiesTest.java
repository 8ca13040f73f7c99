package ai.aicrypto.plaza.search.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SearchPropertiesTest {

    @Test
    void toStringLeavesOutTheUrlAndItsCredentials() {
        assertThat(new SearchProperties("https://elastic:es-secret@es.example.org:9200", null).toString())
                .doesNotContain("es-secret").contains("elasticsearch=true");
    }
}
