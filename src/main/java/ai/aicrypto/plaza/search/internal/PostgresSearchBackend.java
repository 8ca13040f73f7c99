package ai.aicrypto.plaza.search.internal;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.catalog.Task;
import ai.aicrypto.plaza.platform.StatementTimeouts;
import ai.aicrypto.plaza.search.SearchKind;
import ai.aicrypto.plaza.search.SearchHit;
import ai.aicrypto.plaza.search.SearchQuery;
import ai.aicrypto.plaza.search.SearchResults;
import ai.aicrypto.plaza.search.SearchResults.FacetValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Search with PostgreSQL alone, over the {@code search_documents} view (published listings, GPU
 * offers, competitions): its {@code search_vector} (weighted title, tags, terms, description; GIN
 * index on listings) for words, and pg_trgm's word similarity on titles for typos. Needs no other
 * server and is never out of sync, which is why it is the default and the fallback.
 * <p>
 * A search by relevance reads a bounded number of rows, plus a sample of one match in 64, however many match, so
 * that it still answers quickly over a million listings (ops/bench/search):
 * <ul>
 * <li>Counts are exact up to {@link SearchProperties#pgExactCountsUpTo()} matches. Past that, the total and
 * the facet counts are estimated from a sample (the listings of one bucket in 64, V39), rounded, and
 * reported as estimates.</li>
 * <li>With that many matches, relevance ranks only the newest {@link SearchProperties#pgRankedCandidates()}
 * or so (the sample tells from which creation time on). The other sort orders stay exact, and read every match.</li>
 * <li>Words are first matched as written (the GIN index); only when that finds less than a page does each
 * word also match titles with a similar word, since the trigram index costs far more on common words.</li>
 * </ul>
 */
@Component
class PostgresSearchBackend implements SearchBackend {

    static final String NAME = "postgresql";
    private static final int TAG_FACET_SIZE = 15;
    /** Lower than pg_trgm's default 0.6, so that one typo in a short word still matches. */
    private static final String WORD_SIMILARITY_THRESHOLD = "0.45";
    /** Fewer matches than a page for the words as written: similar words in titles match too. */
    private static final int TYPOS_BELOW = SearchQuery.DEFAULT_SIZE;
    private static final List<String> FACETS = List.of("kind", "license", "price", "priceRange", "gpuModel", "task");

    private final JdbcClient jdbc;
    private final StatementTimeouts timeouts;
    private final Accounts accounts;
    private final int exactCountsUpTo;
    private final int rankedCandidates;

    PostgresSearchBackend(JdbcClient jdbc, Accounts accounts, StatementTimeouts timeouts, SearchProperties properties) {
        this.jdbc = jdbc;
        this.timeouts = timeouts;
        this.accounts = accounts;
        this.exactCountsUpTo = properties.pgExactCountsUpTo();
        this.rankedCandidates = properties.pgRankedCandidates();
    }

    @Override
    @Transactional(readOnly = true)
    public SearchResults search(SearchQuery query) {
        timeouts.limitForVisitors();
        // Custom plans only: a generic plan cannot see how common the searched words are, and picks scans by guess.
        jdbc.sql("SELECT set_config('pg_trgm.word_similarity_threshold', ?, true), set_config('plan_cache_mode', 'force_custom_plan', true)")
                .param(WORD_SIMILARITY_THRESHOLD).query((rs, n) -> n).single();
        Order order = Order.of(query.sort());
        // A broken cursor is told before any work is done.
        Map<String, Object> cursorParams = new HashMap<>();
        if (query.after() != null) {
            List<String> cursor = SearchCursor.decode(query.after(), NAME, 3);
            cursorParams.put("cursorValue", SearchCursor.value(cursor.get(0), order::checked));
            cursorParams.put("cursorId", SearchCursor.<Long>value(cursor.get(1), Long::valueOf));
            cursorParams.put("cursorKind", SearchCursor.value(cursor.get(2), kind -> SearchKind.valueOf(kind).name()));
        }
        Filter filter = Filter.of(query, false);
        Counts counts = counts(filter);
        if (counts.total() < TYPOS_BELOW && filter.typosWouldWiden()) {
            filter = Filter.of(query, true);
            counts = counts(filter);
        }

        var params = new HashMap<>(filter.params);
        params.putAll(cursorParams);
        String where = filter.sql;
        // Ranking every one of many matches reads them all; the newest of them are ranked instead.
        if (order == Order.RELEVANCE && counts.rankFrom() != null) {
            where += " AND created_at >= :rankFrom";
            params.put("rankFrom", counts.rankFrom());
        }
        String score = query.text().isEmpty() ? "CAST(0 AS real)"
                : "(ts_rank_cd(search_vector, websearch_to_tsquery('simple', :text), 32) + word_similarity(:lowerText, lower(title)))";
        String headline = query.text().isEmpty() ? "title"
                : "ts_headline('simple', title, websearch_to_tsquery('simple', :text), :titleOptions)";
        String snippet = query.text().isEmpty() ? "left(description, 240)"
                : "ts_headline('simple', description, websearch_to_tsquery('simple', :text), :snippetOptions)";
        params.put("titleOptions", "StartSel=" + Highlights.START + ", StopSel=" + Highlights.END + ", HighlightAll=true");
        params.put("snippetOptions", "StartSel=" + Highlights.START + ", StopSel=" + Highlights.END
                + ", MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=\" … \"");

        var sql = new StringBuilder("SELECT * FROM (SELECT id, kind, slug, title, description, detail, tags, license, ")
                .append("price_aic, owner_id, created_at, task, popularity, coalesce(rating, -1) AS rating_key, reviews, ")
                .append("average_stars, ").append(score)
                .append(" AS score FROM search_documents WHERE ").append(where).append(") matched");
        // Ids are unique within a kind only, so the kind breaks the last ties.
        if (query.after() != null) {
            sql.append(" WHERE (").append(order.column).append(", id, kind) ").append(order.descending ? "<" : ">")
                    .append(" (CAST(:cursorValue AS ").append(order.sqlType).append("), :cursorId, :cursorKind)");
        }
        String direction = order.descending ? " DESC" : " ASC";
        String orderBy = " ORDER BY " + order.column + direction + ", id" + direction + ", kind" + direction;
        sql.append(orderBy).append(" LIMIT :limit");
        params.put("limit", query.size() + 1);

        // Headlines are computed for the page's rows only, not for every match.
        String page = "SELECT p.*, " + headline + " AS title_marked, " + snippet + " AS snippet_marked FROM (" + sql
                + ") p" + orderBy;
        List<Row> rows = jdbc.sql(page).params(params).query(PostgresSearchBackend::row).list();
        boolean more = rows.size() > query.size();
        List<Row> shown = more ? rows.subList(0, query.size()) : rows;
        Row last = shown.isEmpty() ? null : shown.get(shown.size() - 1);
        String next = more ? SearchCursor.encode(NAME, List.of(order.valueOf(last), String.valueOf(last.id), last.kind.name()))
                : null;

        Map<Long, String> owners = accounts.usernames(shown.stream().map(r -> r.ownerId).toList());
        List<SearchHit> hits = shown.stream().map(r -> new SearchHit(r.id, r.kind, r.kind.url(r.id, r.slug), r.title,
                Highlights.toHtml(r.titleMarked), Highlights.toHtml(r.snippetMarked), r.detail, r.tags, r.license,
                r.price, owners.getOrDefault(r.ownerId, "?"), r.task, r.popularity, r.averageStars,
                r.reviews)).toList();
        return new SearchResults(hits, counts.total(), counts.facets(), next, NAME, counts.estimated());
    }

    @Override
    @Transactional(readOnly = true)
    public List<String> suggest(String prefix, int limit) {
        String p = prefix.strip().toLowerCase();
        if (p.isEmpty()) {
            return List.of();
        }
        timeouts.limitForVisitors();
        jdbc.sql("SELECT set_config('pg_trgm.word_similarity_threshold', ?, true)").param(WORD_SIMILARITY_THRESHOLD)
                .query(String.class).single();
        return jdbc.sql("""
                        SELECT title FROM search_documents
                        WHERE lower(title) LIKE :like OR :p <% lower(title)
                        ORDER BY lower(title) LIKE :like DESC, word_similarity(:p, lower(title)) DESC, length(title), id
                        LIMIT :limit""")
                .param("like", escapeLike(p) + "%").param("p", p).param("limit", limit)
                .query(String.class).list();
    }

    /**
     * Exact counts when at most {@link #exactCountsUpTo} match; else the sample's estimates. The sample goes first:
     * it is small, and when it shows many matches the exact count (which stops after its limit) is not tried.
     */
    private Counts counts(Filter filter) {
        Counts sampled = count(filter, true);
        if (sampled.total() > 2L * exactCountsUpTo) {
            return sampled;
        }
        Counts exact = count(filter, false);
        return exact.total() <= exactCountsUpTo ? exact : sampled.atLeast(exactCountsUpTo + 1L);
    }

    /**
     * The total and facet counts of what the filter matches: all of it, stopping after {@link #exactCountsUpTo} + 1
     * rows; or the sample (bucket 0 of V39, each row weighing as many documents as it stands for), rounded, with the
     * creation time from which on about {@link #rankedCandidates} of the matches were created.
     */
    private Counts count(Filter filter, boolean sampled) {
        Map<String, List<FacetValue>> facets = new LinkedHashMap<>();
        FACETS.forEach(name -> facets.put(name, new ArrayList<>()));
        facets.put("tag", new ArrayList<>());
        long[] total = {0};
        OffsetDateTime[] rankFrom = {null};
        String window = """
                UNION ALL
                (SELECT -2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, created_at
                 FROM (SELECT created_at, sum(weight) OVER (ORDER BY created_at DESC) AS covered FROM matched) newest
                 WHERE covered >= :rankedCandidates ORDER BY created_at DESC LIMIT 1)""";
        var params = new HashMap<>(filter.params);
        params.put("limit", exactCountsUpTo + 1);
        params.put("rankedCandidates", rankedCandidates);
        jdbc.sql("""
                        WITH matched AS MATERIALIZED (
                            SELECT kind, license, gpu_model, task, tags, created_at, %s AS weight,
                                   CASE WHEN price_aic = 0 THEN 'free' ELSE 'paid' END AS price,
                                   CASE WHEN price_aic = 0 THEN '0' WHEN price_aic < 10 THEN '0-10'
                                        WHEN price_aic < 100 THEN '10-100' ELSE '100-' END AS price_range
                            FROM search_documents WHERE %s)
                        SELECT GROUPING(kind, license, price, price_range, gpu_model, task) AS g, kind, license, price,
                               price_range, gpu_model, task, CAST(NULL AS text) AS tag, sum(weight) AS n,
                               CAST(NULL AS timestamptz) AS rank_from
                        FROM matched GROUP BY GROUPING SETS ((kind), (license), (price), (price_range), (gpu_model), (task), ())
                        UNION ALL
                        (SELECT -1, NULL, NULL, NULL, NULL, NULL, NULL, tag, sum(weight) AS n, NULL
                         FROM matched, unnest(tags) AS tag GROUP BY tag ORDER BY n DESC, tag LIMIT %d)
                        %s""".formatted(sampled ? "sample_one_in" : "1",
                        filter.sql + (sampled ? " AND sample_bucket = 0" : " LIMIT :limit"), TAG_FACET_SIZE,
                        sampled ? window : ""))
                .params(params)
                .query(rs -> {
                    // GROUPING() sets a bit for each column not grouped, the first column being the highest bit.
                    String facet = switch (rs.getInt("g")) {
                        case 0b011111 -> "kind";
                        case 0b101111 -> "license";
                        case 0b110111 -> "price";
                        case 0b111011 -> "priceRange";
                        case 0b111101 -> "gpuModel";
                        case 0b111110 -> "task";
                        case -1 -> "tag";
                        case -2 -> "rankFrom";
                        default -> "total";
                    };
                    switch (facet) {
                        case "total" -> total[0] = rs.getLong("n");
                        case "rankFrom" -> rankFrom[0] = rs.getObject("rank_from", OffsetDateTime.class);
                        default -> {
                            String column = switch (facet) {
                                case "priceRange" -> "price_range";
                                case "gpuModel" -> "gpu_model";
                                default -> facet;
                            };
                            String value = rs.getString(column);
                            // Kinds without a license, GPU model or task form a group of their own: not a facet value.
                            if (value != null) {
                                facets.get(facet).add(new FacetValue(value, rs.getLong("n")));
                            }
                        }
                    }
                });
        facets.values().forEach(values -> values.sort((a, b) -> Long.compare(b.count(), a.count())));
        Counts counts = new Counts(total[0], facets, false, null);
        return sampled ? counts.estimates(rankFrom[0]) : counts;
    }

    /**
     * What {@link #count} found. Estimates are rounded to two significant digits, which is about as exact as a
     * sample of one in 64 tells them; {@code rankFrom} is null for exact counts, and where the sample holds fewer
     * matches than {@link #rankedCandidates} stand for.
     */
    private record Counts(long total, Map<String, List<FacetValue>> facets, boolean estimated, OffsetDateTime rankFrom) {

        Counts estimates(OffsetDateTime from) {
            Map<String, List<FacetValue>> rounded = new LinkedHashMap<>();
            facets.forEach((name, values) -> rounded.put(name,
                    values.stream().map(v -> new FacetValue(v.value(), roughly(v.count()))).toList()));
            return new Counts(roughly(total), rounded, true, from);
        }

        /** At least {@code floor}: the exact count stopped past it, whatever the sample said. */
        Counts atLeast(long floor) {
            return new Counts(roughly(Math.max(total, floor)), facets, true, rankFrom);
        }

        static long roughly(long n) {
            if (n < 100) {
                return n;
            }
            long unit = (long) Math.pow(10, (long) Math.log10(n) - 1);
            return Math.round((double) n / unit) * unit;
        }
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        String task = rs.getString("task");
        return new Row(rs.getLong("id"), SearchKind.valueOf(rs.getString("kind")), rs.getString("slug"), rs.getString("title"),
                rs.getString("title_marked"), rs.getString("snippet_marked"), rs.getString("detail"),
                List.of((String[]) rs.getArray("tags").getArray()), rs.getString("license"),
                rs.getBigDecimal("price_aic"), rs.getLong("owner_id"), rs.getTimestamp("created_at").toInstant(),
                rs.getFloat("score"), task == null ? null : Task.valueOf(task), rs.getLong("popularity"),
                rs.getDouble("rating_key"), rs.getInt("reviews"), rs.getObject("average_stars", Double.class));
    }

    private record Row(long id, SearchKind kind, String slug, String title, String titleMarked, String snippetMarked,
                       String detail, List<String> tags, String license, BigDecimal price, long ownerId, Instant createdAt,
                       float score, Task task, long popularity, double ratingKey, int reviews, Double averageStars) {
    }

    /**
     * The WHERE clause shared by hits and counts: documents that match the text and filters.
     *
     * @param words the text's words that could match a title with typos (those with a letter or digit)
     */
    private record Filter(String sql, Map<String, Object> params, List<String> words, boolean typos) {

        /**
         * The words as written (with {@code typos}: each word as written anywhere, or like it in the title: pg_trgm's
         * word similarity, per word, so that every word must match as it must in Elasticsearch).
         */
        static Filter of(SearchQuery q, boolean typos) {
            var sql = new StringBuilder("TRUE");
            Map<String, Object> params = new HashMap<>();
            List<String> words = Arrays.stream(q.text().toLowerCase().split("\\s+"))
                    .filter(word -> word.codePoints().anyMatch(Character::isLetterOrDigit)).toList();
            if (!q.text().isEmpty()) {
                params.put("text", q.text());
                params.put("lowerText", q.text().toLowerCase());
                if (typos) {
                    for (int i = 0; i < words.size(); i++) {
                        sql.append(" AND (search_vector @@ websearch_to_tsquery('simple', :word").append(i)
                                .append(") OR :word").append(i).append(" <% lower(title))");
                        params.put("word" + i, words.get(i));
                    }
                } else {
                    sql.append(" AND search_vector @@ websearch_to_tsquery('simple', :text)");
                }
            }
            if (!q.kinds().isEmpty()) {
                sql.append(" AND kind IN (:kinds)");
                params.put("kinds", q.kinds().stream().map(Enum::name).toList());
            }
            if (q.tag() != null) {
                sql.append(" AND tags @> ARRAY[CAST(:tag AS text)]");
                params.put("tag", q.tag().toLowerCase());
            }
            if (q.license() != null) {
                sql.append(" AND license = :license");
                params.put("license", q.license());
            }
            if (q.gpuModel() != null) {
                sql.append(" AND gpu_model = :gpuModel");
                params.put("gpuModel", q.gpuModel());
            }
            if (q.task() != null) {
                sql.append(" AND task = :task");
                params.put("task", q.task().name());
            }
            switch (q.price()) {
                case FREE -> sql.append(" AND price_aic = 0");
                case PAID -> sql.append(" AND price_aic > 0");
                case ANY -> { }
            }
            if (q.minPrice() != null) {
                sql.append(" AND price_aic >= :minPrice");
                params.put("minPrice", q.minPrice());
            }
            if (q.maxPrice() != null) {
                sql.append(" AND price_aic < :maxPrice");
                params.put("maxPrice", q.maxPrice());
            }
            return new Filter(sql.toString(), params, words, typos);
        }

        /** Whether matching titles with typos could find more than the words as written. */
        boolean typosWouldWiden() {
            return !typos && !words.isEmpty();
        }
    }

    /** How a sort order reads in SQL and in cursors. */
    private enum Order {
        RELEVANCE("score", "real", true), NEWEST("created_at", "timestamptz", true),
        PRICE_ASC("price_aic", "numeric", false), PRICE_DESC("price_aic", "numeric", true),
        POPULARITY("popularity", "bigint", true),
        // Unrated documents sort as -1, below every rating (1 to 5).
        RATING("rating_key", "double precision", true);

        final String column;
        final String sqlType;
        final boolean descending;

        Order(String column, String sqlType, boolean descending) {
            this.column = column;
            this.sqlType = sqlType;
            this.descending = descending;
        }

        /** A cursor's sort value, unchanged, if PostgreSQL can cast it to {@link #sqlType}; else throws. */
        String checked(String value) {
            switch (this) {
                case RELEVANCE -> {
                    if (!Float.isFinite(Float.parseFloat(value))) {
                        throw new IllegalArgumentException("not a finite real");
                    }
                }
                case NEWEST -> {
                    int year = OffsetDateTime.parse(value).getYear();
                    if (year < 1 || year > 9999) {
                        throw new IllegalArgumentException("year out of range");
                    }
                }
                case PRICE_ASC, PRICE_DESC -> {
                    BigDecimal price = new BigDecimal(value);
                    if (price.precision() - price.scale() > 40 || price.scale() > 40) {
                        throw new IllegalArgumentException("price out of range");
                    }
                }
                case POPULARITY -> Long.parseLong(value);
                case RATING -> SearchCursor.finite(value);
            }
            return value;
        }

        static Order of(SearchQuery.Sort sort) {
            return valueOf(sort.name());
        }

        String valueOf(Row row) {
            return switch (this) {
                case RELEVANCE -> Float.toString(row.score());
                case NEWEST -> OffsetDateTime.ofInstant(row.createdAt(), ZoneOffset.UTC).toString();
                case PRICE_ASC, PRICE_DESC -> row.price().toPlainString();
                case POPULARITY -> Long.toString(row.popularity());
                case RATING -> Double.toString(row.ratingKey());
            };
        }
    }
}
