package ai.aicrypto.plaza.competition.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Joining and teams. Joining makes a team of one; a team invites a participant of another team, and when one of
 * that team's members accepts, the whole team merges into the inviting one, before the merge deadline and within
 * the maximum team size.
 */
@Service
class TeamService {

    private final JdbcClient jdbc;
    private final Standings standings;
    private final Phases phases;

    TeamService(JdbcClient jdbc, Standings standings, Phases phases) {
        this.jdbc = jdbc;
        this.standings = standings;
        this.phases = phases;
    }

    /** A team as its members see it. */
    public record Team(long id, String name, List<String> members) {
    }

    /** An invitation to merge into {@code fromTeam}. */
    public record Invite(long id, String fromTeam, List<String> fromMembers) {
    }

    @Transactional
    void join(Competition competition, AccountPrincipal me, boolean acceptRules, Instant now) {
        if (competition.hostedBy(me)) {
            throw new UserFacingException(null, "competition.error.host-joins");
        }
        if (!acceptRules) {
            throw new UserFacingException("acceptRules", "competition.error.accept-rules");
        }
        if (!now.isBefore(competition.closesAt())) {
            throw new UserFacingException(null, "competition.error.ended");
        }
        if (teamOf(competition.id(), me.id()).isPresent()) {
            return;
        }
        long team = jdbc.sql("INSERT INTO teams (competition_id, name, created_at) VALUES (?, ?, ?) RETURNING id")
                .params(competition.id(), me.getUsername(), Timestamp.from(now)).query(Long.class).single();
        jdbc.sql("INSERT INTO participants (competition_id, user_id, team_id, joined_at) VALUES (?, ?, ?, ?)")
                .params(competition.id(), me.id(), team, Timestamp.from(now)).update();
    }

    Optional<Team> teamOf(long competitionId, long userId) {
        return jdbc.sql("""
                        SELECT t.id, t.name FROM participants p JOIN teams t ON t.id = p.team_id
                        WHERE p.competition_id = ? AND p.user_id = ?""")
                .params(competitionId, userId)
                .query((rs, n) -> new Team(rs.getLong("id"), rs.getString("name"), members(rs.getLong("id"))))
                .optional();
    }

    /** The caller's team, or 404 for someone who has not joined. */
    Team requireTeam(Competition competition, AccountPrincipal me) {
        return teamOf(competition.id(), me.id()).orElseThrow(NotFoundException::new);
    }

    List<Invite> invitesTo(long teamId) {
        return jdbc.sql("""
                        SELECT i.id, t.id AS team_id, t.name FROM team_invites i JOIN teams t ON t.id = i.from_team_id
                        WHERE i.to_team_id = ? ORDER BY i.id""")
                .param(teamId)
                .query((rs, n) -> new Invite(rs.getLong("id"), rs.getString("name"), members(rs.getLong("team_id"))))
                .list();
    }

    /** Invites the team of participant {@code username} to merge into the caller's team. */
    @Transactional
    void invite(Competition competition, AccountPrincipal me, String username, Instant now) {
        Team mine = requireTeam(competition, me);
        checkMergeOpen(competition, now);
        Long theirs = jdbc.sql("""
                        SELECT p.team_id FROM participants p JOIN users u ON u.id = p.user_id
                        WHERE p.competition_id = ? AND lower(u.username) = lower(?)""")
                .params(competition.id(), username == null ? "" : username.strip())
                .query(Long.class).optional()
                .orElseThrow(() -> new UserFacingException("username", "competition.error.not-a-participant", username));
        if (theirs == mine.id()) {
            throw new UserFacingException("username", "competition.error.same-team");
        }
        checkSize(competition, mine.id(), theirs);
        jdbc.sql("INSERT INTO team_invites (from_team_id, to_team_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                .params(mine.id(), theirs, Timestamp.from(now)).update();
    }

    /** Merges the caller's team into the team that invited it: members and submissions move, selections reset. */
    @Transactional
    void accept(Competition competition, AccountPrincipal me, long inviteId, Instant now) {
        Team mine = requireTeam(competition, me);
        long into = jdbc.sql("SELECT from_team_id FROM team_invites WHERE id = ? AND to_team_id = ?")
                .params(inviteId, mine.id()).query(Long.class).optional().orElseThrow(NotFoundException::new);
        checkMergeOpen(competition, now);
        // Lock both teams in id order so that two merges at once cannot both pass the size check.
        jdbc.sql("SELECT id FROM teams WHERE id IN (?, ?) ORDER BY id FOR UPDATE").params(mine.id(), into)
                .query(Long.class).list();
        checkSize(competition, into, mine.id());
        // Merging must not lift a team over today's quota of the open phase: that would let several accounts probe
        // the public leaderboard and then join up.
        List<CompetitionPhase> all = phases.of(competition);
        Optional<CompetitionPhase> open = all.stream().filter(p -> p.open(now)).findFirst();
        if (open.isPresent()) {
            long today = usedToday(List.of(into, mine.id()), open.get().id(), now);
            if (today > open.get().submissionsPerDay()) {
                throw new UserFacingException(null, "competition.error.merge-quota", today, open.get().submissionsPerDay());
            }
        }
        jdbc.sql("UPDATE participants SET team_id = ? WHERE team_id = ?").params(into, mine.id()).update();
        // Selections reset in the phases not yet final: those that are keep the ranking they were given.
        String unfinalized = "phase_id IN (SELECT id FROM competition_phases WHERE competition_id = ? AND finalized_at IS NULL)";
        jdbc.sql("UPDATE submissions SET team_id = ? WHERE team_id = ?").params(into, mine.id()).update();
        jdbc.sql("UPDATE submissions SET selected = false WHERE team_id = ? AND " + unfinalized)
                .params(into, competition.id()).update();
        jdbc.sql("DELETE FROM teams WHERE id = ?").param(mine.id()).update();
        standings.recompute(all, into);
    }

    /**
     * Submissions the teams made in a phase today (the UTC day of {@code now}) that count against its daily quota: all
     * but failed ones (rejected files are never stored).
     */
    long usedToday(List<Long> teamIds, long phaseId, Instant now) {
        Instant day = now.atOffset(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).toInstant();
        return jdbc.sql("""
                        SELECT count(*) FROM submissions
                        WHERE team_id = ANY (?) AND phase_id = ? AND status <> 'FAILED' AND created_at >= ? AND created_at < ?""")
                .params(teamIds.toArray(Long[]::new), phaseId, Timestamp.from(day), Timestamp.from(day.plus(1, ChronoUnit.DAYS)))
                .query(Long.class).single();
    }

    private List<String> members(long teamId) {
        return jdbc.sql("SELECT u.username FROM participants p JOIN users u ON u.id = p.user_id WHERE p.team_id = ? ORDER BY p.joined_at, u.id")
                .param(teamId).query(String.class).list();
    }

    private void checkMergeOpen(Competition competition, Instant now) {
        if (!now.isBefore(competition.mergeDeadline())) {
            throw new UserFacingException(null, "competition.error.merge-closed");
        }
    }

    private void checkSize(Competition competition, long teamA, long teamB) {
        long size = jdbc.sql("SELECT count(*) FROM participants WHERE team_id IN (?, ?)").params(teamA, teamB)
                .query(Long.class).single();
        if (size > competition.maxTeamSize()) {
            throw new UserFacingException("username", "competition.error.team-too-large", competition.maxTeamSize());
        }
    }
}
