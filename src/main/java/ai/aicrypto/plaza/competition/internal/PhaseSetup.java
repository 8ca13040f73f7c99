package ai.aicrypto.plaza.competition.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.List;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.competition.scoring.Metric;
import ai.aicrypto.plaza.competition.scoring.Solution;
import ai.aicrypto.plaza.competition.scoring.TestInputs;
import ai.aicrypto.plaza.platform.IntegrityException;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.storage.DataKeys;
import ai.aicrypto.plaza.storage.PendingBlobs;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Making phases: the files each is made of (its solution, test inputs and sample submission, checked and stored
 * encrypted under the competition's data key), the first at hosting and a later one added by the host before it opens.
 */
@Component
class PhaseSetup {

    static final int MAX_NAME = 60;

    private final JdbcClient jdbc;
    private final Phases phases;
    private final PendingBlobs pendingBlobs;
    private final DataKeys dataKeys;
    private final CompetitionFiles files;
    private final TransactionTemplate transaction;
    private final SecureRandom random = new SecureRandom();

    PhaseSetup(JdbcClient jdbc, Phases phases, PendingBlobs pendingBlobs, DataKeys dataKeys, CompetitionFiles files,
               TransactionTemplate transaction) {
        this.jdbc = jdbc;
        this.phases = phases;
        this.pendingBlobs = pendingBlobs;
        this.dataKeys = dataKeys;
        this.files = files;
        this.transaction = transaction;
    }

    /**
     * A phase's files parsed and checked, before anything is stored.
     *
     * @param inputColumns the test inputs' header; null without test inputs or for test images
     */
    record Checked(Solution solution, long seed, TestInputs inputs, List<String> inputColumns) {
    }

    /**
     * Reads the solution with a new seeded public/private split and checks the test inputs (optional: a CSV, or a ZIP
     * of images named by their ids) against it: the same ids, once each.
     *
     * @throws ai.aicrypto.plaza.competition.scoring.SolutionRejected with the problems of the solution file
     * @throws ai.aicrypto.plaza.competition.scoring.TestInputsRejected with the differences of the test inputs
     */
    Checked check(Metric metric, int publicPercent, Path solutionFile, Path testInputsFile) {
        if (publicPercent < 1 || publicPercent > 99) {
            throw new UserFacingException("publicPercent", "competition.error.public-percent");
        }
        if (solutionFile == null) {
            throw new UserFacingException("solution", "competition.error.no-solution");
        }
        long seed = random.nextLong();
        try {
            Solution solution;
            try (InputStream in = Files.newInputStream(solutionFile)) {
                solution = Solution.read(in, metric, new Solution.Split(publicPercent / 100.0, seed));
            }
            if (testInputsFile == null) {
                return new Checked(solution, seed, null, null);
            }
            TestInputs inputs = files.check(solution, testInputsFile);
            if (inputs.images()) {
                return new Checked(solution, seed, inputs, null);
            }
            try (InputStream in = Files.newInputStream(testInputsFile)) {
                return new Checked(solution, seed, inputs, CodeSubmissions.header(in));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A phase's solution and files written to the blob store, not yet recorded. */
    record Stored(String solutionBlobKey, List<CompetitionFiles.Stored> files) {
    }

    /** Encrypts the checked solution and the phase's files under the competition's data key; all or nothing. */
    Stored store(DataKeys.DataKey key, String fileStem, Checked checked, Path solutionFile, Path testInputsFile) {
        String blobKey;
        try (InputStream in = Files.newInputStream(solutionFile)) {
            blobKey = pendingBlobs.encrypt(key, in, CompetitionService.SOLUTION_CONTEXT).key();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return new Stored(blobKey, files.write(key, fileStem, checked.solution(), testInputsFile, checked.inputs()));
        } catch (RuntimeException e) {
            pendingBlobs.discard(blobKey);
            throw e;
        }
    }

    void discard(Stored stored) {
        pendingBlobs.discard(stored.solutionBlobKey());
        files.deleteBlobs(stored.files());
    }

    /** Records a phase and its files; run in the caller's transaction. */
    long record(long competitionId, int seq, String name, Instant opensAt, Instant endsAt, int perDay,
                int publicPercent, Checked checked, Stored stored) {
        long id = jdbc.sql("""
                        INSERT INTO competition_phases (competition_id, seq, name, opens_at, closes_at, submissions_per_day,
                            public_percent, split_seed, test_rows, solution_blob_key, test_inputs)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""")
                .params(competitionId, seq, name, Timestamp.from(opensAt), Timestamp.from(endsAt), perDay, publicPercent,
                        checked.seed(), checked.solution().size(), stored.solutionBlobKey(),
                        CompetitionPhase.InputKind.of(checked.inputs()).name())
                .query(Long.class).single();
        pendingBlobs.kept(stored.solutionBlobKey());
        files.record(id, stored.files());
        return id;
    }

    /** The name of a phase from a form: at most {@value #MAX_NAME} characters; required when {@code required}. */
    static String name(String value, boolean required) {
        String name = value == null ? "" : value.strip();
        if (name.length() > MAX_NAME || required && name.isEmpty()) {
            throw new UserFacingException("phaseName", "competition.error.phase-name", MAX_NAME);
        }
        return name;
    }

    /** A later phase as a host asks for it (on the hosting form or later), its files spooled. */
    record Request(String name, LocalDateTime opensAt, LocalDateTime endsAt, int perDay, int publicPercent,
                   Path solutionFile, Path testInputsFile) {
    }

    /** A later phase checked, before anything is stored. */
    record Planned(String name, Instant opens, Instant ends, int perDay, int publicPercent, Checked checked,
                   Path solutionFile, Path testInputsFile) {
    }

    /**
     * Checks a later phase: named, opening in the future and no earlier than the phase before it ends, ending after
     * it opens and no later than the competition, a positive quota, and its files (as at hosting; a code competition's
     * phase needs test inputs).
     *
     * @param previousSeq the number of the phase before it; {@code previousEnd} its end
     * @throws UserFacingException for a field to fix (times said in the reader's language, in UTC as the forms take them)
     * @throws ai.aicrypto.plaza.competition.scoring.ScoringRejected with the problems of its files
     */
    Planned plan(Metric metric, Request r, int previousSeq, Instant previousEnd, Instant competitionEnd, Instant now,
                 boolean modelsOnly) {
        String name = name(r.name(), true);
        if (r.opensAt() == null || r.endsAt() == null) {
            throw new UserFacingException(r.opensAt() == null ? "opensAt" : "endsAt", "competition.error.time");
        }
        Instant opens = r.opensAt().toInstant(ZoneOffset.UTC);
        Instant ends = r.endsAt().toInstant(ZoneOffset.UTC);
        if (!opens.isAfter(now)) {
            throw new UserFacingException("opensAt", "competition.error.phase-opens-past");
        }
        if (opens.isBefore(previousEnd)) {
            throw new UserFacingException("opensAt", "competition.error.phase-overlap", previousSeq, shown(previousEnd));
        }
        if (!ends.isAfter(opens) || ends.isAfter(competitionEnd)) {
            throw new UserFacingException("endsAt", "competition.error.phase-ends", shown(competitionEnd));
        }
        if (r.perDay() < 1) {
            throw new UserFacingException("submissionsPerDay", "competition.error.positive");
        }
        Checked checked = check(metric, r.publicPercent(), r.solutionFile(), r.testInputsFile());
        if (modelsOnly && checked.inputs() == null) { // the models have nothing to run on otherwise
            throw new UserFacingException("testInputs", "competition.error.models-need-test-inputs");
        }
        return new Planned(name, opens, ends, r.perDay(), r.publicPercent(), checked, r.solutionFile(), r.testInputsFile());
    }

    /**
     * A time as a refusal says it: the reader's date and time format, in UTC (as the forms take times). Made on the
     * request's thread, in its language.
     */
    static String shown(Instant time) {
        return DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT)
                .withLocale(LocaleContextHolder.getLocale()).withZone(ZoneOffset.UTC).format(time) + " UTC";
    }

    /** Stores a planned phase's files as phase {@code seq} of the competition named {@code slug}; not yet recorded. */
    Stored store(DataKeys.DataKey key, String slug, int seq, Planned planned) {
        return store(key, slug + "-phase-" + seq, planned.checked(), planned.solutionFile(), planned.testInputsFile());
    }

    /** Records a planned phase as phase {@code seq}; run in the caller's transaction. */
    long record(long competitionId, int seq, Planned planned, Stored stored) {
        return record(competitionId, seq, planned.name(), planned.opens(), planned.ends(), planned.perDay(),
                planned.publicPercent(), planned.checked(), stored);
    }

    /**
     * Adds a later phase: only the host, not in a data competition, checked as {@link #plan} says, after the last phase.
     *
     * @throws UserFacingException for a field to fix
     * @throws ai.aicrypto.plaza.competition.scoring.ScoringRejected with the problems of its files
     */
    CompetitionPhase add(Competition c, AccountPrincipal who, boolean dataCompetition, Request request, Instant now) {
        if (!c.hostedBy(who)) {
            throw new NotFoundException();
        }
        if (dataCompetition) {
            throw new UserFacingException(null, "competition.error.phase-data");
        }
        CompetitionPhase last = phases.last(c);
        if (!now.isBefore(c.closesAt())) {
            throw new UserFacingException("endsAt", "competition.error.phase-ends", shown(c.endsAt()));
        }
        Planned planned = plan(c.metric(), request, last.seq(), last.endsAt(), c.endsAt(), now, c.modelsOnly());
        DataKeys.DataKey key;
        try {
            key = dataKeys.unwrap(c.wrappedDataKey());
        } catch (GeneralSecurityException e) {
            throw new IntegrityException("The data key of " + c + " cannot be unwrapped", e);
        }
        Stored stored = store(key, c.slug(), last.seq() + 1, planned);
        try {
            long id = transaction.execute(status -> {
                // One phase added at a time: the next number and the overlap are checked under the competition's lock.
                jdbc.sql("SELECT id FROM competitions WHERE id = ? FOR UPDATE").param(c.id()).query(Long.class).single();
                CompetitionPhase latest = phases.last(c);
                if (latest.seq() != last.seq()) {
                    throw new UserFacingException("opensAt", "competition.error.phase-overlap", latest.seq(),
                            shown(latest.endsAt()));
                }
                return record(c.id(), last.seq() + 1, planned, stored);
            });
            return phases.find(id);
        } catch (RuntimeException e) {
            discard(stored);
            throw e;
        }
    }
}
