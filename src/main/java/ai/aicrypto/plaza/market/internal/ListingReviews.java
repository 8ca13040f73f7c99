package ai.aicrypto.plaza.market.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.catalog.ListingDocument;
import ai.aicrypto.plaza.market.ListingStatsChanged;
import ai.aicrypto.plaza.market.ReviewsReceived;
import ai.aicrypto.plaza.market.ReviewsReceived.ReviewSummary;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reviews of listings by the people who hold a license to them: one per reviewer and listing, written again to
 * edit it. The counts search sorts by ({@code listing_stats}) follow in the same transaction by the database's
 * triggers; each change publishes {@link ListingStatsChanged} in that transaction too.
 */
@Service
class ListingReviews implements ReviewsReceived {

    static final int MAX_BODY_CHARS = 2000;

    private final JdbcClient jdbc;
    private final LicenseLedger licenses;
    private final Accounts accounts;
    private final ApplicationEventPublisher events;

    ListingReviews(JdbcClient jdbc, LicenseLedger licenses, Accounts accounts, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.licenses = licenses;
        this.accounts = accounts;
        this.events = events;
    }

    /** Whether {@code me} (null when anonymous) may review the listing, and if not, why. */
    @Transactional(readOnly = true)
    Eligibility eligibility(ListingDocument listing, AccountPrincipal me) {
        if (me == null) {
            return Eligibility.SIGN_IN;
        }
        // Checked before the license: mayUse counts the owner as a user of their own listing.
        if (me.id() == listing.ownerId()) {
            return Eligibility.OWNER;
        }
        if (!listing.published()) {
            return Eligibility.NOT_PUBLISHED;
        }
        return licenses.mayUse(me.id(), listing.id()) ? Eligibility.MAY_REVIEW : Eligibility.NO_LICENSE;
    }

    /**
     * Writes {@code me}'s review of the listing from the form's values, or replaces the one they wrote before.
     *
     * @throws ReviewRefused       when {@code me} may not review it (checked before the values)
     * @throws UserFacingException when stars are not a whole number from 1 to 5 or the text is too long
     */
    @Transactional
    void write(ListingDocument listing, AccountPrincipal me, String stars, String body) {
        Eligibility eligibility = eligibility(listing, me);
        if (eligibility != Eligibility.MAY_REVIEW) {
            throw new ReviewRefused(eligibility);
        }
        int starCount = parseStars(stars);
        // Browsers send a textarea's line breaks as CRLF but count them as one character against maxlength.
        String text = body == null ? "" : body.replace("\r\n", "\n").strip();
        // Code points, as PostgreSQL's char_length counts them.
        if (text.codePointCount(0, text.length()) > MAX_BODY_CHARS) {
            throw new UserFacingException("body", "market.review.error.body-too-long", MAX_BODY_CHARS);
        }
        jdbc.sql("""
                        INSERT INTO listing_reviews (listing_id, reviewer_id, stars, body) VALUES (?, ?, ?, ?)
                        ON CONFLICT (listing_id, reviewer_id)
                        DO UPDATE SET stars = EXCLUDED.stars, body = EXCLUDED.body, updated_at = now()""")
                .params(listing.id(), me.id(), starCount, text).update();
        events.publishEvent(new ListingStatsChanged(listing.id()));
    }

    /** Removes the reviewer's review of the listing, if they wrote one. */
    @Transactional
    void delete(long listingId, long reviewerId) {
        int removed = jdbc.sql("DELETE FROM listing_reviews WHERE listing_id = ? AND reviewer_id = ?")
                .params(listingId, reviewerId).update();
        if (removed > 0) {
            events.publishEvent(new ListingStatsChanged(listingId));
        }
    }

    @Transactional(readOnly = true)
    Optional<Review> of(long listingId, long reviewerId) {
        return jdbc.sql("SELECT reviewer_id, stars, body, updated_at FROM listing_reviews WHERE listing_id = ? AND reviewer_id = ?")
                .params(listingId, reviewerId).query(ListingReviews::row).optional()
                .map(r -> named(List.of(r)).get(0));
    }

    /** The listing's review count and average stars, as the database keeps them in {@code listing_stats}. */
    @Transactional(readOnly = true)
    ReviewSummary summary(long listingId) {
        return jdbc.sql("SELECT reviews, stars_total FROM listing_stats WHERE listing_id = ?").param(listingId)
                .query((rs, n) -> new ReviewSummary(rs.getInt(1), rs.getInt(2))).optional()
                .orElse(new ReviewSummary(0, 0));
    }

