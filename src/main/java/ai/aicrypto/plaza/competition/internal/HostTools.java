package ai.aicrypto.plaza.competition.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.competition.CompetitionChanged;
import ai.aicrypto.plaza.competition.scoring.Scorer;
import ai.aicrypto.plaza.competition.scoring.Scores;
import ai.aicrypto.plaza.competition.scoring.Solution;
import ai.aicrypto.plaza.competition.scoring.SubmissionRejected;
import ai.aicrypto.plaza.competition.scoring.TestInputs;
import ai.aicrypto.plaza.platform.IntegrityException;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import ai.aicrypto.plaza.storage.PendingBlobs;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * What only a competition's host does once it runs: close it early with a reason, rescore every submission of a phase
 * after fixing its solution (with a log of what that changed on the phase's leaderboards), and download a phase's
 * final submissions.
 */
@Service
class HostTools {

    static final String FAILED_RESCORE = "competition.submission.failed.rescore";
    private static final int MAX_REASON = 500;

    /** One team whose place or score a rescoring changed; {@code board} is "public" or "final". */
    public record Change(String board, String team, Long rankBefore, Long rankAfter, Double scoreBefore,
                         Double scoreAfter) {
        public String scoreBeforeText() {
            return ScoreText.of(scoreBefore);
        }

        public String scoreAfterText() {
            return ScoreText.of(scoreAfter);
        }
    }

    /** A rescoring as the competition page shows it; {@code phase} is the phase's number. */
    public record Rescore(Instant at, int phase, String reason, int rescored, List<Change> changes) {
    }

    private final JdbcClient jdbc;
    private final CompetitionService competitions;
    private final CompetitionFiles files;
    private final Standings standings;
    private final BlobStore blobs;
    private final DataKeys dataKeys;
    private final PendingBlobs pendingBlobs;
    private final TransactionTemplate transaction;
    private final ApplicationEventPublisher events;
    private final JsonMapper json;
    private final Phases phases;
    private final DataCompetitions data;

    HostTools(JdbcClient jdbc, CompetitionService competitions, CompetitionFiles files, Standings standings,
              BlobStore blobs, DataKeys dataKeys, PendingBlobs pendingBlobs, TransactionTemplate transaction,
              ApplicationEventPublisher events, JsonMapper json, Phases phases, DataCompetitions data) {
        this.data = data;
        this.phases = phases;
        this.jdbc = jdbc;
        this.competitions = competitions;
        this.files = files;
        this.standings = standings;
        this.blobs = blobs;
        this.dataKeys = dataKeys;
        this.pendingBlobs = pendingBlobs;
        this.transaction = transaction;
        this.events = events;
        this.json = json;
    }

    /**
     * Ends taking part now, before the announced end: no more joining, submitting or selecting, no later phase
     * opens; each phase's final ranking is made as soon as nothing waits for scoring. The reason is shown on the competition's page.
     */
    void close(Competition c, AccountPrincipal who, String reason) {
        requireHost(c, who);
        String why = reason(reason);
        Instant now = competitions.now();
        if (!now.isBefore(c.closesAt())) {
            throw new UserFacingException(null, "competition.error.ended");
        }
        transaction.executeWithoutResult(status -> {
            int closed = jdbc.sql("""
                            UPDATE competitions SET closed_at = ?, close_reason = ?
                            WHERE id = ? AND closed_at IS NULL AND ends_at > ?""")
                    .params(Timestamp.from(now), why, c.id(), Timestamp.from(now)).update();
            if (closed != 1) {
                throw new UserFacingException(null, "competition.error.ended");
            }
            events.publishEvent(new CompetitionChanged(c.id()));
            standings.announce(c.id());
            data.closed(c, now);
        });
        for (CompetitionPhase p : phases.of(c)) {
            standings.finalizeIfDue(p, now);
        }
    }

    /**
     * Replaces a phase's solution with a fixed one naming exactly the same ids, scores every scored submission of the
     * phase again against it and rebuilds the phase's leaderboards in one transaction, logging which teams moved. A submission the fixed
     * solution no longer accepts (a class renamed, say) ends FAILED. Refused while submissions wait for scoring and
     * once prizes are being paid out.
     *
     * @return the log entry written
     * @throws ai.aicrypto.plaza.competition.scoring.SolutionRejected when the fixed solution does not fit
     */
    Rescore rescore(Competition c, CompetitionPhase phase, AccountPrincipal who, Path fixedFile, String reason) {
        requireHost(c, who);
        if (phase.competitionId() != c.id()) {
            throw new NotFoundException();
        }
        String why = reason(reason);
        if (fixedFile == null) {
            throw new UserFacingException("solution", "competition.error.no-solution");
        }
        refuseWhilePendingOrPaid(c, phase);
        Solution current = competitions.solution(c, phase);
        Solution fixed;
        try (InputStream in = Files.newInputStream(fixedFile)) {
            fixed = Solution.read(in, c.metric(), current.split());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        current.requireSameIds(fixed);
        TestInputs inputs = files.recheck(phase, fixed);

        record Rescored(long id, double publicScore, Scores.Hidden hidden) {
        }
        List<Rescored> rescored = new ArrayList<>();
        List<Long> rejected = new ArrayList<>();
        for (StoredSubmission s : scored(phase)) {
            try (InputStream in = decrypt(s)) {
                Scores scores = Scorer.score(fixed, in);
                rescored.add(new Rescored(s.id(), scores.publicScore(), scores.revealPrivate()));
            } catch (SubmissionRejected e) {
                rejected.add(s.id());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        DataKeys.DataKey key = unwrap(c);
        String blobKey;
        CompetitionFiles.Stored sample;
        try (InputStream in = Files.newInputStream(fixedFile)) {
            blobKey = pendingBlobs.encrypt(key, in, CompetitionService.SOLUTION_CONTEXT).key();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            String stem = phase.seq() == 1 ? c.slug() : c.slug() + "-phase-" + phase.seq();
            sample = files.sample(key, stem, fixed, inputs);
        } catch (IOException | RuntimeException e) {
            pendingBlobs.discard(blobKey);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        String oldSample = files.find(phase, CompetitionFiles.Kind.SAMPLE).map(CompetitionFiles.Stored::blobKey).orElse(null);
        Instant now = competitions.now();
        Rescore entry;
        try {
            entry = transaction.execute(status -> {
                // Submissions scored with the old solution lock the competition row to store a score: after this
                // commits they see the new solution's key and are scored again.
                String key0 = jdbc.sql("SELECT solution_blob_key FROM competition_phases WHERE id = ? FOR UPDATE")
                        .param(phase.id()).query(String.class).single();
                Set<Long> nowScored = new LinkedHashSet<>(scored(phase).stream().map(StoredSubmission::id).toList());
                Set<Long> expected = new LinkedHashSet<>(rescored.stream().map(Rescored::id).toList());
                expected.addAll(rejected);
                if (!key0.equals(phase.solutionBlobKey()) || !nowScored.equals(expected) || pending(phase)) {
                    throw new UserFacingException(null, "competition.error.rescore-busy");
                }
                CompetitionPhase fresh = phases.find(phase.id());
                Map<String, Standings.Row> publicBefore = byTeam(standings.publicBoard(fresh, Integer.MAX_VALUE));
                Map<String, Standings.FinalRow> finalBefore = finalByTeam(standings.finalBoard(fresh, Integer.MAX_VALUE));
                for (Rescored r : rescored) {
                    jdbc.sql("UPDATE submissions SET public_score = ?, private_score = ? WHERE id = ?")
                            .params(r.publicScore(), r.hidden().privateScore(), r.id()).update();
                }
                for (long id : rejected) {
                    jdbc.sql("UPDATE submissions SET status = 'FAILED', failure = ?, selected = false WHERE id = ?")
                            .params(FAILED_RESCORE, id).update();
                }
                jdbc.sql("UPDATE competition_phases SET solution_blob_key = ? WHERE id = ?").params(blobKey, phase.id()).update();
                pendingBlobs.kept(blobKey);
                files.record(phase.id(), List.of(sample));
                standings.rebuild(fresh);
                List<Change> changes = new ArrayList<>();
                diff("public", publicBefore, byTeam(standings.publicBoard(fresh, Integer.MAX_VALUE)), changes,
                        Standings.Row::rank, Standings.Row::score);
                diff("final", finalBefore, finalByTeam(standings.finalBoard(fresh, Integer.MAX_VALUE)), changes,
                        Standings.FinalRow::rank, Standings.FinalRow::privateScore);
                jdbc.sql("""
                                INSERT INTO competition_rescores (competition_id, phase_id, at, reason, rescored, changes)
                                VALUES (?, ?, ?, ?, ?, CAST(? AS JSONB))""")
                        .params(c.id(), phase.id(), Timestamp.from(now), why, rescored.size() + rejected.size(),
                                json.writeValueAsString(changes))
                        .update();
                return new Rescore(now, phase.seq(), why, rescored.size() + rejected.size(), changes);
            });
        } catch (RuntimeException e) {
            pendingBlobs.discard(blobKey);
            files.deleteBlobs(List.of(sample));
            throw e;
        }
        competitions.cache(blobKey, fixed);
        blobs.delete(phase.solutionBlobKey());
        if (oldSample != null) {
            blobs.delete(oldSample);
        }
        return entry;
    }

    /** The rescorings of a competition, of every phase, newest first. */
    List<Rescore> rescores(Competition c) {
        return jdbc.sql("""
                        SELECT r.at, p.seq, r.reason, r.rescored, r.changes FROM competition_rescores r
                        JOIN competition_phases p ON p.id = r.phase_id
                        WHERE r.competition_id = ? ORDER BY r.at DESC, r.id DESC""")
                .param(c.id())
                .query((rs, n) -> new Rescore(rs.getTimestamp("at").toInstant(), rs.getInt("seq"), rs.getString("reason"),
                        rs.getInt("rescored"), json.readValue(rs.getString("changes"), new TypeReference<List<Change>>() {
                        })))
                .list();
    }

    /**
     * Writes every team's final submissions in a phase (those its final ranking chose from) as a ZIP, each file as
     * submitted, with a manifest.csv of rank, team, submission, time and scores. Only the host, once the phase's
     * ranking is final.
     */
    void writeFinalSubmissions(CompetitionPhase phase, OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        List<Standings.FinalSubmission> list = standings.finalSubmissions(phase);
        zip.putNextEntry(new ZipEntry("manifest.csv"));
        CSVPrinter manifest = new CSVPrinter(new OutputStreamWriter(zip, StandardCharsets.UTF_8), CSVFormat.DEFAULT);
        manifest.printRecord("final_rank", "team", "submission_id", "file", "submitted_at", "selected", "public_score",
                "private_score", "path");
        for (Standings.FinalSubmission s : list) {
            manifest.printRecord(s.rank(), SpreadsheetText.of(s.team()), s.id(), SpreadsheetText.of(s.fileName()), s.submittedAt(), s.selected(),
                    ScoreText.of(s.publicScore()), ScoreText.of(s.privateScore()), entryName(s));
        }
        manifest.flush();
        zip.closeEntry();
        for (Standings.FinalSubmission s : list) {
            zip.putNextEntry(new ZipEntry(entryName(s)));
            try (InputStream in = decrypt(new StoredSubmission(s.id(), s.blobKey(), s.wrappedKey()))) {
                in.transferTo(zip);
            }
            zip.closeEntry();
        }
        zip.finish();
    }

    /** Checks before the download starts streaming, so a refusal is a page rather than a broken file. */
    void requireFinalSubmissions(Competition c, CompetitionPhase phase, AccountPrincipal who) {
        requireHost(c, who);
        if (!phase.finalized() || phase.competitionId() != c.id()) {
            throw new UserFacingException(null, "competition.error.not-final");
        }
    }

    /** {@code <rank>-<team>/<submission id>-<file name>}, with anything but letters, digits, dots and dashes as "_". */
    private static String entryName(Standings.FinalSubmission s) {
        return String.format("%03d-%s/%d-%s", s.rank(), safe(s.team()), s.id(), safe(s.fileName()));
    }

    private static String safe(String name) {
        return name.replaceAll("[^\\p{L}\\p{N}._-]", "_");
    }

    private record StoredSubmission(long id, String blobKey, byte[] wrappedKey) {
    }

    private List<StoredSubmission> scored(CompetitionPhase phase) {
        return jdbc.sql("SELECT id, blob_key, wrapped_data_key FROM submissions WHERE phase_id = ? AND status = 'SCORED' ORDER BY id")
                .param(phase.id())
                .query((rs, n) -> new StoredSubmission(rs.getLong(1), rs.getString(2), rs.getBytes(3)))
                .list();
    }

    private boolean pending(CompetitionPhase phase) {
        return jdbc.sql("SELECT count(*) > 0 FROM submissions WHERE phase_id = ? AND status IN ('TRAINING', 'QUEUED', 'SCORING')")
                .param(phase.id()).query(Boolean.class).single();
    }

    private void refuseWhilePendingOrPaid(Competition c, CompetitionPhase phase) {
        if (pending(phase)) {
            throw new UserFacingException(null, "competition.error.rescore-busy");
        }
        boolean paying = jdbc.sql("SELECT count(*) > 0 FROM prize_pools WHERE competition_id = ? AND finalize_sent_at IS NOT NULL")
                .param(c.id()).query(Boolean.class).single();
        if (paying) {
            throw new UserFacingException(null, "competition.error.rescore-paid");
        }
    }

    private InputStream decrypt(StoredSubmission s) throws IOException {
        try {
            return dataKeys.unwrap(s.wrappedKey()).decryptFrom(blobs, s.blobKey(), SubmissionService.FILE_CONTEXT);
        } catch (GeneralSecurityException e) {
            throw new IntegrityException("Submission " + s.id() + " cannot be decrypted", e);
        }
    }

    private DataKeys.DataKey unwrap(Competition c) {
        try {
            return dataKeys.unwrap(c.wrappedDataKey());
        } catch (GeneralSecurityException e) {
            throw new IntegrityException("The data key of " + c + " cannot be unwrapped", e);
        }
    }

    private static Map<String, Standings.Row> byTeam(List<Standings.Row> rows) {
        Map<String, Standings.Row> map = new HashMap<>();
        rows.forEach(r -> map.put(r.team(), r));
        return map;
    }

    private static Map<String, Standings.FinalRow> finalByTeam(List<Standings.FinalRow> rows) {
        Map<String, Standings.FinalRow> map = new HashMap<>();
        rows.forEach(r -> map.put(r.team(), r));
        return map;
    }

    /** Adds a change for every team whose rank or score differs (or who appeared or dropped out), best rank after first. */
    private static <R> void diff(String board, Map<String, R> before, Map<String, R> after, List<Change> changes,
                                 java.util.function.Function<R, Long> rank, java.util.function.Function<R, Double> score) {
        Set<String> teams = new LinkedHashSet<>(before.keySet());
        teams.addAll(after.keySet());
        List<Change> found = new ArrayList<>();
        for (String team : teams) {
            R b = before.get(team);
            R a = after.get(team);
            Long rankBefore = b == null ? null : rank.apply(b);
            Long rankAfter = a == null ? null : rank.apply(a);
            Double scoreBefore = b == null ? null : score.apply(b);
            Double scoreAfter = a == null ? null : score.apply(a);
            if (!Objects.equals(rankBefore, rankAfter) || !Objects.equals(scoreBefore, scoreAfter)) {
                found.add(new Change(board, team, rankBefore, rankAfter, scoreBefore, scoreAfter));
            }
        }
        found.sort(java.util.Comparator.comparing(Change::rankAfter, java.util.Comparator.nullsLast(Long::compare)));
        changes.addAll(found);
    }

    private static void requireHost(Competition c, AccountPrincipal who) {
        if (!c.hostedBy(who)) {
            throw new NotFoundException();
        }
    }

    private static String reason(String reason) {
        String why = reason == null ? "" : reason.strip();
        if (why.isEmpty() || why.length() > MAX_REASON) {
            throw new UserFacingException("reason", "competition.error.reason", MAX_REASON);
        }
        return why;
    }
}
