package ai.aicrypto.plaza.discussion.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.competition.Competitions.CompetitionRef;
import ai.aicrypto.plaza.platform.MarkdownRenderer;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Every change to a discussion, and who may make it: members start threads and reply, the author edits and deletes
 * their own posts, the competition's host and admins remove anyone's (with a reason) and pin announcements. A thread
 * or post id is always looked up within the competition of the URL, so another competition's ids are not found.
 */
@Service
class DiscussionService {

    static final int MAX_TITLE = 140;
    static final int MAX_BODY = 20_000;
    static final int MAX_REASON = 500;
    private static final Set<Integer> ALLOWED_CONTROLS = Set.of((int) '\t', (int) '\n', (int) '\r');

    private final JdbcClient jdbc;
    private final Accounts accounts;
    private final MarkdownRenderer markdown;
    private final Clock clock;

    DiscussionService(JdbcClient jdbc, Accounts accounts, MarkdownRenderer markdown, Clock clock) {
        this.jdbc = jdbc;
        this.accounts = accounts;
        this.markdown = markdown;
        this.clock = clock;
    }

    /** A thread as the list shows it; a deleted one is listed (as a placeholder) only while it has live replies. */
    public record ThreadSummary(long id, String title, String author, boolean pinned, boolean deleted, long replies,
                                Instant lastActivityAt) {
    }

    public record Post(long id, boolean opening, Long replyToId, long authorId, String author, String body, String html,
                Instant createdAt, Instant editedAt, Instant deletedAt, String deletedAs, String deleteReason) {

        public boolean deleted() {
            return deletedAt != null;
        }
    }

    public record ThreadView(long id, String title, boolean pinned, List<Post> posts) {

        public Post opening() {
            return posts.get(0);
        }

        public boolean deleted() {
            return opening().deleted();
        }
    }

    static boolean moderates(CompetitionRef competition, AccountPrincipal who) {
        return who != null && (who.id() == competition.hostId() || who.isAdmin());
    }

    /** Pinned threads first (the latest pinned first), then by last activity; at most {@code limit}. */
    List<ThreadSummary> threads(CompetitionRef competition, int limit) {
        record Row(long id, String title, long authorId, boolean pinned, boolean deleted, long replies, Instant lastActivityAt) {
        }
        List<Row> rows = jdbc.sql("""
                        SELECT t.id, t.title, t.author_id, t.pinned_at IS NOT NULL AS pinned, o.deleted_at IS NOT NULL AS deleted,
                               count(r.id) FILTER (WHERE r.deleted_at IS NULL) AS replies,
                               greatest(t.created_at, max(r.created_at) FILTER (WHERE r.deleted_at IS NULL)) AS last_activity
                        FROM discussion_threads t
                        JOIN discussion_posts o ON o.thread_id = t.id AND o.opening
                        LEFT JOIN discussion_posts r ON r.thread_id = t.id AND NOT r.opening
                        WHERE t.competition_id = ?
                        GROUP BY t.id, o.id
                        HAVING o.deleted_at IS NULL OR count(r.id) FILTER (WHERE r.deleted_at IS NULL) > 0
                        ORDER BY t.pinned_at DESC NULLS LAST, last_activity DESC, t.id DESC
                        LIMIT ?""")
                .params(competition.id(), limit)
                .query((rs, n) -> new Row(rs.getLong("id"), rs.getString("title"), rs.getLong("author_id"),
                        rs.getBoolean("pinned"), rs.getBoolean("deleted"), rs.getLong("replies"), instant(rs, "last_activity")))
                .list();
        Map<Long, String> names = accounts.usernames(rows.stream().map(Row::authorId).toList());
        return rows.stream().map(r -> new ThreadSummary(r.id(), r.deleted() ? "" : r.title(), names.get(r.authorId()),
                r.pinned(), r.deleted(), r.replies(), r.lastActivityAt())).toList();
    }

