package ai.aicrypto.plaza.competition.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import ai.aicrypto.plaza.competition.scoring.Scorer;
import ai.aicrypto.plaza.competition.scoring.Scores;
import ai.aicrypto.plaza.competition.scoring.SubmissionRejected;
import ai.aicrypto.plaza.competition.scoring.SubmissionValidator;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import ai.aicrypto.plaza.storage.PendingBlobs;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Scores queued submissions off the request thread, a few at a time, each within the time limit: when the limit
 * passes the scoring thread is interrupted and the submission ends FAILED. A periodic sweep makes sure nothing
 * stays QUEUED or SCORING forever (after a crash or restart): stuck rows end FAILED with a reason, queued rows this
 * instance does not know about are picked up, and competitions that have ended are finalized.
 */
@Component
class ScoringRunner implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ScoringRunner.class);
    static final String FAILED_TIMEOUT = "competition.submission.failed.timeout";
    static final String FAILED_ERROR = "competition.submission.failed.error";
    static final String FAILED_STUCK = "competition.submission.failed.stuck";
    static final String FAILED_MODEL = "competition.submission.failed.model";
    static final String FAILED_MODEL_GONE = "competition.submission.failed.model-gone";
    static final String FAILED_MODEL_ANSWERS = "competition.submission.failed.model-answers";

    private final JdbcClient jdbc;
    private final CompetitionService competitions;
    private final Standings standings;
    private final BlobStore blobs;
    private final DataKeys dataKeys;
    private final PendingBlobs pendingBlobs;
    private final TransactionTemplate transaction;
    private final Clock clock;
    private final CompetitionProperties properties;
    private final CodeSubmissions code;
    private final Phases phases;
    private final Path workDir;
    /** Reading a submission's predictions and scoring them (a code submission's after its model ran). */
    private final Timer scoring;
    private final ExecutorService scorers;
    private final ScheduledExecutorService alarms = Executors.newSingleThreadScheduledExecutor(
            daemonThreads("scoring-alarm-"));
    /** Submissions queued or being scored on this instance. */
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();

    ScoringRunner(JdbcClient jdbc, CompetitionService competitions, Standings standings, BlobStore blobs,
                  DataKeys dataKeys, PendingBlobs pendingBlobs, TransactionTemplate transaction, Clock clock,
                  CompetitionProperties properties, CodeSubmissions code, Phases phases, PlazaProperties plaza,
                  MeterRegistry meters) {
        this.code = code;
        this.scoring = Timer.builder("plaza.competition.scoring")
                .description("Reading a submission's predictions and scoring them").register(meters);
        this.phases = phases;
        this.workDir = plaza.dataDir().resolve("work"); // where a crash's leftovers are found and deleted
        this.jdbc = jdbc;
        this.competitions = competitions;
        this.standings = standings;
        this.blobs = blobs;
        this.dataKeys = dataKeys;
        this.pendingBlobs = pendingBlobs;
        this.transaction = transaction;
        this.clock = clock;
        this.properties = properties;
        this.scorers = Executors.newFixedThreadPool(properties.scoringThreads(),
                daemonThreads("scoring-"));
    }

    @TransactionalEventListener(fallbackExecution = true)
    void queued(SubmissionService.Queued event) {
        enqueue(event.submissionId());
    }

    void enqueue(long submissionId) {
        if (inFlight.add(submissionId)) {
            scorers.execute(() -> {
                boolean again;
                try {
                    again = score(submissionId);
                } finally {
                    inFlight.remove(submissionId);
                }
                if (again) {
                    enqueue(submissionId);
                }
            });
        }
    }

    /** {@code blobKey} is null for a code submission whose model has not run yet. */
    private record Claimed(long competitionId, long phaseId, Long teamId, long submitterId, Long modelId, String blobKey,
                           byte[] wrappedKey, Instant createdAt) {

        Claimed withPredictions(String blobKey, byte[] wrappedKey) {
            return new Claimed(competitionId, phaseId, teamId, submitterId, modelId, blobKey, wrappedKey, createdAt);
        }
    }

    /**
     * Scores one submission if it is still queued (another instance may have taken it).
     *
     * @return whether it is queued again, because the solution was fixed while it was being scored
     */
    boolean score(long submissionId) {
        Optional<Claimed> claimed = jdbc.sql("""
                        UPDATE submissions SET status = 'SCORING', scoring_started_at = ?
                        WHERE id = ? AND status = 'QUEUED'
                        RETURNING competition_id, phase_id, team_id, submitter_id, model_id, blob_key, wrapped_data_key,
                                  created_at""")
                .params(Timestamp.from(clock.instant()), submissionId)
                .query((rs, n) -> new Claimed(rs.getLong("competition_id"), rs.getLong("phase_id"), (Long) rs.getObject("team_id"),
                        rs.getLong("submitter_id"), (Long) rs.getObject("model_id"), rs.getString("blob_key"),
                        rs.getBytes("wrapped_data_key"), rs.getTimestamp("created_at").toInstant()))
                .optional();
        if (claimed.isEmpty()) {
            return false;
        }
        Claimed s = claimed.get();
        Competition competition = competitions.find(s.competitionId());
        CompetitionPhase phase = phases.find(s.phaseId());
        Alarm alarm = new Alarm(Thread.currentThread());
        ScheduledFuture<?> timer = alarms.schedule(alarm::ring, properties.scoringTimeLimit().toMillis(),
                TimeUnit.MILLISECONDS);
        Scores scores;
        try {
            Claimed file = s;
            if (s.blobKey() == null) {
                Optional<Claimed> ran = runModel(submissionId, competition, phase, s);
                if (ran.isEmpty()) {
                    return false; // no longer this runner's (the sweep ended it as stuck)
                }
                file = ran.get();
            }
            Timer.Sample scoringStarted = Timer.start();
            try (InputStream in = dataKeys.unwrap(file.wrappedKey()).decryptFrom(blobs, file.blobKey(), SubmissionService.FILE_CONTEXT)) {
                // A model may answer with a class it learnt that the hidden truth happens not to have: a wrong answer.
                scores = Scorer.score(competitions.solution(competition, phase), in, s.modelId() != null
                        ? SubmissionValidator.UnknownLabels.WRONG : SubmissionValidator.UnknownLabels.REFUSED);
            }
            scoringStarted.stop(scoring);
        } catch (NotFoundException e) {
            // A code submission's model is no longer the submitter's with weights (sold, its weights withdrawn).
            fail(submissionId, FAILED_MODEL_GONE);
            return false;
        } catch (UserFacingException e) {
            // A test row the model cannot read; its message is not passed on, as it may quote the hidden inputs.
            fail(submissionId, FAILED_MODEL);
            return false;
        } catch (SubmissionRejected e) {
            // Validated on upload, so only a changed solution (or a model's answers) gets here; its problems may name
            // hidden ids.
            if (s.modelId() != null) {
                log.info("The predictions of submission {}'s model were refused: {}", submissionId, e.getMessage());
            }
            fail(submissionId, s.modelId() != null ? FAILED_MODEL_ANSWERS : FAILED_ERROR);
            return false;
        } catch (Exception e) {
            if (alarm.stop()) {
                fail(submissionId, FAILED_TIMEOUT);
            } else {
                log.warn("Scoring submission {} failed", submissionId, e);
                fail(submissionId, FAILED_ERROR);
            }
            return false;
        } finally {
            alarm.stop();
            timer.cancel(false);
            Thread.interrupted(); // an alarm that rang just after scoring finished must not hit the next job
        }
        Scores.Hidden hidden = scores.revealPrivate(); // stored now, read only once the competition is finalized
        return Boolean.TRUE.equals(transaction.execute(status -> {
            // The host may have fixed the phase's solution meanwhile (HostTools.rescore holds this row while it
            // switches): a score against the old one is not stored, the submission is scored again.
            String current = jdbc.sql("SELECT solution_blob_key FROM competition_phases WHERE id = ? FOR SHARE")
                    .param(phase.id()).query(String.class).single();
            if (!current.equals(phase.solutionBlobKey())) {
                jdbc.sql("UPDATE submissions SET status = 'QUEUED', scoring_started_at = NULL WHERE id = ? AND status = 'SCORING'")
                        .param(submissionId).update();
                return true;
            }
            // The team first, as merges and submissions lock it: a merge may have moved this submission to another
            // team meanwhile, and taking the locks in one order keeps scoring and merging from deadlocking.
            Long teamId = jdbc.sql("""
                            SELECT t.id FROM submissions s JOIN teams t ON t.id = s.team_id WHERE s.id = ? FOR UPDATE OF t""")
                    .param(submissionId).query(Long.class).optional().orElse(null);
            int updated = jdbc.sql("""
                            UPDATE submissions SET status = 'SCORED', public_score = ?, private_score = ?, scored_at = ?
                            WHERE id = ? AND status = 'SCORING'""")
                    .params(scores.publicScore(), hidden.privateScore(), Timestamp.from(clock.instant()), submissionId)
                    .update();
            if (updated == 1 && teamId != null) {
                standings.recordScored(phase, teamId, scores.publicScore(), s.createdAt());
            } else if (updated == 1) {
                standings.announce(competition.id()); // a baseline: shown, not ranked
            }
            return false;
        }));
    }

    /**
     * Runs a code submission's model on the hidden test inputs and stores its predictions (encrypted, as an uploaded
     * file is), so that rescoring and the host's download read them like a file.
     *
     * @return the claim with its predictions file; empty when the submission is no longer being scored here
     */
    private Optional<Claimed> runModel(long submissionId, Competition competition, CompetitionPhase phase, Claimed s)
            throws IOException {
        DataKeys.DataKey key = dataKeys.generate();
        Path predictions = Files.createTempFile(Files.createDirectories(workDir), "code-submission-", ".csv");
        String blobKey;
        try {
            try (OutputStream out = Files.newOutputStream(predictions)) {
                code.predict(phase, competitions.solution(competition, phase), s.submitterId(), s.modelId(), out);
            }
            try (InputStream in = Files.newInputStream(predictions)) {
                blobKey = pendingBlobs.encrypt(key, in, SubmissionService.FILE_CONTEXT).key();
            }
        } finally {
            Files.deleteIfExists(predictions);
        }
        boolean stored = false;
        try {
            stored = Boolean.TRUE.equals(transaction.execute(status -> {
                if (jdbc.sql("""
                                UPDATE submissions SET blob_key = ?, wrapped_data_key = ?
                                WHERE id = ? AND status = 'SCORING' AND blob_key IS NULL""")
                        .params(blobKey, key.wrapped(), submissionId).update() == 0) {
                    return false;
                }
                pendingBlobs.kept(blobKey);
                return true;
            }));
        } finally {
            if (!stored) {
                pendingBlobs.discard(blobKey);
            }
        }
        if (!stored) {
            return Optional.empty();
        }
        return Optional.of(s.withPredictions(blobKey, key.wrapped()));
    }

    private void fail(long submissionId, String reason) {
        jdbc.sql("UPDATE submissions SET status = 'FAILED', failure = ?, scored_at = ? WHERE id = ? AND status = 'SCORING'")
                .params(reason, Timestamp.from(clock.instant()), submissionId).update();
    }

    /** Interrupts the scoring thread once, unless scoring has finished first. */
    private static final class Alarm {
        private final Thread thread;
        private boolean finished;
        private boolean rang;

        Alarm(Thread thread) {
            this.thread = thread;
        }

        synchronized void ring() {
            if (!finished) {
                rang = true;
                thread.interrupt();
            }
        }

        /** Stops the alarm; returns whether it rang. */
        synchronized boolean stop() {
            finished = true;
            return rang;
        }
    }

    /**
     * {@link #sweep} on one instance at a time, as often as one instance would. Lease, at most one interval: marking
     * stuck submissions, queueing (scoring runs on its own threads) and finalizing the competitions that ended take
     * seconds; a slower sweep beside another instance's finalizes each competition once (its row is locked).
     */
    @Scheduled(fixedDelayString = "${plaza.competition.sweep-interval:30s}", initialDelayString = "${plaza.competition.sweep-interval:30s}")
    @SchedulerLock(name = "competition-sweep", lockAtMostFor = "${plaza.competition.sweep-interval:30s}",
            lockAtLeastFor = "${plaza.competition.sweep-interval:30s}")
    void scheduledSweep() {
        sweep();
    }

    /**
     * Ends submissions stuck in SCORING past the time limit (their instance died), picks up queued ones nobody is
     * scoring and finalizes the phases that have ended (and with the last, their competitions).
     */
    void sweep() {
        Instant now = clock.instant();
        // A little grace beyond the limit, for a scorer that is just writing its result.
        Instant stuckBefore = now.minus(properties.scoringTimeLimit()).minusSeconds(30);
        int failed = jdbc.sql("""
                        UPDATE submissions SET status = 'FAILED', failure = ?, scored_at = ?
                        WHERE status = 'SCORING' AND scoring_started_at < ?""")
                .params(FAILED_STUCK, Timestamp.from(now), Timestamp.from(stuckBefore)).update();
        if (failed > 0) {
            log.warn("{} submissions were stuck in scoring and are marked failed", failed);
        }
        List<Long> queued = jdbc.sql("SELECT id FROM submissions WHERE status = 'QUEUED' ORDER BY id")
                .query(Long.class).list();
        queued.forEach(this::enqueue);
        List<Long> due = jdbc.sql("""
                        SELECT p.id FROM competition_phases p JOIN competitions c ON c.id = p.competition_id
                        WHERE p.finalized_at IS NULL AND least(p.closes_at, coalesce(c.closed_at, p.closes_at)) <= ?
                        ORDER BY p.competition_id, p.seq""")
                .param(Timestamp.from(now)).query(Long.class).list();
        for (long id : due) {
            standings.finalizeIfDue(phases.find(id), now);
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        CustomizableThreadFactory factory = new CustomizableThreadFactory(prefix);
        factory.setDaemon(true);
        return factory;
    }

    @Override
    public void destroy() {
        scorers.shutdownNow();
        alarms.shutdownNow();
    }
}
