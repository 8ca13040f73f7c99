package ai.aicrypto.plaza.competition.internal;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.catalog.ListingKind;
import ai.aicrypto.plaza.competition.CompetitionChanged;
import ai.aicrypto.plaza.competition.Competitions;
import ai.aicrypto.plaza.competition.scoring.Metric;
import ai.aicrypto.plaza.competition.scoring.ScoringRejected;
import ai.aicrypto.plaza.competition.scoring.Solution;
import ai.aicrypto.plaza.platform.IntegrityException;
import ai.aicrypto.plaza.platform.MarkdownRenderer;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Hosting and looking up competitions, and the decrypted solutions they are scored against (a few kept in memory,
 * since reading a large solution costs seconds).
 */
@Service
public class CompetitionService implements Competitions {

    static final String SOLUTION_CONTEXT = "competition:solution";
    private static final Pattern SLUG = Pattern.compile("[a-z0-9](?:[a-z0-9-]{1,58}[a-z0-9])");
    private static final Set<String> RESERVED_SLUGS = Set.of("new");
    private static final long SOLUTIONS_IN_MEMORY_BYTES = 512L << 20;
    /** Phases after the first that hosting takes: a competition is not a season of leagues. */
    static final int MAX_LATER_PHASES = 8;

    private final JdbcClient jdbc;
    private final Catalog catalog;
    private final BlobStore blobs;
    private final DataKeys dataKeys;
    private final TransactionTemplate transaction;
    private final ApplicationEventPublisher events;
    private final MarkdownRenderer markdown;
    private final Clock clock;
    private final PhaseSetup phases;
    private final DataCompetitions data;
    /**
     * By blob key, so that a competition whose solution was fixed is never scored against the old one. Weighed by the
     * memory each takes (review M12: a solution file may be hundreds of megabytes); the least used goes first.
     */
    private final Cache<String, Solution> solutions = Caffeine.newBuilder()
            .maximumWeight(SOLUTIONS_IN_MEMORY_BYTES)
            .weigher((String blobKey, Solution solution) -> (int) Math.min(Integer.MAX_VALUE, solution.bytes()))
            .build();

    @Override
    public List<Entrant> entrantsBetween(Instant from, Instant to) {
        return jdbc.sql("""
                        SELECT s.competition_id, c.host_id, p.user_id, max(s.scored_at), c.dataset_id, d.owner_id
                        FROM submissions s JOIN competitions c ON c.id = s.competition_id
                        JOIN participants p ON p.team_id = s.team_id
                        LEFT JOIN listings d ON d.id = c.dataset_id
                        WHERE NOT s.baseline AND s.status = 'SCORED' AND s.scored_at >= ? AND s.scored_at < ?
                        GROUP BY s.competition_id, c.host_id, p.user_id, c.dataset_id, d.owner_id ORDER BY 1, 3""")
                .params(java.sql.Timestamp.from(from), java.sql.Timestamp.from(to))
                .query((rs, n) -> new Entrant(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getTimestamp(4).toInstant(),
                        (Long) rs.getObject(5), (Long) rs.getObject(6)))
                .list();
    }

    CompetitionService(JdbcClient jdbc, Catalog catalog, BlobStore blobs, DataKeys dataKeys,
                       TransactionTemplate transaction, ApplicationEventPublisher events, MarkdownRenderer markdown,
                       Clock clock, PhaseSetup phases, DataCompetitions data) {
        this.phases = phases;
        this.data = data;
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.blobs = blobs;
        this.dataKeys = dataKeys;
        this.transaction = transaction;
        this.events = events;
        this.markdown = markdown;
        this.clock = clock;
    }

    /**
     * Checks the form, the solution CSV and the test inputs (optional: the same ids as the solution), stores the
     * solution, the test inputs and a generated sample submission encrypted, and the competition with them as its
     * first phase (the whole competition unless the form ends it earlier: the host then adds later phases), all or
     * nothing.
     *
     * @throws UserFacingException for a field to fix
     * @throws ai.aicrypto.plaza.competition.scoring.SolutionRejected with the problems of the solution file
     * @throws ai.aicrypto.plaza.competition.scoring.TestInputsRejected with the differences of the test inputs
     */
    Competition host(AccountPrincipal host, CompetitionForm form, Path solutionFile, Path testInputsFile) {
        return host(host, form, solutionFile, testInputsFile, List.of());
    }

