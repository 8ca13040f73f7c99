package ai.aicrypto.plaza.competition.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.platform.LiveUpdates;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The leaderboards, one per phase. {@code team_standings} holds each team's best public score in a phase, kept up to
 * date as submissions are scored, so the public leaderboard is one indexed scan whatever the number of submissions. Scores are compared as
 * rank scores, higher is better (negated for lower-is-better metrics); ties go to the earlier submission.
 *
 * <p>Private scores are read only by {@link #finalizeIfDue} and {@link #finalBoard}, both of which require the
 * phase to have ended. The competition is final once its last phase is: the prizes are paid on that phase's ranking.
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

    static double rankScore(CompetitionPhase p, double score) {
        return p.metric().higherIsBetter() ? score : -score;
    }

    private static int sign(CompetitionPhase p) {
        return p.metric().higherIsBetter() ? 1 : -1;
    }

    static String topic(long competitionId) {
        return "competition." + competitionId;
    }

    /** Records a newly scored team submission in its phase's standings and tells live leaderboards. */
    void recordScored(CompetitionPhase p, long teamId, double publicScore, Instant submittedAt) {
        double rank = rankScore(p, publicScore);
        Timestamp at = Timestamp.from(submittedAt);
        jdbc.sql("""
                        INSERT INTO team_standings AS s (team_id, phase_id, best_public_score, rank_score, best_at,
                                                         entries, last_submission_at)
                        VALUES (?, ?, ?, ?, ?, 1, ?)
                        ON CONFLICT (phase_id, team_id) DO UPDATE SET
                            entries = s.entries + 1,
                            last_submission_at = greatest(s.last_submission_at, EXCLUDED.last_submission_at),
                            best_public_score = CASE WHEN (EXCLUDED.rank_score, s.best_at) > (s.rank_score, EXCLUDED.best_at)
                                                     THEN EXCLUDED.best_public_score ELSE s.best_public_score END,
                            best_at = CASE WHEN (EXCLUDED.rank_score, s.best_at) > (s.rank_score, EXCLUDED.best_at)
                                           THEN EXCLUDED.best_at ELSE s.best_at END,
                            rank_score = greatest(s.rank_score, EXCLUDED.rank_score)""")
                .params(teamId, p.id(), publicScore, rank, at, at)
                .update();
        jdbc.sql("""
                        INSERT INTO best_score_history (phase_id, at, public_score, rank_score)
                        SELECT ?, ?, ?, ?
                        WHERE NOT EXISTS (SELECT 1 FROM best_score_history WHERE phase_id = ? AND rank_score >= ?)""")
                .params(p.id(), at, publicScore, rank, p.id(), rank)
                .update();
        announce(p.competitionId());
    }

    /** Tells open leaderboard pages to fetch the board again, once the current transaction commits. */
    void announce(long competitionId) {
        live.publish(topic(competitionId), "leaderboard", "");
    }

    /**
     * Rebuilds a team's standings in every phase from its submissions, after a merge; a finalized phase is ranked
     * again on the private scores.
     */
    void recompute(List<CompetitionPhase> phases, long teamId) {
        jdbc.sql("DELETE FROM team_standings WHERE team_id = ?").param(teamId).update();
        for (CompetitionPhase p : phases) {
            insertStandings(p, teamId);
            if (p.finalized()) {
                rankFinal(p);
            }
        }
        announce(phases.get(0).competitionId());
    }

    /**
     * Rebuilds every team's standing in a phase and its best-score history from the submissions' scores, after they
     * were rescored; a finalized phase is ranked again on the private scores.
     */
    void rebuild(CompetitionPhase p) {
        jdbc.sql("DELETE FROM team_standings WHERE phase_id = ?").param(p.id()).update();
        insertStandings(p, null);
        if (p.finalized()) {
            rankFinal(p);
        }
        int sign = sign(p);
        jdbc.sql("DELETE FROM best_score_history WHERE phase_id = ?").param(p.id()).update();
        jdbc.sql("""
                        INSERT INTO best_score_history (phase_id, at, public_score, rank_score)
                        SELECT phase_id, created_at, public_score, rank
                        FROM (SELECT phase_id, created_at, public_score, public_score * ? AS rank,
                                     max(public_score * ?) OVER (ORDER BY created_at, id
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS best_before
                              FROM submissions WHERE phase_id = ? AND NOT baseline AND status = 'SCORED') s
                        WHERE best_before IS NULL OR rank > best_before""")
                .params(sign, sign, p.id())
                .update();
        announce(p.competitionId());
    }

    /**
     * Inserts the standings of one team, or of every team when {@code teamId} is null, in a phase from their scored
     * submissions.
     */
    private void insertStandings(CompetitionPhase p, Long teamId) {
        int sign = sign(p);
        jdbc.sql("""
                        INSERT INTO team_standings (team_id, phase_id, best_public_score, rank_score, best_at,
                                                    entries, last_submission_at)
                        SELECT best.team_id, ?, best.public_score, best.public_score * ?, best.created_at,
                               counts.entries, counts.last_at
                        FROM (SELECT DISTINCT ON (team_id) team_id, public_score, created_at FROM submissions
                              WHERE phase_id = ? AND NOT baseline AND status = 'SCORED'
                                AND (CAST(? AS BIGINT) IS NULL OR team_id = ?)
                              ORDER BY team_id, public_score * ? DESC, created_at) best
                        JOIN (SELECT team_id, count(*) AS entries, max(created_at) AS last_at FROM submissions
                              WHERE phase_id = ? AND NOT baseline AND status = 'SCORED'
                                AND (CAST(? AS BIGINT) IS NULL OR team_id = ?)
                              GROUP BY team_id) counts ON counts.team_id = best.team_id""")
                .params(p.id(), sign, p.id(), teamId, teamId, sign, p.id(), teamId, teamId)
                .update();
    }

    List<Row> publicBoard(CompetitionPhase p, int limit) {
        return jdbc.sql("""
                        SELECT s.team_id, t.name, s.best_public_score, s.entries, s.last_submission_at
                        FROM team_standings s JOIN teams t ON t.id = s.team_id
                        WHERE s.phase_id = ?
                        ORDER BY s.rank_score DESC, s.best_at, s.team_id LIMIT ?""")
                .params(p.id(), limit)
                .query((rs, n) -> new Row(n + 1, rs.getLong("team_id"), rs.getString("name"),
                        rs.getDouble("best_public_score"), rs.getInt("entries"),
                        rs.getTimestamp("last_submission_at").toInstant()))
                .list();
    }

    long rankedTeams(CompetitionPhase p) {
        return jdbc.sql("SELECT count(*) FROM team_standings WHERE phase_id = ?").param(p.id())
                .query(Long.class).single();
    }

    List<Baseline> baselines(CompetitionPhase p) {
        return jdbc.sql("""
                        SELECT description, public_score, created_at FROM submissions
                        WHERE phase_id = ? AND baseline AND status = 'SCORED' ORDER BY created_at""")
                .param(p.id())
                .query((rs, n) -> new Baseline(rs.getString("description"), rs.getDouble("public_score"),
                        rs.getTimestamp("created_at").toInstant()))
                .list();
    }

    /** A phase's final ranking by private score; empty until the phase is finalized. */
    List<FinalRow> finalBoard(CompetitionPhase p, int limit) {
        if (!p.finalized()) {
            return List.of();
        }
        return jdbc.sql("""
                        SELECT t.name, s.final_private_score, s.best_public_score, s.entries
                        FROM team_standings s JOIN teams t ON t.id = s.team_id
                        WHERE s.phase_id = ?
                        ORDER BY s.final_rank_score DESC NULLS LAST, s.final_at, s.team_id LIMIT ?""")
                .params(p.id(), limit)
                .query((rs, n) -> new FinalRow(n + 1, rs.getString("name"), (Double) rs.getObject("final_private_score"),
                        rs.getDouble("best_public_score"), rs.getInt("entries")))
                .list();
    }

    List<Point> history(CompetitionPhase p) {
        return jdbc.sql("SELECT at, public_score FROM best_score_history WHERE phase_id = ? ORDER BY at")
                .param(p.id())
                .query((rs, n) -> new Point(rs.getTimestamp("at").toInstant(), rs.getDouble("public_score")))
                .list();
    }

    /**
     * Once the phase has ended (or the competition was closed) and none of its submissions is waiting or being scored,
     * ranks the teams on the phase's private split ({@link #rankFinal}). When that was the competition's last phase
     * left, the competition is final.
     *
     * @return whether the phase is finalized now
     */
    @Transactional
    boolean finalizeIfDue(CompetitionPhase p, Instant now) {
        if (p.finalized()) {
            return true;
        }
        if (now.isBefore(p.closesAt())) {
            return false;
        }
        // Lock the competition row so that two instances' sweepers do not finalize twice.
        jdbc.sql("SELECT id FROM competitions WHERE id = ? FOR UPDATE").param(p.competitionId()).query(Long.class).single();
        boolean done = jdbc.sql("SELECT finalized_at IS NOT NULL FROM competition_phases WHERE id = ?").param(p.id())
                .query(Boolean.class).single();
        if (done) {
            return true;
        }
        boolean pending = jdbc.sql("""
                        SELECT count(*) > 0 FROM submissions WHERE phase_id = ? AND status IN ('TRAINING', 'QUEUED', 'SCORING')""")
                .param(p.id()).query(Boolean.class).single();
        if (pending) {
            return false;
        }
        rankFinal(p);
        jdbc.sql("UPDATE competition_phases SET finalized_at = ? WHERE id = ?").params(Timestamp.from(now), p.id()).update();
        jdbc.sql("""
                        UPDATE competitions SET finalized_at = ? WHERE id = ? AND NOT EXISTS (
                            SELECT 1 FROM competition_phases WHERE competition_id = ? AND finalized_at IS NULL)""")
                .params(Timestamp.from(now), p.competitionId(), p.competitionId()).update();
        announce(p.competitionId());
        return true;
    }

    /**
     * Scores each team's final submissions in a phase on its private split: the selected ones, or if none are selected
     * the best public ones up to the selection limit. The team's final score is the best of those.
     */
    private void rankFinal(CompetitionPhase p) {
        int sign = sign(p);
        jdbc.sql("WITH " + FINAL_CANDIDATES + """
                        , best AS (
                            SELECT DISTINCT ON (team_id) team_id, private_rank, created_at
                            FROM candidates
                            ORDER BY team_id, private_rank DESC, created_at)
                        UPDATE team_standings s
                        SET final_rank_score = best.private_rank, final_private_score = best.private_rank * ?,
                            final_at = best.created_at
                        FROM best WHERE s.team_id = best.team_id AND s.phase_id = ?""")
                .params(sign, sign, p.id(), p.finalSelections(), sign, p.id())
                .update();
    }

    /**
     * The submissions each team's final score was chosen from ({@link #rankFinal}), best team first; parameters: the
     * metric's sign twice, the phase, the selection limit.
     */
    private static final String FINAL_CANDIDATES = """
            ranked AS (
                SELECT id, team_id, selected, created_at, private_score * ? AS private_rank,
                       bool_or(selected) OVER (PARTITION BY team_id) AS any_selected,
                       row_number() OVER (PARTITION BY team_id ORDER BY public_score * ? DESC, created_at) AS position
                FROM submissions
                WHERE phase_id = ? AND NOT baseline AND status = 'SCORED'),
            candidates AS (
                SELECT * FROM ranked WHERE (any_selected AND selected) OR (NOT any_selected AND position <= ?))
            """;

    /** A submission that counted for the final ranking, for the host's download. */
    record FinalSubmission(long id, long rank, String team, String fileName, Instant submittedAt, double publicScore,
                           double privateScore, boolean selected, String blobKey, byte[] wrappedKey) {
    }

    /** Every team's final submissions in a phase, in its final ranking's order; empty until the phase is finalized. */
    List<FinalSubmission> finalSubmissions(CompetitionPhase p) {
        if (!p.finalized()) {
            return List.of();
        }
        int sign = sign(p);
        return jdbc.sql("WITH " + FINAL_CANDIDATES + """
                        , teams_ranked AS (
                            SELECT team_id, row_number() OVER (ORDER BY final_rank_score DESC NULLS LAST, final_at, team_id) AS rank
                            FROM team_standings WHERE phase_id = ?)
                        SELECT r.rank, t.name, s.id, s.file_name, s.created_at, s.public_score, s.private_score, s.selected,
                               s.blob_key, s.wrapped_data_key
                        FROM candidates c JOIN submissions s ON s.id = c.id JOIN teams t ON t.id = c.team_id
                        JOIN teams_ranked r ON r.team_id = c.team_id
                        ORDER BY r.rank, s.created_at, s.id""")
                .params(sign, sign, p.id(), p.finalSelections(), p.id())
                .query((rs, n) -> new FinalSubmission(rs.getLong("id"), rs.getLong("rank"), rs.getString("name"),
                        rs.getString("file_name"), rs.getTimestamp("created_at").toInstant(),
                        rs.getDouble("public_score"), rs.getDouble("private_score"), rs.getBoolean("selected"),
                        rs.getString("blob_key"), rs.getBytes("wrapped_data_key")))
                .list();
    }
}
