package ai.aicrypto.plaza.competition.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.competition.scoring.SubmissionValidator;
import ai.aicrypto.plaza.dataset.TrainableDataset;
import ai.aicrypto.plaza.model.ModelRuns;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.storage.DataKeys;
import ai.aicrypto.plaza.storage.PendingBlobs;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Taking submissions: checks who may submit and when, validates the file against the solution before anything
 * counts (a rejected file is not stored and uses no quota), stores it encrypted and queues it for scoring. A
 * submission belongs to the phase open when it is made, and is checked against that phase's solution. The daily quota
 * is the phase's, per team and per UTC day, counting every submission of the phase that has not failed.
 */
@Service
class SubmissionService {

    static final String FILE_CONTEXT = "competition:submission";
    private static final Pattern SAFE_FILE_NAME = Pattern.compile("[^/\\\\\\x00-\\x1f]{1,255}");
    private static final int MAX_DESCRIPTION = 500;

    /** Published in the submitting transaction; the scoring runner picks the row up once it is committed. */
    record Queued(long submissionId) {
    }

    private final JdbcClient jdbc;
    private final CompetitionService competitions;
    private final TeamService teams;
    private final PendingBlobs pendingBlobs;
    private final DataKeys dataKeys;
    private final TransactionTemplate transaction;
    private final ApplicationEventPublisher events;
    private final CodeSubmissions code;
    private final DataCompetitions data;
    private final Phases phases;

    SubmissionService(JdbcClient jdbc, CompetitionService competitions, TeamService teams, PendingBlobs pendingBlobs,
                      DataKeys dataKeys, TransactionTemplate transaction, ApplicationEventPublisher events,
                      CodeSubmissions code, DataCompetitions data, Phases phases) {
        this.phases = phases;
        this.code = code;
        this.data = data;
        this.jdbc = jdbc;
        this.competitions = competitions;
        this.teams = teams;
        this.pendingBlobs = pendingBlobs;
        this.dataKeys = dataKeys;
        this.transaction = transaction;
        this.events = events;
    }