    /**
     * Hosts a competition with phases after the first ({@code later}, in order; each checked as a phase the host adds
     * later is, {@link PhaseSetup#plan}), all or nothing.
     *
     * @throws UserFacingException for a field to fix; a later phase's at its row ({@code laterPhases[i].field})
     * @throws PhaseFilesRejected with the problems of a later phase's files
     */
    Competition host(AccountPrincipal host, CompetitionForm form, Path solutionFile, Path testInputsFile,
                     List<PhaseSetup.Request> later) {
        String title = required(form.getTitle(), "title", 140);
        String slug = form.getSlug() == null ? "" : form.getSlug().strip();
        if (!SLUG.matcher(slug).matches() || RESERVED_SLUGS.contains(slug)) {
            throw new UserFacingException("slug", "competition.error.slug");
        }
        if (jdbc.sql("SELECT count(*) FROM competitions WHERE slug = ?").param(slug).query(Long.class).single() > 0) {
            throw new UserFacingException("slug", "competition.error.slug-taken", slug);
        }
        Metric metric = Arrays.stream(Metric.values()).filter(m -> m.name().equals(form.getMetric())).findFirst()
                .orElseThrow(() -> new UserFacingException("metric", "competition.error.metric"));
        if (form.getDatasetId() != null && !ownsDataset(host, form.getDatasetId())) {
            throw new UserFacingException("datasetId", "competition.error.dataset");
        }
        Instant startsAt = utc(form.getStartsAt(), "startsAt");
        Instant endsAt = utc(form.getEndsAt(), "endsAt");
        if (!endsAt.isAfter(startsAt) || !endsAt.isAfter(clock.instant())) {
            throw new UserFacingException("endsAt", "competition.error.ends-at");
        }
        Instant mergeDeadline = form.getMergeDeadline() == null ? endsAt : utc(form.getMergeDeadline(), "mergeDeadline");
        if (mergeDeadline.isAfter(endsAt)) {
            throw new UserFacingException("mergeDeadline", "competition.error.merge-deadline");
        }
        positive(form.getSubmissionsPerDay(), "submissionsPerDay");
        positive(form.getFinalSelections(), "finalSelections");
        positive(form.getMaxTeamSize(), "maxTeamSize");
        BigDecimal pool = form.getPrizePoolAic() == null ? BigDecimal.ZERO : form.getPrizePoolAic();
        if (pool.signum() < 0) {
            throw new UserFacingException("prizePoolAic", "competition.error.prize-pool");
        }
        List<Integer> split = prizeSplit(form.getPrizeSplit(), pool);
        if (later.size() > MAX_LATER_PHASES) {
            throw new UserFacingException(null, "competition.error.phase-count", MAX_LATER_PHASES + 1);
        }
        String phaseName = PhaseSetup.name(form.getPhaseName(), !later.isEmpty());
        Instant firstPhaseEnds = form.getFirstPhaseEndsAt() == null ? endsAt : utc(form.getFirstPhaseEndsAt(), "firstPhaseEndsAt");
        if (!firstPhaseEnds.isAfter(startsAt) || firstPhaseEnds.isAfter(endsAt) || !firstPhaseEnds.isAfter(clock.instant())) {
            throw new UserFacingException("firstPhaseEndsAt", "competition.error.phase-ends", PhaseSetup.shown(endsAt));
        }
        PhaseSetup.Checked checked = phases.check(metric, form.getPublicPercent(), solutionFile, testInputsFile);
        boolean modelsOnly = CompetitionForm.MODELS.equals(form.getKind());
        if (modelsOnly && checked.inputs() == null) {
            throw new UserFacingException("testInputs", "competition.error.models-need-test-inputs");
        }
        DataCompetitions.Plan dataPlan = data.checkHosting(host.id(), form, metric, checked.inputs(), checked.inputColumns());
        if (dataPlan != null && (!firstPhaseEnds.equals(endsAt) || !later.isEmpty())) {
            throw new UserFacingException("firstPhaseEndsAt", "competition.error.phase-data");
        }
        List<PhaseSetup.Planned> planned = planLater(metric, later, firstPhaseEnds, endsAt, modelsOnly);
        DataKeys.DataKey key = dataKeys.generate();
        List<PhaseSetup.Stored> stored = new ArrayList<>();
        try {
            stored.add(phases.store(key, slug, checked, solutionFile, testInputsFile));
            for (int i = 0; i < planned.size(); i++) {
                stored.add(phases.store(key, slug, i + 2, planned.get(i)));
            }
        } catch (RuntimeException e) {
            stored.forEach(phases::discard);
            throw e;
        }
        String overview = text(form.getOverview());
        try {
            long id = transaction.execute(status -> {
                long created = jdbc.sql("""
                                INSERT INTO competitions (slug, host_id, title, overview, overview_text, rules, dataset_id,
                                    data_description, metric, wrapped_data_key, starts_at, ends_at, merge_deadline,
                                    final_selections, max_team_size, prize_pool_aic, prize_split, models_only, created_at)
                                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""")
                        .params(slug, host.id(), title, overview, markdown.toPlainText(overview), text(form.getRules()),
                                form.getDatasetId(), text(form.getDataDescription()), metric.name(), key.wrapped(),
                                Timestamp.from(startsAt), Timestamp.from(endsAt), Timestamp.from(mergeDeadline),
                                form.getFinalSelections(), form.getMaxTeamSize(), pool,
                                split.toArray(Integer[]::new), modelsOnly, Timestamp.from(clock.instant()))
                        .query(Long.class).single();
                phases.record(created, 1, phaseName, startsAt, firstPhaseEnds, form.getSubmissionsPerDay(),
                        form.getPublicPercent(), checked, stored.get(0));
                for (int i = 0; i < planned.size(); i++) {
                    phases.record(created, i + 2, planned.get(i), stored.get(i + 1));
                }
                if (dataPlan != null) {
                    data.record(created, host.id(), dataPlan, endsAt);
                }
                events.publishEvent(new CompetitionChanged(created));
                return created;
            });
            cache(stored.get(0).solutionBlobKey(), checked.solution());
            return find(id);
        } catch (RuntimeException e) {
            stored.forEach(phases::discard);
            throw e;
        }
    }