    /** The reviews of the owner's published listings, summed from {@code listing_stats}. */
    @Override
    @Transactional(readOnly = true)
    public ReviewSummary by(long ownerId) {
        return jdbc.sql("""
                        SELECT coalesce(sum(s.reviews), 0), coalesce(sum(s.stars_total), 0) FROM listing_stats s
                        JOIN listings l ON l.id = s.listing_id WHERE l.owner_id = ? AND l.status = 'PUBLISHED'""")
                .param(ownerId).query((rs, n) -> new ReviewSummary(rs.getInt(1), rs.getInt(2))).single();
    }

    /**
     * The newest reviews first (by last edit), a page at a time: each page continues strictly after the previous
     * page's last (updated_at, reviewer), on the index listing_reviews_newest.
     *
     * @param after the previous page's {@link Page#next()}; null for the first page
     */
    @Transactional(readOnly = true)
    Page newest(long listingId, String after, int size) {
        var sql = new StringBuilder("SELECT reviewer_id, stars, body, updated_at FROM listing_reviews WHERE listing_id = :listing");
        var params = new HashMap<String, Object>(Map.of("listing", listingId, "limit", size + 1));
        if (after != null) {
            Cursor cursor = Cursor.decode(after);
            sql.append(" AND (updated_at, reviewer_id) < (:updatedAt, :reviewer)");
            params.put("updatedAt", OffsetDateTime.ofInstant(cursor.updatedAt(), ZoneOffset.UTC));
            params.put("reviewer", cursor.reviewerId());
        }
        sql.append(" ORDER BY updated_at DESC, reviewer_id DESC LIMIT :limit");
        List<Row> rows = jdbc.sql(sql.toString()).params(params).query(ListingReviews::row).list();
        boolean more = rows.size() > size;
        List<Row> page = more ? rows.subList(0, size) : rows;
        String next = null;
        if (more) {
            Row last = page.get(size - 1);
            next = new Cursor(last.updatedAt(), last.reviewerId()).encode();
        }
        return new Page(named(page), next);
    }

    private List<Review> named(List<Row> rows) {
        Map<Long, String> names = accounts.usernames(rows.stream().map(Row::reviewerId).toList());
        var reviews = new ArrayList<Review>(rows.size());
        for (Row r : rows) {
            reviews.add(new Review(names.getOrDefault(r.reviewerId(), "?"), r.stars(), r.body(), r.updatedAt()));
        }
        return reviews;
    }

    private static int parseStars(String stars) {
        try {
            int n = Integer.parseInt(stars == null ? "" : stars.strip());
            if (n >= 1 && n <= 5) {
                return n;
            }
        } catch (NumberFormatException notANumber) {
            // refused below, like a number out of range
        }
        throw new UserFacingException("stars", "market.review.error.stars");
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        return new Row(rs.getLong("reviewer_id"), rs.getInt("stars"), rs.getString("body"),
                rs.getTimestamp("updated_at").toInstant());
    }

    private record Row(long reviewerId, int stars, String body, Instant updatedAt) {
    }

    /** Who may review a listing; every value but {@link #MAY_REVIEW} names the message that says why not. */
    enum Eligibility {
        MAY_REVIEW(null), SIGN_IN("market.review.sign-in"), OWNER("market.review.refused.owner"),
        NOT_PUBLISHED("market.review.refused.not-published"), NO_LICENSE("market.review.refused.no-license");

        private final String messageKey;

        Eligibility(String messageKey) {
            this.messageKey = messageKey;
        }

        public String messageKey() {
            return messageKey;
        }
    }

    /** A signed-in user asked to review a listing they may not review. */
    static final class ReviewRefused extends RuntimeException {

        private final Eligibility reason;

        ReviewRefused(Eligibility reason) {
            super(reason.name());
            this.reason = reason;
        }

        Eligibility reason() {
            return reason;
        }
    }

    /** @param updatedAt when it was written or last edited */
    record Review(String reviewerName, int stars, String body, Instant updatedAt) {
    }

    /** @param next the cursor of the next page; null on the last page */
    record Page(List<Review> items, String next) {
    }

    /** "microseconds since the epoch.reviewer id": a review's place in newest-first order. */
    private record Cursor(Instant updatedAt, long reviewerId) {

        String encode() {
            return ChronoUnit.MICROS.between(Instant.EPOCH, updatedAt) + "." + reviewerId;
        }

        static Cursor decode(String text) {
            try {
                int dot = text.indexOf('.');
                return new Cursor(Instant.EPOCH.plus(Long.parseLong(text.substring(0, dot)), ChronoUnit.MICROS),
                        Long.parseLong(text.substring(dot + 1)));
            } catch (RuntimeException e) {
                throw new UserFacingException("after", "listing.error.bad-cursor");
            }
        }
    }
}
