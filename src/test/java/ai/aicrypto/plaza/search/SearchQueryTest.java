package ai.aicrypto.plaza.search;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Anyone may search: the text is cut to what the backends are asked to match (review M6). */
class SearchQueryTest {

    @Test
    void theTextIsCutToItsFirstWordsAndCharacters() {
        assertThat(SearchQuery.text("one two three four five six seven eight nine ten eleven twelve").text())
                .isEqualTo("one two three four five six seven eight nine ten");
        assertThat(SearchQuery.text("x".repeat(5_000)).text()).hasSize(SearchQuery.MAX_TEXT_LENGTH);
        assertThat(SearchQuery.text("  fashion   mnist ").text()).isEqualTo("fashion   mnist");
    }
}
