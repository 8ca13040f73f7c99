package ai.aicrypto.plaza.competition.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.platform.LiveUpdates;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The leaderboards. {@code team_standings} holds each team's best public score, kept up to date as submissions are
 * scored, so the public leaderboard is one indexed scan whatever the number of submissions. Scores are compared as
 * rank scores, higher is better (negated for lower-is-better metrics); ties go to the earlier submission.
 *
 * <p>Private scores are read only by {@link #finalizeIfDue} and {@link #finalBoard}, both of which require the
 * competition to have ended.
 */
@Component
class Standings {

    private final JdbcClient jdbc;
    private final LiveUpdates live;

    Standings(JdbcClient jdbc, LiveUpdates live) {
        this.jdbc = jdbc;
        this.live = live;
    }

    /** One row of the public leaderboard. */
    public record Row(long rank, long teamId, String team, double score, int entries, Instant lastSubmission) {
        public String scoreText() {
            return ScoreText.of(score);
        }

        public String lastSubmissionText() {
            return ScoreText.of(lastSubmission);
        }
    }

    /** One row of the final leaderboard: the private score decides, the public one is shown beside it. */
    public record FinalRow(long rank, String team, Double privateScore, double publicScore, int entries) {
        public String privateText() {
            return ScoreText.of(privateScore);
        }

        public String publicText() {
            return ScoreText.of(publicScore);
        }
    }

    /** A host's baseline: scored, shown, not ranked. */
    public record Baseline(String description, double score, Instant submittedAt) {
        public String scoreText() {
            return ScoreText.of(score);
        }
    }

    /** The competition's best public score as it improved. */
    public record Point(Instant at, double score) {
    }

    static double rankScore(Competition c, double score) {
        return c.metric().higherIsBetter() ? score : -score;
    }

    static String topic(Competition c) {
        return "competition." + c.id();
    }

    /** Records a newly scored team submission in the standings and tells live leaderboards. */
    void recordScored(Competition c, long teamId, double publicScore, Instant submittedAt) {
        double rank = rankScore(c, publicScore);
        Timestamp at = Timestamp.from(submittedAt);
        jdbc.sql("""
                        INSERT INTO team_standings AS s (team_id, competition_id, best_public_score, rank_score, best_at,
                                                         entries, last_submission_at)
                        VALUES (?, ?, ?, ?, ?, 1, ?)
                        ON CONFLICT (team_id) DO UPDATE SET
                            entries = s.entries + 1,
                            last_submission_at = greatest(s.last_submission_at, EXCLUDED.last_submission_at),
                            best_public_score = CASE WHEN (EXCLUDED.rank_score, s.best_at) > (s.rank_score, EXCLUDED.best_at)
                                                     THEN EXCLUDED.best_public_score ELSE s.best_public_score END,
                            best_at = CASE WHEN (EXCLUDED.rank_score, s.best_at) > (s.rank_score, EXCLUDED.best_at)
                                           THEN EXCLUDED.best_at ELSE s.best_at END,
                            rank_score = greatest(s.rank_score, EXCLUDED.rank_score)""")
                .params(teamId, c.id(), publicScore, rank, at, at)
                .update();
        jdbc.sql("""
                        INSERT INTO best_score_history (competition_id, at, public_score, rank_score)
                        SELECT ?, ?, ?, ?
                        WHERE NOT EXISTS (SELECT 1 FROM best_score_history WHERE competition_id = ? AND rank_score >= ?)""")
                .params(c.id(), at, publicScore, rank, c.id(), rank)
                .update();
        announce(c);
    }

    /** Tells open leaderboard pages to fetch the board again, once the current transaction commits. */
    void announce(Competition c) {
        live.publish(topic(c), "leaderboard", "");
    }

    /** Rebuilds a team's standing from its submissions, after a merge. */
    void recompute(Competition c, long teamId) {
        jdbc.sql("DELETE FROM team_standings WHERE team_id = ?").param(teamId).update();
        insertStandings(c, teamId);
        announce(c);
    }

    /**
     * Rebuilds every team's standing and the best-score history from the submissions' scores, after they were
     * rescored; a finalized competition is ranked again on the private scores.
     */
    void rebuild(Competition c) {
        jdbc.sql("DELETE FROM team_standings WHERE competition_id = ?").param(c.id()).update();
        insertStandings(c, null);
        if (c.finalized()) {
            rankFinal(c);
        }
        int sign = c.metric().higherIsBetter() ? 1 : -1;
        jdbc.sql("DELETE FROM best_score_history WHERE competition_id = ?").param(c.id()).update();
        jdbc.sql("""
                        INSERT INTO best_score_history (competition_id, at, public_score, rank_score)
                        SELECT competition_id, created_at, public_score, rank
                        FROM (SELECT competition_id, created_at, public_score, public_score * ? AS rank,
                                     max(public_score * ?) OVER (ORDER BY created_at, id
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS best_before
                              FROM submissions WHERE competition_id = ? AND NOT baseline AND status = 'SCORED') s
                        WHERE best_before IS NULL OR rank > best_before""")
                .params(sign, sign, c.id())
                .update();
        announce(c);
    }

    /** Inserts the standings of one team, or of every team when {@code teamId} is null, from their scored submissions. */
    private void insertStandings(Competition c, Long teamId) {
        int sign = c.metric().higherIsBetter() ? 1 : -1;
        jdbc.sql("""
                        INSERT INTO team_standings (team_id, competition_id, best_public_score, rank_score, best_at,
                                                    entries, last_submission_at)
                        SELECT best.team_id, ?, best.public_score, best.public_score * ?, best.created_at,
                               counts.entries, counts.last_at
                        FROM (SELECT DISTINCT ON (team_id) team_id, public_score, created_at FROM submissions
                              WHERE competition_id = ? AND NOT baseline AND status = 'SCORED'
                                AND (CAST(? AS BIGINT) IS NULL OR team_id = ?)
                              ORDER BY team_id, public_score * ? DESC, created_at) best
                        JOIN (SELECT team_id, count(*) AS entries, max(created_at) AS last_at FROM submissions
                              WHERE competition_id = ? AND NOT baseline AND status = 'SCORED'
                                AND (CAST(? AS BIGINT) IS NULL OR team_id = ?)
                              GROUP BY team_id) counts ON counts.team_id = best.team_id""")
                .params(c.id(), sign, c.id(), teamId, teamId, sign, c.id(), teamId, teamId)
                .update();
    }

    List<Row> publicBoard(Competition c, int limit) {
        return jdbc.sql("""
                        SELECT s.team_id, t.name, s.best_public_score, s.entries, s.last_submission_at
                        FROM team_standings s JOIN teams t ON t.id = s.team_id
                        WHERE s.competition_id = ?
                        ORDER BY s.rank_score DESC, s.best_at, s.team_id LIMIT ?""")
                .params(c.id(), limit)
                .query((rs, n) -> new Row(n + 1, rs.getLong("team_id"), rs.getString("name"),
                        rs.getDouble("best_public_score"), rs.getInt("entries"),
                        rs.getTimestamp("last_submission_at").toInstant()))
                .list();
    }

    long rankedTeams(Competition c) {
        return jdbc.sql("SELECT count(*) FROM team_standings WHERE competition_id = ?").param(c.id())
                .query(Long.class).single();
    }

    List<Baseline> baselines(Competition c) {
        return jdbc.sql("""
                        SELECT description, public_score, created_at FROM submissions
                        WHERE competition_id = ? AND baseline AND status = 'SCORED' ORDER BY created_at""")
                .param(c.id())
                .query((rs, n) -> new Baseline(rs.getString("description"), rs.getDouble("public_score"),
                        rs.getTimestamp("created_at").toInstant()))
                .list();
    }

    /** The final ranking by private score; empty until the competition is finalized. */
    List<FinalRow> finalBoard(Competition c, int limit) {
        if (!c.finalized()) {
            return List.of();
        }
        return jdbc.sql("""
                        SELECT t.name, s.final_private_score, s.best_public_score, s.entries
                        FROM team_standings s JOIN teams t ON t.id = s.team_id
                        WHERE s.competition_id = ?
                        ORDER BY s.final_rank_score DESC NULLS LAST, s.final_at, s.team_id LIMIT ?""")
                .params(c.id(), limit)
                .query((rs, n) -> new FinalRow(n + 1, rs.getString("name"), (Double) rs.getObject("final_private_score"),
                        rs.getDouble("best_public_score"), rs.getInt("entries")))
                .list();
    }

    List<Point> history(Competition c) {
        return jdbc.sql("SELECT at, public_score FROM best_score_history WHERE competition_id = ? ORDER BY at")
                .param(c.id())
                .query((rs, n) -> new Point(rs.getTimestamp("at").toInstant(), rs.getDouble("public_score")))
                .list();
    }

    /**
     * Once the competition has ended (or was closed) and no submission is waiting or being scored, ranks the teams
     * on the private split ({@link #rankFinal}).
     *
     * @return whether the competition is finalized now
     */
    @Transactional
    boolean finalizeIfDue(Competition c, Instant now) {
        if (c.finalized()) {
            return true;
        }
        if (now.isBefore(c.closesAt())) {
            return false;
        }
        // Lock the competition row so that two instances' sweepers do not finalize twice.
        jdbc.sql("SELECT id FROM competitions WHERE id = ? FOR UPDATE").param(c.id()).query(Long.class).single();
        boolean pending = jdbc.sql("""
                        SELECT count(*) > 0 FROM submissions WHERE competition_id = ? AND status IN ('TRAINING', 'QUEUED', 'SCORING')""")
                .param(c.id()).query(Boolean.class).single();
        if (pending) {
            return false;
        }
        rankFinal(c);
        jdbc.sql("UPDATE competitions SET finalized_at = ? WHERE id = ?").params(Timestamp.from(now), c.id()).update();
        announce(c);
        return true;
    }

    /**
     * Scores each team's final submissions on the private split: the selected ones, or if none are selected the best
     * public ones up to the selection limit. The team's final score is the best of those.
     */
    private void rankFinal(Competition c) {
        int sign = c.metric().higherIsBetter() ? 1 : -1;
        jdbc.sql("WITH " + FINAL_CANDIDATES + """
                        , best AS (
                            SELECT DISTINCT ON (team_id) team_id, private_rank, created_at
                            FROM candidates
                            ORDER BY team_id, private_rank DESC, created_at)
                        UPDATE team_standings s
                        SET final_rank_score = best.private_rank, final_private_score = best.private_rank * ?,
                            final_at = best.created_at
                        FROM best WHERE s.team_id = best.team_id""")
                .params(sign, sign, c.id(), c.finalSelections(), sign)
                .update();
    }

    /**
     * The submissions each team's final score was chosen from ({@link #rankFinal}), best team first; parameters: the
     * metric's sign twice, the competition, the selection limit.
     */
    private static final String FINAL_CANDIDATES = """
            ranked AS (
                SELECT id, team_id, selected, created_at, private_score * ? AS private_rank,
                       bool_or(selected) OVER (PARTITION BY team_id) AS any_selected,
                       row_number() OVER (PARTITION BY team_id ORDER BY public_score * ? DESC, created_at) AS position
                FROM submissions
                WHERE competition_id = ? AND NOT baseline AND status = 'SCORED'),
            candidates AS (
                SELECT * FROM ranked WHERE (any_selected AND selected) OR (NOT any_selected AND position <= ?))
            """;

    /** A submission that counted for the final ranking, for the host's download. */
    record FinalSubmission(long id, long rank, String team, String fileName, Instant submittedAt, double publicScore,
                           double privateScore, boolean selected, String blobKey, byte[] wrappedKey) {
    }

    /** Every team's final submissions, in the final ranking's order; empty until the competition is finalized. */
    List<FinalSubmission> finalSubmissions(Competition c) {
        if (!c.finalized()) {
            return List.of();
        }
        int sign = c.metric().higherIsBetter() ? 1 : -1;
        return jdbc.sql("WITH " + FINAL_CANDIDATES + """
                        , teams_ranked AS (
                            SELECT team_id, row_number() OVER (ORDER BY final_rank_score DESC NULLS LAST, final_at, team_id) AS rank
                            FROM team_standings WHERE competition_id = ?)
                        SELECT r.rank, t.name, s.id, s.file_name, s.created_at, s.public_score, s.private_score, s.selected,
                               s.blob_key, s.wrapped_data_key
                        FROM candidates c JOIN submissions s ON s.id = c.id JOIN teams t ON t.id = c.team_id
                        JOIN teams_ranked r ON r.team_id = c.team_id
                        ORDER BY r.rank, s.created_at, s.id""")
                .params(sign, sign, c.id(), c.finalSelections(), c.id())
                .query((rs, n) -> new FinalSubmission(rs.getLong("id"), rs.getLong("rank"), rs.getString("name"),
                        rs.getString("file_name"), rs.getTimestamp("created_at").toInstant(),
                        rs.getDouble("public_score"), rs.getDouble("private_score"), rs.getBoolean("selected"),
                        rs.getString("blob_key"), rs.getBytes("wrapped_data_key")))
                .list();
    }
}