    /**
     * Checks the phases after the first, each after the one before it; a refusal names its row (or, for its files,
     * its number and name).
     */
    private List<PhaseSetup.Planned> planLater(Metric metric, List<PhaseSetup.Request> later, Instant firstPhaseEnds,
                                               Instant endsAt, boolean modelsOnly) {
        List<PhaseSetup.Planned> planned = new ArrayList<>();
        Instant previousEnd = firstPhaseEnds;
        for (int i = 0; i < later.size(); i++) {
            PhaseSetup.Request request = later.get(i);
            try {
                PhaseSetup.Planned phase = phases.plan(metric, request, i + 1, previousEnd, endsAt, clock.instant(), modelsOnly);
                planned.add(phase);
                previousEnd = phase.ends();
            } catch (UserFacingException e) {
                String field = "phaseName".equals(e.field()) ? "name" : e.field();
                throw new UserFacingException(field == null ? null : "laterPhases[" + i + "]." + field, e.messageKey(),
                        e.args());
            } catch (ScoringRejected e) {
                throw new PhaseFilesRejected(i + 2, request.name(), e);
            }
        }
        return planned;
    }

    /** A later phase's files named at hosting were refused: which phase, and the problems. */
    static final class PhaseFilesRejected extends RuntimeException {

        private final int seq;
        private final String name;
        private final transient ScoringRejected rejected;

        PhaseFilesRejected(int seq, String name, ScoringRejected rejected) {
            super("phase " + seq + ": " + rejected.getMessage(), rejected);
            this.seq = seq;
            this.name = name;
            this.rejected = rejected;
        }

        int seq() {
            return seq;
        }

        String name() {
            return name;
        }

        ScoringRejected rejected() {
            return rejected;
        }
    }

    /**
     * Changes the texts of a competition (title, overview, rules, data description); only its host may. Everything
     * participants rely on (metric, split, deadlines, quotas, prizes) stays as announced.
     */
    void editTexts(Competition c, AccountPrincipal who, CompetitionForm form) {
        if (!c.hostedBy(who)) {
            throw new NotFoundException();
        }
        String title = required(form.getTitle(), "title", 140);
        String overview = text(form.getOverview());
        transaction.executeWithoutResult(status -> {
            jdbc.sql("""
                            UPDATE competitions SET title = ?, overview = ?, overview_text = ?, rules = ?, data_description = ?
                            WHERE id = ?""")
                    .params(title, overview, markdown.toPlainText(overview),
                            text(form.getRules()), text(form.getDataDescription()), c.id())
                    .update();
            events.publishEvent(new CompetitionChanged(c.id()));
        });
    }

    private boolean ownsDataset(AccountPrincipal host, long datasetId) {
        try {
            return catalog.view(datasetId, ListingKind.DATASET, host).ownedBy(host);
        } catch (NotFoundException e) {
            return false;
        }
    }

    Competition bySlug(String slug) {
        return jdbc.sql("SELECT * FROM competitions WHERE slug = ?").param(slug).query(CompetitionService::row)
                .optional().orElseThrow(NotFoundException::new);
    }

    @Override
    public Optional<CompetitionRef> publicCompetition(String slug) {
        return jdbc.sql("SELECT id, slug, title, host_id FROM competitions WHERE slug = ?").param(slug)
                .query((rs, n) -> new CompetitionRef(rs.getLong("id"), rs.getString("slug"), rs.getString("title"),
                        rs.getLong("host_id")))
                .optional();
    }

    Competition find(long id) {
        return jdbc.sql("SELECT * FROM competitions WHERE id = ?").param(id).query(CompetitionService::row)
                .optional().orElseThrow(NotFoundException::new);
    }

