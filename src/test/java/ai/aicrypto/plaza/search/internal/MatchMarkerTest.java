package ai.aicrypto.plaza.search.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MatchMarkerTest {

    private static String html(String marked) {
        return Highlights.toHtml(marked);
    }

    @Test
    void marksWordsAsTheFuzzyQueryMatchesThem() {
        MatchMarker marker = new MatchMarker("wether readngs");
        // "wether" is one insertion from "Weather"; "readngs" one deletion from "readings", and also a prefix.
        assertThat(html(marker.mark("Weather station readings, hourly"))).isEqualTo(
                "<mark>Weather</mark> station <mark>readings</mark>, hourly");
        // Two edits are too many for a five-letter word, and the first letter must be equal.
        assertThat(html(new MatchMarker("coats").mark("Boats and cots, coast"))).isEqualTo(
                "Boats and <mark>cots</mark>, <mark>coast</mark>");
    }

    @Test
    void theLastWordIsAPrefixBeingTypedAndShortWordsMustBeExact() {
        // "fast" is one edit from "fash"; "food" three.
        assertThat(html(new MatchMarker("fash").mark("Fashionable fast food"))).isEqualTo(
                "<mark>Fashionable</mark> <mark>fast</mark> food");
        assertThat(html(new MatchMarker("ml data").mark("ML models and more data"))).isEqualTo(
                "<mark>ML</mark> models and more <mark>data</mark>");
        assertThat(html(new MatchMarker("패션").mark("패션 상품 이미지"))).isEqualTo("<mark>패션</mark> 상품 이미지");
    }

    /** Review M6: a word of thousands of letters is compared for equality only, never by edit distance. */
    @Test
    void veryLongWordsAreMarkedOnlyWhenEqual() {
        String word = "a".repeat(5_000);
        String description = ("common " + word + "b ").repeat(20);
        assertThat(html(new MatchMarker("common " + word + "c").mark(description))).doesNotContain("<mark>" + word);
        assertThat(html(new MatchMarker(word + "b").mark(description))).contains("<mark>" + word + "b</mark>");
        assertThat(MatchMarker.distance("a".repeat(40), "a".repeat(39) + "b")).isEqualTo(1);
    }

    @Test
    void userMarkupStaysText() {
        assertThat(html(new MatchMarker("sneakers").mark("<script>alert(1)</script> sneakers")))
                .isEqualTo("&lt;script&gt;alert(1)&lt;/script&gt; <mark>sneakers</mark>");
    }

    @Test
    void snippetStartsShortlyBeforeTheFirstMatch() {
        String text = "word ".repeat(40) + "needle " + "tail ".repeat(80);
        String snippet = new MatchMarker("needle").snippet(text);
        assertThat(snippet).startsWith("… word").contains(Highlights.START + "needle" + Highlights.END).endsWith(" …");
        assertThat(snippet.length()).isLessThanOrEqualTo(MatchMarker.SNIPPET_LENGTH + 4 + 2);
        assertThat(new MatchMarker("").snippet("Short text.")).isEqualTo("Short text.");
    }

    @Test
    void distanceCountsATranspositionAsOneEdit() {
        assertThat(MatchMarker.distance("teh", "the")).isEqualTo(1);
        assertThat(MatchMarker.distance("wether", "weather")).isEqualTo(1);
        assertThat(MatchMarker.distance("kitten", "sitting")).isEqualTo(3);
    }
}