    /** The thread with every post, oldest first (the opening post first); 404 unless it is the competition's. */
    ThreadView thread(CompetitionRef competition, long threadId) {
        record Head(long id, String title, boolean pinned) {
        }
        Head head = jdbc.sql("SELECT id, title, pinned_at IS NOT NULL AS pinned FROM discussion_threads WHERE id = ? AND competition_id = ?")
                .params(threadId, competition.id())
                .query((rs, n) -> new Head(rs.getLong("id"), rs.getString("title"), rs.getBoolean("pinned")))
                .optional().orElseThrow(NotFoundException::new);
        record Row(long id, boolean opening, Long replyToId, long authorId, String body, Instant createdAt, Instant editedAt,
                   Instant deletedAt, String deletedAs, String deleteReason) {
        }
        List<Row> rows = jdbc.sql("SELECT * FROM discussion_posts WHERE thread_id = ? ORDER BY opening DESC, id")
                .param(threadId)
                .query((rs, n) -> new Row(rs.getLong("id"), rs.getBoolean("opening"), rs.getObject("reply_to_id", Long.class),
                        rs.getLong("author_id"), rs.getString("body"), instant(rs, "created_at"), instant(rs, "edited_at"),
                        instant(rs, "deleted_at"), rs.getString("deleted_as"), rs.getString("delete_reason")))
                .list();
        Map<Long, String> names = accounts.usernames(rows.stream().map(Row::authorId).toList());
        List<Post> posts = rows.stream().map(r -> new Post(r.id(), r.opening(), r.replyToId(), r.authorId(),
                names.get(r.authorId()), r.body(), r.deletedAt() == null ? markdown.toPostHtml(r.body()) : "", r.createdAt(),
                r.editedAt(), r.deletedAt(), r.deletedAs(), r.deleteReason())).toList();
        return new ThreadView(head.id(), posts.get(0).deleted() ? "" : head.title(), head.pinned(), posts);
    }

    /** A new thread; an announcement (pinned from the start) only from the host or an admin. */
    @Transactional
    long startThread(CompetitionRef competition, AccountPrincipal author, String title, String body, boolean announcement) {
        if (announcement && !moderates(competition, author)) {
            throw new AccessDeniedException("only the host or an admin pins");
        }
        String validTitle = title(title);
        String validBody = body(body);
        Instant now = clock.instant();
        long threadId = jdbc.sql("""
                        INSERT INTO discussion_threads (competition_id, author_id, title, pinned_at, pinned_by, created_at)
                        VALUES (?, ?, ?, ?, ?, ?) RETURNING id""")
                .params(competition.id(), author.id(), validTitle, announcement ? Timestamp.from(now) : null,
                        announcement ? author.id() : null, Timestamp.from(now))
                .query(Long.class).single();
        insertPost(threadId, true, null, author, validBody, now);
        return threadId;
    }

    /** A reply to the thread, or to one of its posts ({@code replyTo}); returns the new post's id. */
    @Transactional
    long reply(CompetitionRef competition, long threadId, AccountPrincipal author, String body, Long replyTo) {
        ThreadView thread = thread(competition, threadId);
        if (thread.deleted()) {
            throw new UserFacingException("body", "discussion.thread.deleted");
        }
        if (replyTo != null && thread.posts().stream().noneMatch(p -> p.id() == replyTo)) {
            throw new UserFacingException("body", "discussion.reply-to.unknown");
        }
        return insertPost(threadId, false, replyTo, author, body(body), clock.instant());
    }

    /** The author's own post, not deleted; {@code title} is the thread's, changed only with its opening post. */
    Post editable(CompetitionRef competition, long threadId, long postId, AccountPrincipal who) {
        Post post = post(competition, threadId, postId);
        if (post.authorId() != who.id()) {
            throw new AccessDeniedException("only the author edits a post");
        }
        if (post.deleted()) {
            throw new UserFacingException("body", "discussion.post.deleted");
        }
        return post;
    }

    @Transactional
    void edit(CompetitionRef competition, long threadId, long postId, AccountPrincipal who, String title, String body) {
        Post post = editable(competition, threadId, postId, who);
        String validTitle = post.opening() ? title(title) : null;
        String validBody = body(body);
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.sql("UPDATE discussion_posts SET body = ?, edited_at = ? WHERE id = ?").params(validBody, now, postId).update();
        if (validTitle != null) {
            jdbc.sql("UPDATE discussion_threads SET title = ?, edited_at = ? WHERE id = ?").params(validTitle, now, threadId).update();
        }
    }

