package ai.aicrypto.plaza.search.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.catalog.Task;
import ai.aicrypto.plaza.search.SearchKind;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * GPU offers and competitions as the Elasticsearch indexer copies them: rows of the
 * {@code search_documents} view, the same definition PostgreSQL searches. (Listings come from the
 * catalog, which also reports unpublished ones, and carry an update time to version them by; their
 * popularity and reviews come from {@code listing_stats}.)
 */
@Component
class SearchDocuments {

    static final List<SearchKind> NOT_LISTINGS = List.of(SearchKind.GPU_OFFER, SearchKind.COMPETITION);

    private static final String SELECT = """
            SELECT kind, id, slug, title, description, detail, tags, search_terms, license, price_aic, gpu_model,
                   owner_id, created_at, task, popularity, rating, reviews, average_stars
            FROM search_documents""";

    private final JdbcClient jdbc;
    private final Accounts accounts;

    SearchDocuments(JdbcClient jdbc, Accounts accounts) {
        this.jdbc = jdbc;
        this.accounts = accounts;
    }

    /** A listing's stats and their revision (0 for a listing nobody licensed or reviewed yet). */
    record ListingStats(SearchDocument.Stats stats, long revision) {
    }

    /** The offer or competition as search shows it; empty when it no longer exists. */
    Optional<SearchDocument> find(SearchKind kind, long id) {
        List<Row> rows = jdbc.sql(SELECT + " WHERE kind = ? AND id = ?").params(kind.name(), id).query(SearchDocuments::row).list();
        return withOwners(rows).stream().findFirst();
    }

    /** Every GPU offer and competition: few enough to read at once. */
    List<SearchDocument> allButListings() {
        List<Row> rows = jdbc.sql(SELECT + " WHERE kind IN (:kinds) ORDER BY kind, id")
                .param("kinds", NOT_LISTINGS.stream().map(Enum::name).toList()).query(SearchDocuments::row).list();
        return withOwners(rows);
    }

    /** The stats of these listings, by listing id; listings without any are missing from the map. */
    Map<Long, ListingStats> listingStats(Collection<Long> listingIds) {
        Map<Long, ListingStats> stats = new HashMap<>();
        if (listingIds.isEmpty()) {
            return stats;
        }
        jdbc.sql("""
                        SELECT listing_id, licenses, rating, reviews, revision,
                               CASE WHEN reviews > 0 THEN CAST(stars_total AS double precision) / reviews END AS average_stars
                        FROM listing_stats WHERE listing_id IN (:ids)""")
                .param("ids", listingIds)
                .query(rs -> {
                    stats.put(rs.getLong("listing_id"), new ListingStats(new SearchDocument.Stats(rs.getLong("licenses"),
                            rs.getObject("rating", Double.class), rs.getInt("reviews"),
                            rs.getObject("average_stars", Double.class)), rs.getLong("revision")));
                });
        return stats;
    }

    /** Listings whose stats changed at or after {@code since} (the database's clock). */
    List<Long> listingsWithStatsChangedSince(Instant since) {
        return jdbc.sql("SELECT listing_id FROM listing_stats WHERE updated_at >= ? ORDER BY listing_id")
                .param(Timestamp.from(since)).query(Long.class).list();
    }

    /** The database's clock now, to compare with {@code listing_stats.updated_at}. */
    Instant databaseNow() {
        return jdbc.sql("SELECT clock_timestamp()").query(Timestamp.class).single().toInstant();
    }

    private List<SearchDocument> withOwners(List<Row> rows) {
        Map<Long, String> owners = accounts.usernames(rows.stream().map(Row::ownerId).toList());
        return rows.stream().map(r -> r.document(owners.getOrDefault(r.ownerId(), "?"))).toList();
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        String task = rs.getString("task");
        SearchDocument doc = new SearchDocument(SearchKind.valueOf(rs.getString("kind")), rs.getLong("id"),
                rs.getString("slug"), rs.getString("title"), rs.getString("description"), rs.getString("detail"),
                List.of((String[]) rs.getArray("tags").getArray()), rs.getString("search_terms"), rs.getString("license"),
                rs.getBigDecimal("price_aic"), rs.getString("gpu_model"), null, rs.getTimestamp("created_at").toInstant(),
                task == null ? null : Task.valueOf(task), new SearchDocument.Stats(rs.getLong("popularity"),
                        rs.getObject("rating", Double.class), rs.getInt("reviews"),
                        rs.getObject("average_stars", Double.class)), null);
        return new Row(doc, rs.getLong("owner_id"));
    }

    private record Row(SearchDocument doc, long ownerId) {

        SearchDocument document(String ownerName) {
            return new SearchDocument(doc.kind(), doc.id(), doc.slug(), doc.title(), doc.description(), doc.detail(),
                    doc.tags(), doc.searchTerms(), doc.license(), doc.priceAic(), doc.gpuModel(), ownerName,
                    doc.createdAt(), doc.task(), doc.stats(), null);
        }
    }
}
