package ai.aicrypto.plaza.search;

import java.math.BigDecimal;
import java.util.Set;

import ai.aicrypto.plaza.catalog.Task;

/**
 * A search as the results page asks it. Blank text matches everything searchable.
 *
 * @param kinds    kinds to include; empty for all
 * @param gpuModel only GPU offers of this model; null for any
 * @param task     only what serves this task; null for any
 * @param after    opaque cursor of the previous page's last hit (search-after paging); null for the first page
 */
public record SearchQuery(String text, Set<SearchKind> kinds, String tag, String license, String gpuModel, Task task,
                          PriceFilter price, BigDecimal minPrice, BigDecimal maxPrice, Sort sort, String after, int size) {

    public static final int DEFAULT_SIZE = 20;
    /**
     * A text is searched up to this many words and characters, the rest dropped: each word is a fuzzy clause for
     * the backends, and anyone may search (review M6).
     */
    public static final int MAX_WORDS = 10;
    public static final int MAX_TEXT_LENGTH = 200;

    /**
     * Popularity: licenses in force (listings), teams (competitions), verified jobs (GPU offers). Rating: the
     * listing's Bayesian average of its reviews' stars; what has no reviews comes last.
     */
    public enum Sort { RELEVANCE, NEWEST, PRICE_ASC, PRICE_DESC, POPULARITY, RATING }

    public enum PriceFilter { ANY, FREE, PAID }

    public SearchQuery {
        text = capped(text == null ? "" : text.strip());
        kinds = kinds == null ? Set.of() : Set.copyOf(kinds);
        tag = blankToNull(tag);
        license = blankToNull(license);
        gpuModel = blankToNull(gpuModel);
        price = price == null ? PriceFilter.ANY : price;
        sort = sort == null ? (text.isEmpty() ? Sort.NEWEST : Sort.RELEVANCE) : sort;
        after = blankToNull(after);
        size = size <= 0 || size > 100 ? DEFAULT_SIZE : size;
    }

    /** A search with no task filter. */
    public SearchQuery(String text, Set<SearchKind> kinds, String tag, String license, String gpuModel,
                       PriceFilter price, BigDecimal minPrice, BigDecimal maxPrice, Sort sort, String after, int size) {
        this(text, kinds, tag, license, gpuModel, null, price, minPrice, maxPrice, sort, after, size);
    }

    private static String capped(String text) {
        String[] words = text.split("\\s+", MAX_WORDS + 1);
        String kept = words.length > MAX_WORDS ? String.join(" ", java.util.Arrays.copyOf(words, MAX_WORDS)) : text;
        return kept.length() > MAX_TEXT_LENGTH ? kept.substring(0, MAX_TEXT_LENGTH).strip() : kept;
    }

    public static SearchQuery text(String text) {
        return new SearchQuery(text, null, null, null, null, null, null, null, null, null, DEFAULT_SIZE);
    }

    public SearchQuery withAfter(String cursor) {
        return new SearchQuery(text, kinds, tag, license, gpuModel, task, price, minPrice, maxPrice, sort, cursor, size);
    }

    public SearchQuery withSort(Sort newSort) {
        return new SearchQuery(text, kinds, tag, license, gpuModel, task, price, minPrice, maxPrice, newSort, after, size);
    }

    public SearchQuery withTask(Task newTask) {
        return new SearchQuery(text, kinds, tag, license, gpuModel, newTask, price, minPrice, maxPrice, sort, after, size);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
