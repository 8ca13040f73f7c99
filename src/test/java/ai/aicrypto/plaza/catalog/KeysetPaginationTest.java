package ai.aicrypto.plaza.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;

/** Following "More" links visits every matching listing exactly once, in order, for each sort. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeysetPaginationTest extends IntegrationTest {

    private static final String TAG = "keyset" + System.nanoTime() % 100000;
    private static final Pattern CARD = Pattern.compile("href=\"/models/(\\d+)\"");
    private static final Pattern MORE = Pattern.compile("id=\"more\">\\s*<a class=\"btn btn-ghost\"\\s*href=\"([^\"]+)\"");

    @Autowired
    Catalog catalog;
    @Autowired
    TestUsers users;

    final List<long[]> created = new ArrayList<>(); // id, price in milli-AIC

    @BeforeAll
    void listings() {
        long owner = users.member().id();
        for (int i = 0; i < 47; i++) {
            BigDecimal price = BigDecimal.valueOf(i % 5); // ties in price exercise the id tie-breaker
            long id = catalog.create(ListingKind.MODEL, owner,
                    new ListingDraft("Model " + (char) ('A' + i % 26) + i, "", List.of(TAG), "MIT", price),
                    new SearchFacts("", null));
            created.add(new long[] {id, i % 5});
        }
    }

    @Test
    void newestFirst() throws Exception {
        List<Long> expected = created.stream().map(c -> c[0]).sorted(Comparator.reverseOrder()).toList();
        assertThat(walk("newest")).containsExactlyElementsOf(expected);
    }

    @Test
    void priceAscendingWithTies() throws Exception {
        List<Long> expected = created.stream()
                .sorted(Comparator.<long[]>comparingLong(c -> c[1]).thenComparingLong(c -> c[0]))
                .map(c -> c[0]).toList();
        assertThat(walk("price_asc")).containsExactlyElementsOf(expected);
    }

    @Test
    void priceDescending() throws Exception {
        List<Long> expected = created.stream()
                .sorted(Comparator.<long[]>comparingLong(c -> c[1]).thenComparingLong(c -> c[0]).reversed())
                .map(c -> c[0]).toList();
        assertThat(walk("price_desc")).containsExactlyElementsOf(expected);
    }

    @Test
    void freeFilterAndBrokenCursor() throws Exception {
        String body = mvc.perform(get("/models").param("tag", TAG).param("price", "free"))
                .andReturn().getResponse().getContentAsString();
        assertThat(ids(body)).hasSize(10); // i % 5 == 0 for 10 of 47
        mvc.perform(get("/models").param("after", "not-a-cursor")).andExpect(status().isBadRequest());
        assertThatThrownBy(() -> new ListingDraft("x", "", List.of("bad tag!"), "MIT", BigDecimal.ONE).validated())
                .hasMessageContaining("listing.error.tag-invalid");
    }

    private List<Long> walk(String sort) throws Exception {
        List<Long> seen = new ArrayList<>();
        String url = "/models?tag=" + TAG + "&sort=" + sort;
        for (int pages = 0; url != null && pages < 10; pages++) {
            String body = mvc.perform(get(url)).andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
            seen.addAll(ids(body));
            Matcher more = MORE.matcher(body);
            url = more.find() ? more.group(1).replace("&amp;", "&") : null;
        }
        return seen;
    }

    private static List<Long> ids(String body) {
        List<Long> ids = new ArrayList<>();
        Matcher m = CARD.matcher(body);
        while (m.find()) {
            ids.add(Long.parseLong(m.group(1)));
        }
        return ids;
    }
}