    /** Every competition for the list page: running and upcoming first (soonest end first), then ended ones. */
    List<Competition> list(int limit) {
        Timestamp now = Timestamp.from(clock.instant());
        return jdbc.sql("""
                        SELECT * FROM competitions
                        ORDER BY coalesce(closed_at, ends_at) <= ?, CASE WHEN coalesce(closed_at, ends_at) > ? THEN ends_at END,
                                 coalesce(closed_at, ends_at) DESC, id DESC LIMIT ?""")
                .params(now, now, limit)
                .query(CompetitionService::row).list();
    }

    @Override
    public List<CompetitionCard> featured(int limit) {
        Instant now = clock.instant();
        List<CompetitionCard> cards = new ArrayList<>();
        for (Competition c : list(limit)) {
            long teams = jdbc.sql("SELECT count(*) FROM teams WHERE competition_id = ?").param(c.id()).query(Long.class).single();
            cards.add(new CompetitionCard(c.slug(), c.title(), markdown.toExcerpt(c.overview(), 160), c.startsAt(),
                    c.closesAt(), c.prizePoolAic(), teams, !now.isBefore(c.closesAt())));
        }
        return cards;
    }

    Instant now() {
        return clock.instant();
    }

    String html(String markdownText) {
        return markdown.toHtml(markdownText);
    }

    /** The decrypted, parsed solution of a phase; never shown to anyone, only scored against. */
    Solution solution(Competition competition, CompetitionPhase phase) {
        Solution cached = solutions.getIfPresent(phase.solutionBlobKey());
        if (cached != null) {
            return cached;
        }
        Solution solution;
        try (InputStream in = dataKeys.unwrap(competition.wrappedDataKey())
                .decryptFrom(blobs, phase.solutionBlobKey(), SOLUTION_CONTEXT)) {
            solution = Solution.read(in, phase.metric(),
                    new Solution.Split(phase.publicPercent() / 100.0, phase.splitSeed()));
        } catch (GeneralSecurityException | IOException e) {
            throw new IntegrityException("The solution of " + phase + " cannot be decrypted", e);
        }
        cache(phase.solutionBlobKey(), solution);
        return solution;
    }

    /** Keeps a parsed solution in memory under the key of its stored blob. */
    void cache(String blobKey, Solution solution) {
        solutions.put(blobKey, solution);
    }

    private static List<Integer> prizeSplit(String text, BigDecimal pool) {
        if (text == null || text.isBlank()) {
            if (pool.signum() > 0) {
                throw new UserFacingException("prizeSplit", "competition.error.prize-split");
            }
            return List.of();
        }
        List<Integer> split = new ArrayList<>();
        try {
            for (String part : text.split(",")) {
                int p = Integer.parseInt(part.strip().replace("%", ""));
                if (p <= 0) {
                    throw new NumberFormatException();
                }
                split.add(p);
            }
        } catch (NumberFormatException e) {
            throw new UserFacingException("prizeSplit", "competition.error.prize-split");
        }
        if (split.stream().mapToInt(Integer::intValue).sum() != 100) {
            throw new UserFacingException("prizeSplit", "competition.error.prize-split");
        }
        return split;
    }

    private static String required(String value, String field, int maxLength) {
        String v = value == null ? "" : value.strip();
        if (v.isEmpty() || v.length() > maxLength) {
            throw new UserFacingException(field, "competition.error.required", maxLength);
        }
        return v;
    }

    private static String text(String value) {
        return value == null ? "" : value.strip();
    }

    private static void positive(int value, String field) {
        if (value < 1) {
            throw new UserFacingException(field, "competition.error.positive");
        }
    }

    private static Instant utc(LocalDateTime time, String field) {
        if (time == null) {
            throw new UserFacingException(field, "competition.error.time");
        }
        return time.toInstant(ZoneOffset.UTC);
    }

    static Competition row(ResultSet rs, int n) throws SQLException {
        Integer[] split = (Integer[]) rs.getArray("prize_split").getArray();
        Timestamp finalized = rs.getTimestamp("finalized_at");
        Timestamp closed = rs.getTimestamp("closed_at");
        return new Competition(rs.getLong("id"), rs.getString("slug"), rs.getLong("host_id"), rs.getString("title"),
                rs.getString("overview"), rs.getString("rules"), (Long) rs.getObject("dataset_id"),
                rs.getString("data_description"), Metric.valueOf(rs.getString("metric")),
                rs.getBytes("wrapped_data_key"), rs.getTimestamp("starts_at").toInstant(),
                rs.getTimestamp("ends_at").toInstant(), rs.getTimestamp("merge_deadline").toInstant(),
                rs.getInt("final_selections"), rs.getInt("max_team_size"),
                rs.getBigDecimal("prize_pool_aic"), List.of(split), finalized == null ? null : finalized.toInstant(),
                closed == null ? null : closed.toInstant(), rs.getString("close_reason"), rs.getBoolean("models_only"));
    }
}
