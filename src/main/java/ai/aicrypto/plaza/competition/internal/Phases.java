package ai.aicrypto.plaza.competition.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.competition.scoring.Metric;
import ai.aicrypto.plaza.platform.NotFoundException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Reading the phases of competitions ({@link PhaseSetup} makes them). Phases do not overlap and lie inside the
 * competition's start and end.
 */
@Component
class Phases {

    private static final String SELECT = """
            SELECT p.*, c.metric, c.final_selections, c.closed_at FROM competition_phases p
            JOIN competitions c ON c.id = p.competition_id""";

    private final JdbcClient jdbc;

    Phases(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The phases of a competition, first first. */
    List<CompetitionPhase> of(Competition c) {
        return jdbc.sql(SELECT + " WHERE p.competition_id = ? ORDER BY p.seq").param(c.id()).query(Phases::row).list();
    }

    CompetitionPhase find(long phaseId) {
        return jdbc.sql(SELECT + " WHERE p.id = ?").param(phaseId).query(Phases::row).optional()
                .orElseThrow(NotFoundException::new);
    }

    /** Phase number {@code seq} of the competition; a 404 when it has none. */
    CompetitionPhase bySeq(Competition c, int seq) {
        return jdbc.sql(SELECT + " WHERE p.competition_id = ? AND p.seq = ?").params(c.id(), seq).query(Phases::row)
                .optional().orElseThrow(NotFoundException::new);
    }

    /** The last phase: its private ranking is the competition's final one, which the prizes are paid on. */
    CompetitionPhase last(Competition c) {
        List<CompetitionPhase> all = of(c);
        return all.get(all.size() - 1);
    }

    /**
     * The phase a page shows: the one asked for by number, else the open one, else the latest that has started,
     * else the first.
     */
    CompetitionPhase shown(Competition c, Integer seq, Instant now) {
        if (seq != null) {
            return bySeq(c, seq);
        }
        List<CompetitionPhase> all = of(c);
        CompetitionPhase shown = all.get(0);
        for (CompetitionPhase p : all) {
            if (p.started(now)) {
                shown = p;
            }
        }
        return shown;
    }

    static CompetitionPhase row(ResultSet rs, int n) throws SQLException {
        Timestamp finalized = rs.getTimestamp("finalized_at");
        Timestamp closed = rs.getTimestamp("closed_at");
        return new CompetitionPhase(rs.getLong("id"), rs.getLong("competition_id"), rs.getInt("seq"),
                rs.getString("name"), rs.getTimestamp("opens_at").toInstant(), rs.getTimestamp("closes_at").toInstant(),
                rs.getInt("submissions_per_day"), rs.getInt("public_percent"), rs.getLong("split_seed"),
                rs.getInt("test_rows"), rs.getString("solution_blob_key"),
                finalized == null ? null : finalized.toInstant(), Metric.valueOf(rs.getString("metric")),
                rs.getInt("final_selections"), closed == null ? null : closed.toInstant(),
                CompetitionPhase.InputKind.valueOf(rs.getString("test_inputs")));
    }
}
