package ai.aicrypto.plaza.search.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.search.SearchKind;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * GPU offers and competitions as the Elasticsearch indexer copies them: rows of the
 * {@code search_documents} view, the same definition PostgreSQL searches. (Listings come from the
 * catalog, which also reports unpublished ones, and carry an update time to version them by.)
 */
@Component
class SearchDocuments {

    static final List<SearchKind> NOT_LISTINGS = List.of(SearchKind.GPU_OFFER, SearchKind.COMPETITION);

    private static final String SELECT = """
            SELECT kind, id, slug, title, description, detail, tags, search_terms, license, price_aic, gpu_model,
                   owner_id, created_at
            FROM search_documents""";

    private final JdbcClient jdbc;
    private final Accounts accounts;

    SearchDocuments(JdbcClient jdbc, Accounts accounts) {
        this.jdbc = jdbc;
        this.accounts = accounts;
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

    private List<SearchDocument> withOwners(List<Row> rows) {
        Map<Long, String> owners = accounts.usernames(rows.stream().map(Row::ownerId).toList());
        return rows.stream().map(r -> r.document(owners.getOrDefault(r.ownerId(), "?"))).toList();
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        SearchDocument doc = new SearchDocument(SearchKind.valueOf(rs.getString("kind")), rs.getLong("id"),
                rs.getString("slug"), rs.getString("title"), rs.getString("description"), rs.getString("detail"),
                List.of((String[]) rs.getArray("tags").getArray()), rs.getString("search_terms"), rs.getString("license"),
                rs.getBigDecimal("price_aic"), rs.getString("gpu_model"), null, rs.getTimestamp("created_at").toInstant(),
                null);
        return new Row(doc, rs.getLong("owner_id"));
    }

    private record Row(SearchDocument doc, long ownerId) {

        SearchDocument document(String ownerName) {
            return new SearchDocument(doc.kind(), doc.id(), doc.slug(), doc.title(), doc.description(), doc.detail(),
                    doc.tags(), doc.searchTerms(), doc.license(), doc.priceAic(), doc.gpuModel(), ownerName,
                    doc.createdAt(), null);
        }
    }
}
