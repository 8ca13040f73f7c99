/**
 * Discussions: a discussion per competition (threads, replies in Markdown rendered safely, host announcements pinned
 * first, edits and deletions by the author, moderation by the competition's host and admins), the seed of the
 * whitepaper's AI Crypto Society.
 * <p>
 * A module of its own rather than part of {@code competition}: a conversation is not competition state (nothing in
 * scoring, teams or prizes reads it), {@code competition} is already the plaza's largest module, and the Society will
 * hang discussions on other things than competitions. It needs only {@code Competitions.publicCompetition} (whether
 * the competition exists and may be seen, and who hosts it) and {@code account}; nothing depends on it (the
 * competition page loads its discussion section by URL), so it has no public API of its own.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Discussions")
package ai.aicrypto.plaza.discussion;
