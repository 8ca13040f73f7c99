package ai.aicrypto.plaza.search.internal;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
 */
@Component
class PostgresSearchBackend implements SearchBackend {

    static final String NAME = "postgresql";
    private static final int TAG_FACET_SIZE = 15;
    /** Lower than pg_trgm's default 0.6, so that one typo in a short word still matches. */
    private static final String WORD_SIMILARITY_THRESHOLD = "0.45";

    private final JdbcClient jdbc;
    private final StatementTimeouts timeouts;
    private final Accounts accounts;

    PostgresSearchBackend(JdbcClient jdbc, Accounts accounts, StatementTimeouts timeouts) {
        this.jdbc = jdbc;
        this.timeouts = timeouts;
        this.accounts = accounts;
    }

    @Override
    @Transactional(readOnly = true)
    public SearchResults search(SearchQuery query) {
        timeouts.limitForVisitors();
        jdbc.sql("SELECT set_config('pg_trgm.word_similarity_threshold', ?, true)").param(WORD_SIMILARITY_THRESHOLD)
                .query(String.class).single();
        Filter filter = Filter.of(query);
        Order order = Order.of(query.sort());

        var params = new HashMap<>(filter.params);
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
                .append(" AS score FROM search_documents WHERE ").append(filter.sql).append(") matched");
        // Ids are unique within a kind only, so the kind breaks the last ties.
        if (query.after() != null) {
            List<String> cursor = SearchCursor.decode(query.after(), NAME, 3);
            sql.append(" WHERE (").append(order.column).append(", id, kind) ").append(order.descending ? "<" : ">")
                    .append(" (CAST(:cursorValue AS ").append(order.sqlType).append("), :cursorId, :cursorKind)");
            params.put("cursorValue", SearchCursor.value(cursor.get(0), order::checked));
            params.put("cursorId", SearchCursor.<Long>value(cursor.get(1), Long::valueOf));
            params.put("cursorKind", SearchCursor.value(cursor.get(2), kind -> SearchKind.valueOf(kind).name()));
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
        Map<String, List<FacetValue>> facets = facets(filter);
        long total = facets.remove("total").get(0).count();
        return new SearchResults(hits, total, facets, next, NAME);
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

    private Map<String, List<FacetValue>> facets(Filter filter) {
        Map<String, List<FacetValue>> facets = new LinkedHashMap<>();
        for (String name : List.of("kind", "license", "price", "priceRange", "gpuModel", "task", "total")) {
            facets.put(name, new ArrayList<>());
        }
        jdbc.sql("""
                        SELECT kind, license, price, price_range, gpu_model, task,
                               GROUPING(kind, license, price, price_range, gpu_model, task) AS g, count(*) AS n
                        FROM (SELECT kind, license, gpu_model, task, CASE WHEN price_aic = 0 THEN 'free' ELSE 'paid' END AS price,
                                     CASE WHEN price_aic = 0 THEN '0' WHEN price_aic < 10 THEN '0-10'
                                          WHEN price_aic < 100 THEN '10-100' ELSE '100-' END AS price_range
                              FROM search_documents WHERE %s) matched
                        GROUP BY GROUPING SETS ((kind), (license), (price), (price_range), (gpu_model), (task), ())""".formatted(filter.sql))
                .params(filter.params)
                .query((rs, n) -> {
                    // GROUPING() sets a bit for each column not grouped, the first column being the highest bit.
                    String facet = switch (rs.getInt("g")) {
                        case 0b011111 -> "kind";
                        case 0b101111 -> "license";
                        case 0b110111 -> "price";
                        case 0b111011 -> "priceRange";
                        case 0b111101 -> "gpuModel";
                        case 0b111110 -> "task";
                        default -> "total";
                    };
                    String value = switch (facet) {
                        case "kind" -> rs.getString("kind");
                        case "license" -> rs.getString("license");
                        case "price" -> rs.getString("price");
                        case "priceRange" -> rs.getString("price_range");
                        case "gpuModel" -> rs.getString("gpu_model");
                        case "task" -> rs.getString("task");
                        default -> "";
                    };
                    // Kinds without a license, GPU model or task form a group of their own: not a facet value.
                    if (value != null) {
                        facets.get(facet).add(new FacetValue(value, rs.getLong("n")));
                    }
                    return facet;
                })
                .list();
        facets.values().forEach(values -> values.sort((a, b) -> Long.compare(b.count(), a.count())));
        if (facets.get("total").isEmpty()) {
            facets.get("total").add(new FacetValue("", 0));
        }
        facets.put("tag", jdbc.sql("""
                        SELECT tag, count(*) AS n FROM (SELECT tags FROM search_documents WHERE %s) matched, unnest(tags) AS tag
                        GROUP BY tag ORDER BY n DESC, tag LIMIT %d""".formatted(filter.sql, TAG_FACET_SIZE))
                .params(filter.params)
                .query((rs, n) -> new FacetValue(rs.getString("tag"), rs.getLong("n"))).list());
        return facets;
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

    /** The WHERE clause shared by hits and facets: documents that match the text and filters. */
    private record Filter(String sql, Map<String, Object> params) {

        static Filter of(SearchQuery q) {
            var sql = new StringBuilder("TRUE");
            Map<String, Object> params = new HashMap<>();
            if (!q.text().isEmpty()) {
                sql.append(" AND (search_vector @@ websearch_to_tsquery('simple', :text) OR :lowerText <% lower(title))");
                params.put("text", q.text());
                params.put("lowerText", q.text().toLowerCase());
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
            return new Filter(sql.toString(), params);
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