    /**
     * Deletes a post (its opening post: the thread, which is unpinned). The author's own needs no reason; the host or
     * an admin removing someone else's gives one, which the placeholder shows. The text is cleared.
     */
    @Transactional
    void delete(CompetitionRef competition, long threadId, long postId, AccountPrincipal who, String reason) {
        Post post = post(competition, threadId, postId);
        boolean byAuthor = post.authorId() == who.id();
        if (!byAuthor && !moderates(competition, who)) {
            throw new AccessDeniedException("only the author, the host or an admin deletes a post");
        }
        if (post.deleted()) {
            throw new UserFacingException("reason", "discussion.post.deleted");
        }
        String validReason = reason == null ? "" : reason.strip();
        if (!byAuthor && validReason.isEmpty()) {
            throw new UserFacingException("reason", "discussion.reason.required");
        }
        if (validReason.codePointCount(0, validReason.length()) > MAX_REASON) {
            throw new UserFacingException("reason", "discussion.reason.too-long", MAX_REASON);
        }
        checkText("reason", validReason);
        jdbc.sql("""
                        UPDATE discussion_posts SET body = '', deleted_at = ?, deleted_by = ?, deleted_as = ?, delete_reason = ?
                        WHERE id = ?""")
                .params(Timestamp.from(clock.instant()), who.id(), byAuthor ? "AUTHOR" : "MODERATOR",
                        validReason.isEmpty() ? null : validReason, postId)
                .update();
        if (post.opening()) {
            jdbc.sql("UPDATE discussion_threads SET pinned_at = NULL, pinned_by = NULL WHERE id = ?").param(threadId).update();
        }
    }

    /** Pins (an announcement, listed first) or unpins a thread: the host or an admin only. */
    @Transactional
    void pin(CompetitionRef competition, long threadId, AccountPrincipal who, boolean pinned) {
        ThreadView thread = thread(competition, threadId); // another competition's thread is not found, not refused
        if (!moderates(competition, who)) {
            throw new AccessDeniedException("only the host or an admin pins");
        }
        if (pinned && thread.deleted()) {
            throw new UserFacingException(null, "discussion.thread.deleted");
        }
        Instant now = clock.instant();
        jdbc.sql("UPDATE discussion_threads SET pinned_at = ?, pinned_by = ? WHERE id = ?")
                .params(pinned ? Timestamp.from(now) : null, pinned ? who.id() : null, threadId)
                .update();
    }

    /** Markdown as a post would show it, for the preview; checked like a post. */
    String preview(String body) {
        return markdown.toPostHtml(body(body));
    }

    private Post post(CompetitionRef competition, long threadId, long postId) {
        return thread(competition, threadId).posts().stream().filter(p -> p.id() == postId).findFirst()
                .orElseThrow(NotFoundException::new);
    }

    private long insertPost(long threadId, boolean opening, Long replyTo, AccountPrincipal author, String body, Instant now) {
        return jdbc.sql("""
                        INSERT INTO discussion_posts (thread_id, opening, reply_to_id, author_id, body, created_at)
                        VALUES (?, ?, ?, ?, ?, ?) RETURNING id""")
                .params(threadId, opening, replyTo, author.id(), body, Timestamp.from(now))
                .query(Long.class).single();
    }

    private static String title(String title) {
        String stripped = title == null ? "" : title.strip();
        if (stripped.isEmpty()) {
            throw new UserFacingException("title", "discussion.title.required");
        }
        if (stripped.codePointCount(0, stripped.length()) > MAX_TITLE) {
            throw new UserFacingException("title", "discussion.title.too-long", MAX_TITLE);
        }
        checkText("title", stripped);
        return stripped;
    }

    private static String body(String body) {
        String stripped = body == null ? "" : body.strip();
        if (stripped.isEmpty()) {
            throw new UserFacingException("body", "discussion.body.required");
        }
        int length = stripped.codePointCount(0, stripped.length());
        if (length > MAX_BODY) {
            throw new UserFacingException("body", "discussion.body.too-long", MAX_BODY, length);
        }
        checkText("body", stripped);
        return stripped;
    }

    /** Control characters other than tab and line breaks (PostgreSQL refuses NUL in text) are refused, not stored. */
    private static void checkText(String field, String text) {
        if (text.codePoints().anyMatch(c -> Character.getType(c) == Character.CONTROL && !ALLOWED_CONTROLS.contains(c))) {
            throw new UserFacingException(field, "discussion.text.control");
        }
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
