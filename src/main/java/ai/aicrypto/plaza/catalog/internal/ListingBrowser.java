package ai.aicrypto.plaza.catalog.internal;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.catalog.BrowsePage;
import ai.aicrypto.plaza.catalog.BrowseQuery;
import ai.aicrypto.plaza.catalog.ListingCard;
import ai.aicrypto.plaza.catalog.ListingKind;
import ai.aicrypto.plaza.catalog.ListingStatus;
import ai.aicrypto.plaza.platform.MarkdownRenderer;
import ai.aicrypto.plaza.platform.StatementTimeouts;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Browse pages with keyset pagination: each page continues strictly after the previous page's
 * last (sort value, id), so page 5,000 costs what page 1 costs, using the partial indexes of V1.
 */
@Component
class ListingBrowser {

    private static final int EXCERPT_CHARS = 180;

    private final JdbcClient jdbc;
    private final Accounts accounts;
    private final MarkdownRenderer markdown;
    private final StatementTimeouts timeouts;

    ListingBrowser(JdbcClient jdbc, Accounts accounts, MarkdownRenderer markdown, StatementTimeouts timeouts) {
        this.jdbc = jdbc;
        this.timeouts = timeouts;
        this.accounts = accounts;
        this.markdown = markdown;
    }

    @Transactional(readOnly = true)
    BrowsePage browse(ListingKind kind, BrowseQuery query) {
        timeouts.limitForVisitors();
        var sql = new StringBuilder("""
                SELECT id, title, description, tags, license, price_aic, owner_id, created_at, lower(title) AS title_key
                FROM listings WHERE kind = :kind AND status = 'PUBLISHED'""");
        Map<String, Object> params = new HashMap<>();
        params.put("kind", kind.name());
        if (query.tag() != null) {
            sql.append(" AND tags @> ARRAY[CAST(:tag AS text)]");
            params.put("tag", query.tag().toLowerCase());
        }
        switch (query.price()) {
            case FREE -> sql.append(" AND price_aic = 0");
            case PAID -> sql.append(" AND price_aic > 0");
            case ANY -> { }
        }
        if (query.license() != null) {
            sql.append(" AND license = :license");
            params.put("license", query.license());
        }
        SortSpec spec = SortSpec.of(query.sort());
        if (query.after() != null) {
            Cursor cursor = Cursor.decode(query.after());
            sql.append(" AND (").append(spec.column).append(", id) ").append(spec.ascending ? ">" : "<")
                    .append(" (:cursorValue, :cursorId)");
            params.put("cursorValue", spec.parse(cursor.value()));
            params.put("cursorId", cursor.id());
        }
        String direction = spec.ascending ? " ASC" : " DESC";
        sql.append(" ORDER BY ").append(spec.column).append(direction).append(", id").append(direction)
                .append(" LIMIT :limit");
        params.put("limit", query.size() + 1);

        List<Row> rows = jdbc.sql(sql.toString()).params(params).query(ListingBrowser::row).list();
        boolean more = rows.size() > query.size();
        List<Row> page = more ? rows.subList(0, query.size()) : rows;
        String next = more ? spec.cursorOf(page.get(page.size() - 1)).encode() : null;
        return new BrowsePage(kind, query, cards(kind, page), next);
    }

    List<ListingCard> cards(ListingKind kind, List<Row> rows) {
        Map<Long, String> owners = accounts.usernames(rows.stream().map(Row::ownerId).toList());
        var cards = new ArrayList<ListingCard>(rows.size());
        for (Row r : rows) {
            cards.add(card(r.id, kind, r.title, r.description, r.tags, r.license, r.price, owners.getOrDefault(r.ownerId, "?"),
                    ListingStatus.PUBLISHED, r.createdAt));
        }
        return cards;
    }

    /** A listing as its card shows it, wherever cards are listed: the description cut to an excerpt. */
    ListingCard card(long id, ListingKind kind, String title, String description, List<String> tags, String license,
                     BigDecimal price, String owner, ListingStatus status, Instant createdAt) {
        return new ListingCard(id, kind, title, markdown.toExcerpt(description, EXCERPT_CHARS), tags, license, price, owner,
                status, createdAt);
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        Array tags = rs.getArray("tags");
        Timestamp created = rs.getTimestamp("created_at");
        return new Row(rs.getLong("id"), rs.getString("title"), rs.getString("description"),
                List.of((String[]) tags.getArray()), rs.getString("license"), rs.getBigDecimal("price_aic"),
                rs.getLong("owner_id"), created.toInstant(), rs.getString("title_key"));
    }

    record Row(long id, String title, String description, List<String> tags, String license, BigDecimal price,
               long ownerId, Instant createdAt, String titleKey) {
    }

    /** How one sort order is expressed in SQL and in its cursors. */
    private enum SortSpec {
        NEWEST("created_at", false), PRICE_ASC("price_aic", true), PRICE_DESC("price_aic", false),
        TITLE("lower(title)", true);

        final String column;
        final boolean ascending;

        SortSpec(String column, boolean ascending) {
            this.column = column;
            this.ascending = ascending;
        }

        static SortSpec of(BrowseQuery.Sort sort) {
            return valueOf(sort.name());
        }

        Cursor cursorOf(Row row) {
            String value = switch (this) {
                case NEWEST -> row.createdAt().toString();
                case PRICE_ASC, PRICE_DESC -> row.price().toPlainString();
                case TITLE -> row.titleKey();
            };
            return new Cursor(value, row.id());
        }

        Object parse(String value) {
            try {
                return switch (this) {
                    case NEWEST -> OffsetDateTime.ofInstant(Instant.parse(value), ZoneOffset.UTC);
                    case PRICE_ASC, PRICE_DESC -> new BigDecimal(value);
                    case TITLE -> value;
                };
            } catch (RuntimeException e) {
                throw Cursor.invalid();
            }
        }
    }

    /** "value|id", base64url-encoded: opaque to users, readable by us. */
    record Cursor(String value, long id) {

        String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((id + "|" + value).getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String text) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                int bar = raw.indexOf('|');
                return new Cursor(raw.substring(bar + 1), Long.parseLong(raw.substring(0, bar)));
            } catch (RuntimeException e) {
                throw invalid();
            }
        }

        static UserFacingException invalid() {
            return new UserFacingException("after", "listing.error.bad-cursor");
        }
    }
}