    /**
     * Takes a predictions CSV from a participant (for their team) or from the host (a baseline).
     *
     * @throws UserFacingException when this user may not submit now
     * @throws ai.aicrypto.plaza.competition.scoring.SubmissionRejected when the file is not a valid submission
     */
    Submission submit(Competition c, AccountPrincipal me, Path file, String fileName, String description) {
        Long teamId = submittingTeam(c, me);
        String text = checkedDescription(description);
        if (fileName == null || !SAFE_FILE_NAME.matcher(fileName).matches() || fileName.contains("..")) {
            throw new UserFacingException("file", "competition.error.file-name");
        }
        CompetitionPhase phase = checkOpen(c, teamId, competitions.now());
        refuseInDataCompetition(c);
        if (c.modelsOnly()) { // its test inputs are hidden: a file could only be guessed
            throw new UserFacingException(null, "competition.error.models-only");
        }

        try (InputStream in = Files.newInputStream(file)) {
            SubmissionValidator.validate(competitions.solution(c, phase), in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DataKeys.DataKey key = dataKeys.generate();
        String blobKey;
        try (InputStream in = Files.newInputStream(file)) {
            blobKey = pendingBlobs.encrypt(key, in, FILE_CONTEXT).key();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return queue(c, phase, me, teamId, text, fileName, blobKey, key.wrapped(), null, null);
        } catch (RuntimeException e) {
            pendingBlobs.discard(blobKey);
            throw e;
        }
    }

    /**
     * Takes a model the participant (or the host, as a baseline) owns as a code submission: checked now against the
     * competition (test inputs, what the metric scores, the columns it reads), run on the hidden test inputs when
     * it is scored.
     *
     * @throws UserFacingException when this user may not submit now or the model cannot answer this competition
     */
    Submission submitModel(Competition c, AccountPrincipal me, long modelId, String description) {
        Long teamId = submittingTeam(c, me);
        String text = checkedDescription(description);
        CompetitionPhase phase = checkOpen(c, teamId, competitions.now());
        refuseInDataCompetition(c);
        ModelRuns.RunnableModel model = code.check(c, phase, competitions.solution(c, phase), me.id(), modelId);
        return queue(c, phase, me, teamId, text, fileName(model.title()), null, null, model.id(), null);
    }

    /**
     * Takes a dataset of the participant's (or the host's, as a baseline) in a data competition: checked now against
     * the competition's format, then the fixed model is trained on it on the fleet and scored like a code submission.
     *
     * @throws UserFacingException when this user may not submit now or the dataset is not theirs or not in the format
     */
    Submission submitData(Competition c, AccountPrincipal me, long datasetId, String description) {
        Long teamId = submittingTeam(c, me);
        String text = checkedDescription(description);
        CompetitionPhase phase = checkOpen(c, teamId, competitions.now());
        TrainableDataset dataset = data.checkDataset(c, me.id(), datasetId);
        return queue(c, phase, me, teamId, text, fileName(dataset.title()), null, null, null, dataset.id());
    }

    /** Predictions are not what a data competition asks for: it trains its own model on the data submitted. */
    private void refuseInDataCompetition(Competition c) {
        if (data.isData(c)) {
            throw new UserFacingException(null, "competition.error.data-only");
        }
    }

    private static String fileName(String title) {
        return title.length() > 255 ? title.substring(0, 255) : title;
    }

    /** The submitter's team; none for the host's baselines. */
    private Long submittingTeam(Competition c, AccountPrincipal me) {
        return c.hostedBy(me) ? null
                : teams.teamOf(c.id(), me.id()).map(TeamService.Team::id)
                        .orElseThrow(() -> new UserFacingException(null, "competition.error.join-first"));
    }

    private static String checkedDescription(String description) {
        String text = description == null ? "" : description.strip();
        if (text.length() > MAX_DESCRIPTION) {
            throw new UserFacingException("description", "competition.error.description", MAX_DESCRIPTION);
        }
        return text;
    }

    /**
     * Records the submission in {@code phase} as queued, once the team's quota allows it and the phase is still the
     * one taking submissions, and tells the scoring runner; a dataset's submission is recorded as training, with its
     * training job queued in the same transaction.
     */
    private Submission queue(Competition c, CompetitionPhase phase, AccountPrincipal me, Long teamId,
                             String description, String fileName, String blobKey, byte[] wrappedKey, Long modelId,
                             Long datasetId) {
        long id = transaction.execute(status -> {
            Instant now = competitions.now();
            if (teamId != null) {
                // One submission at a time per team, so that two at once cannot both take the last slot.
                jdbc.sql("SELECT id FROM teams WHERE id = ? FOR UPDATE").param(teamId).query(Long.class).single();
            }
            if (checkOpen(c, teamId, now).id() != phase.id()) {
                throw new UserFacingException(null, "competition.error.phase-changed");
            }
            Long job = datasetId == null ? null : data.startTraining(c, me.id(), datasetId);
            long created = jdbc.sql("""
                            INSERT INTO submissions (competition_id, phase_id, team_id, submitter_id, baseline, description,
                                                     file_name, blob_key, wrapped_data_key, model_id, dataset_id,
                                                     training_job_id, training_started_at, status, created_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""")
                    .params(c.id(), phase.id(), teamId, me.id(), teamId == null, description, fileName, blobKey, wrappedKey, modelId,
                            datasetId, job, job == null ? null : Timestamp.from(now), job == null ? "QUEUED" : "TRAINING",
                            Timestamp.from(now))
                    .query(Long.class).single();
            if (blobKey != null) {
                pendingBlobs.kept(blobKey);
            }
            if (job == null) {
                events.publishEvent(new Queued(created));
            }
            return created;
        });
        return find(c, id);
    }

    /**
     * Deadlines and, for teams, the phase's daily quota.
     *
     * @return the phase a submission made now belongs to: the open one; for the host's baselines, before a phase
     * opens, the next one
     */
    private CompetitionPhase checkOpen(Competition c, Long teamId, Instant now) {
        if (!now.isBefore(c.closesAt())) {
            throw new UserFacingException(null, "competition.error.ended");
        }
        List<CompetitionPhase> all = phases.of(c);
        CompetitionPhase open = all.stream().filter(p -> p.open(now)).findFirst().orElse(null);
        CompetitionPhase next = all.stream().filter(p -> !p.started(now)).findFirst().orElse(null);
        if (teamId == null) {
            // The host may submit baselines before a phase opens.
            return open != null ? open : Optional.ofNullable(next)
                    .orElseThrow(() -> new UserFacingException(null, "competition.error.ended"));
        }
        if (open == null && next == null) {
            throw new UserFacingException(null, "competition.error.ended");
        }
        if (open == null && next.seq() == 1) {
            throw new UserFacingException(null, "competition.error.not-started");
        }
        if (open == null) {
            throw new UserFacingException(null, "competition.error.between-phases", next.name(),
                    PhaseSetup.shown(next.opensAt()));
        }
        if (teams.usedToday(List.of(teamId), open.id(), now) >= open.submissionsPerDay()) {
            throw new UserFacingException(null, "competition.error.quota", open.submissionsPerDay());
        }
        return open;
    }

    /** The caller's team's submissions, or the host's baselines, newest first. */
    List<Submission> mine(Competition c, AccountPrincipal me) {
        if (c.hostedBy(me)) {
            return jdbc.sql("SELECT * FROM submissions WHERE competition_id = ? AND baseline ORDER BY id DESC")
                    .param(c.id()).query(SubmissionService::row).list();
        }
        long team = teams.requireTeam(c, me).id();
        return jdbc.sql("SELECT * FROM submissions WHERE team_id = ? ORDER BY id DESC")
                .param(team).query(SubmissionService::row).list();
    }

    /** One of the caller's (team's) submissions; anyone else's is a 404. */
    Submission mineById(Competition c, AccountPrincipal me, long id) {
        return mine(c, me).stream().filter(s -> s.id() == id).findFirst().orElseThrow(NotFoundException::new);
    }

    /**
     * Selects or deselects a scored submission for its phase's final ranking, up to the competition's limit per phase,
     * until the phase ends.
     */
    @Transactional
    void toggleSelection(Competition c, AccountPrincipal me, long id) {
        long team = teams.requireTeam(c, me).id();
        jdbc.sql("SELECT id FROM teams WHERE id = ? FOR UPDATE").param(team).query(Long.class).single();
        Submission s = jdbc.sql("SELECT * FROM submissions WHERE id = ? AND team_id = ?").params(id, team)
                .query(SubmissionService::row).optional().orElseThrow(NotFoundException::new);
        if (phases.find(s.phaseId()).ended(competitions.now())) {
            throw new UserFacingException(null, "competition.error.phase-ended");
        }
        if (!s.scored()) {
            throw new UserFacingException(null, "competition.error.select-unscored");
        }
        if (!s.selected()) {
            long selected = jdbc.sql("SELECT count(*) FROM submissions WHERE team_id = ? AND phase_id = ? AND selected")
                    .params(team, s.phaseId()).query(Long.class).single();
            if (selected >= c.finalSelections()) {
                throw new UserFacingException(null, "competition.error.select-limit", c.finalSelections());
            }
        }
        jdbc.sql("UPDATE submissions SET selected = NOT selected WHERE id = ?").param(id).update();
    }

    private Submission find(Competition c, long id) {
        return jdbc.sql("SELECT * FROM submissions WHERE id = ? AND competition_id = ?").params(id, c.id())
                .query(SubmissionService::row).single();
    }

    private static Submission row(ResultSet rs, int n) throws SQLException {
        return new Submission(rs.getLong("id"), rs.getBoolean("baseline"), rs.getString("description"),
                rs.getString("file_name"), Submission.Status.valueOf(rs.getString("status")), rs.getString("failure"),
                (Double) rs.getObject("public_score"), rs.getBoolean("selected"),
                rs.getTimestamp("created_at").toInstant(), (Long) rs.getObject("model_id"),
                (Long) rs.getObject("dataset_id"), (Long) rs.getObject("training_job_id"), rs.getLong("phase_id"));
    }
}
