package ai.aicrypto.plaza.competition.internal;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.compute.TrainingPools;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.dataset.TrainableDataset;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.competition.scoring.TestInputs;
import ai.aicrypto.plaza.competition.scoring.Metric;
import ai.aicrypto.plaza.model.ModelTemplate;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.model.card.HyperparameterSpec;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.RecommendedModels;
import ai.aicrypto.plaza.platform.Aic;
import ai.aicrypto.plaza.platform.UserFacingException;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Data competitions, the whitepaper's "best data": the host fixes a model card (one of theirs or the catalog's, or a
 * recommended architecture for the competition's training data), its hyperparameters and a training time per
 * submission; a participant submits a dataset of their own in the competition's format. Each submission is a training
 * job of the submitter's on the GPU fleet (the plaza web process trains nothing itself); the model it yields is the
 * submitter's and is scored as a code submission on the hidden test inputs. The only writer of the TRAINING status.
 */
@Component
class DataCompetitions {

    static final String FAILED_TRAINING = "competition.submission.failed.training";
    static final String FAILED_TRAINING_TIME = "competition.submission.failed.training-time";
    static final int MAX_TRAINING_MINUTES = 1440;
    static final int MAX_POOL_SUBMISSIONS = 10_000;
    private static final int LISTED_NAMES = 10;
    private static final Logger log = LoggerFactory.getLogger(DataCompetitions.class);

    /**
     * What the host fixed; the template is a model card listing (the host's private copy of a recommendation). The pool
     * pays each submission's training; null where jobs are not paid on-chain.
     */
    record Template(long modelId, String hyperparametersJson, int trainingMinutes, Long trainingPoolId) {
    }

    /**
     * A checked hosting choice, recorded with the competition: a listed card, or a recommendation to store as one; with
     * jobs paid on-chain, the training pool the host funds (budget per submission, submissions covered), else nulls.
     */
    record Plan(Long listedModelId, ModelCard card, String hyperparametersJson, int trainingMinutes, BigDecimal trainingBudgetAic,
                Integer trainingSubmissions) {
    }

    private final JdbcClient jdbc;
    private final Datasets datasets;
    private final Models models;
    private final TrainingJobs jobs;
    private final TrainingPools pools;
    private final JsonMapper json;
    private final TransactionTemplate transaction;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    DataCompetitions(JdbcClient jdbc, Datasets datasets, Models models, TrainingJobs jobs, TrainingPools pools, JsonMapper json,
                     TransactionTemplate transaction, ApplicationEventPublisher events, Clock clock) {
        this.pools = pools;
        this.jdbc = jdbc;
        this.datasets = datasets;
        this.models = models;
        this.jobs = jobs;
        this.json = json;
        this.transaction = transaction;
        this.events = events;
        this.clock = clock;
    }

    Optional<Template> template(Competition c) {
        return jdbc.sql("""
                        SELECT template_model_id, hyperparameters::text, training_minutes, training_pool_id
                        FROM data_competitions WHERE competition_id = ?""")
                .param(c.id())
                .query((rs, n) -> new Template(rs.getLong(1), rs.getString(2), rs.getInt(3), (Long) rs.getObject(4))).optional();
    }

    /** Whether a data competition's host funds a training pool (jobs are paid on-chain here). */
    boolean poolsRequired() {
        return pools.required();
    }

    /** The training pool that pays a data competition's submissions, if it has one. */
    Optional<TrainingPools.Pool> pool(Competition c) {
        return template(c).map(Template::trainingPoolId).flatMap(pools::find);
    }

    /** What a data competition's page says of its fixed model; null for a competition for predictions. */
    record TemplateView(String modelName, String input, String hyperparametersJson, int trainingMinutes) {
    }

    TemplateView describe(Competition c) {
        return template(c).map(t -> {
            ModelCard card = models.templateFor(c.hostId(), t.modelId()).map(ModelTemplate::card).orElse(null);
            return new TemplateView(card == null ? "#" + t.modelId() : card.name(),
                    card == null ? "" : card.inputDescription(), t.hyperparametersJson(), t.trainingMinutes());
        }).orElse(null);
    }

    boolean isData(Competition c) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM data_competitions WHERE competition_id = ?)").param(c.id())
                .query(Boolean.class).single();
    }

    /**
     * Checks a data competition's hosting choices before anything is stored: its training dataset is the format
     * submissions must have (a table, or images), the template learns it and answers the metric, the test inputs are of
     * the same kind (a table with every column the template reads, or test images), and the hyperparameters are the
     * card's, in range.
     *
     * @param testInputs       the test inputs, or null when the host gave none
     * @param testInputColumns the test inputs' header; null for test images
     * @return null when the form hosts a competition for predictions
     * @throws UserFacingException for a field to fix
     */
    Plan checkHosting(long hostId, CompetitionForm form, Metric metric, TestInputs testInputs, List<String> testInputColumns) {
        if (!CompetitionForm.DATA.equals(form.getKind())) {
            return null;
        }
        if (form.getDatasetId() == null) {
            throw new UserFacingException("datasetId", "competition.error.data-needs-dataset");
        }
        if (testInputs == null) {
            throw new UserFacingException("testInputs", "competition.error.data-needs-test-inputs");
        }
        if (form.getTrainingMinutes() < 1 || form.getTrainingMinutes() > MAX_TRAINING_MINUTES) {
            throw new UserFacingException("trainingMinutes", "competition.error.training-minutes", MAX_TRAINING_MINUTES);
        }
        TrainableDataset reference = datasets.trainableBy(hostId, form.getDatasetId())
                .orElseThrow(() -> new UserFacingException("datasetId", "competition.error.dataset"));
        Preprocessing format = datasets.preprocessing(reference.id());
        if (format.forImages() != testInputs.images()) {
            throw new UserFacingException("testInputs", format.forImages() ? "competition.error.data-test-images"
                    : "competition.error.data-test-table");
        }
        String recommendation = form.getTemplateRecommendation() == null ? "" : form.getTemplateRecommendation().strip();
        Long listed = recommendation.isEmpty() ? form.getTemplateModelId() : null;
        ModelCard card = !recommendation.isEmpty()
                ? RecommendedModels.find(recommendation, reference.title(), format, reference.rowCount())
                        .map(RecommendedModels.Recommendation::card).orElse(null)
                : listed == null ? null : models.templateFor(hostId, listed).map(ModelTemplate::card).orElse(null);
        if (card == null) {
            throw new UserFacingException("templateModelId", recommendation.isEmpty() ? "competition.error.template"
                    : "competition.error.template-kind");
        }
        card.misfit(format, reference.featureCount(), "templateModelId").ifPresent(e -> {
            throw e;
        });
        boolean fits = switch (metric.predictionKind()) {
            case LABEL -> card.isClassification();
            case PROBABILITY -> card.isClassification() && card.outputSize() == 2;
            case NUMBER -> !card.isClassification();
        };
        if (!fits) {
            throw new UserFacingException("templateModelId", "competition.error.template-metric");
        }
        List<String> unread = format.forImages() ? List.of() : format.columns().stream().map(Preprocessing.Column::name)
                .filter(name -> !testInputColumns.contains(name)).toList();
        if (!unread.isEmpty()) {
            throw new UserFacingException("testInputs", "competition.error.data-test-columns", unread.size(), names(unread));
        }
        String fixed = hyperparameters(card, form.getHyperparameters());
        if (!pools.required()) {
            return new Plan(listed, card, fixed, form.getTrainingMinutes(), null, null);
        }
        BigDecimal budget = form.getTrainingBudgetAic();
        if (form.getTrainingSubmissions() < 1 || form.getTrainingSubmissions() > MAX_POOL_SUBMISSIONS) {
            throw new UserFacingException("trainingSubmissions", "competition.error.training-submissions", MAX_POOL_SUBMISSIONS);
        }
        // The escrow holds 96 bits: the pool stays within what any form takes.
        if (budget == null || budget.signum() <= 0 || budget.stripTrailingZeros().scale() > 18
                || budget.multiply(BigDecimal.valueOf(form.getTrainingSubmissions())).compareTo(Aic.MAX_AMOUNT) > 0) {
            throw new UserFacingException("trainingBudgetAic", "competition.error.training-budget", Aic.MAX_AMOUNT.toPlainString());
        }
        return new Plan(listed, card, fixed, form.getTrainingMinutes(), budget, form.getTrainingSubmissions());
    }

    /**
     * Records a checked plan with the competition, in the hosting transaction, with its training pool awaiting the
     * host's deposit (it closes when the competition ends).
     */
    void record(long competitionId, long hostId, Plan plan, Instant endsAt) {
        long model = plan.listedModelId() != null ? plan.listedModelId()
                : models.createPrivate(hostId, new ModelUpload(plan.card().json().toString(), List.of("data-competition"), null));
        Long pool = plan.trainingBudgetAic() == null ? null
                : pools.open(hostId, plan.trainingBudgetAic(), plan.trainingSubmissions(), endsAt, "endsAt");
        jdbc.sql("""
                        INSERT INTO data_competitions (competition_id, template_model_id, hyperparameters, training_minutes,
                                                       training_pool_id)
                        VALUES (?, ?, CAST(? AS jsonb), ?, ?)""")
                .params(competitionId, model, plan.hyperparametersJson(), plan.trainingMinutes(), pool).update();
    }

    /**
     * The submitter's dataset, if it is theirs and in the competition's format: the training dataset's kind (a table,
     * or images), its columns or its images' size and channels, label kind and classes, and as many features as the
     * fixed model reads. The refusal names the exact difference.
     *
     * @throws UserFacingException why the dataset cannot be submitted
     */
    TrainableDataset checkDataset(Competition c, long userId, long datasetId) {
        Template template = template(c).orElseThrow(() -> new UserFacingException(null, "competition.error.not-data"));
        TrainableDataset mine = datasets.trainableBy(userId, datasetId).filter(d -> d.ownerId() == userId)
                .orElseThrow(() -> new UserFacingException("datasetId", "competition.error.data-not-yours"));
        Preprocessing format = datasets.preprocessing(c.datasetId());
        Preprocessing given = datasets.preprocessing(mine.id());
        if (given.forImages() != format.forImages()) {
            throw new UserFacingException("datasetId", format.forImages() ? "competition.error.data-needs-images"
                    : "competition.error.data-needs-table");
        }
        if (format.forImages()) {
            Preprocessing.Image want = format.image(), have = given.image();
            if (want.width() != have.width() || want.height() != have.height() || want.channels() != have.channels()) {
                throw new UserFacingException("datasetId", "competition.error.data-image-shape", have.width(), have.height(),
                        have.channels(), want.width(), want.height(), want.channels());
            }
        }
        List<String> expected = format.columns().stream().map(Preprocessing.Column::name).toList();
        List<String> columns = given.forImages() ? List.of() : given.columns().stream().map(Preprocessing.Column::name).toList();
        List<String> missing = expected.stream().filter(name -> !columns.contains(name)).toList();
        List<String> extra = columns.stream().filter(name -> !expected.contains(name)).toList();
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new UserFacingException("datasetId", "competition.error.data-columns", names(missing), names(extra));
        }
        if (given.label().regression() != format.label().regression()) {
            throw new UserFacingException("datasetId", format.label().regression()
                    ? "competition.error.data-label-number" : "competition.error.data-label-class");
        }
        List<String> missingClasses = format.label().classes().stream().filter(k -> !given.label().classes().contains(k)).toList();
        List<String> extraClasses = given.label().classes().stream().filter(k -> !format.label().classes().contains(k)).toList();
        if (!missingClasses.isEmpty() || !extraClasses.isEmpty()) {
            throw new UserFacingException("datasetId", "competition.error.data-classes", names(missingClasses), names(extraClasses));
        }
        long features = models.templateFor(c.hostId(), template.modelId())
                .orElseThrow(() -> new UserFacingException(null, "competition.error.template-gone")).card().inputFeatureCount();
        if (features != mine.featureCount()) {
            throw new UserFacingException("datasetId", "competition.error.data-features", mine.featureCount(), features);
        }
        return mine;
    }

    /**
     * Queues the fixed model's training on the submitter's dataset, in the submitting transaction; returns the job. With
     * a training pool, the host's pool pays it (the submitter pays nothing), and a pool not funded or spent refuses it.
     */
    long startTraining(Competition c, long userId, long datasetId) {
        Template template = template(c).orElseThrow(() -> new UserFacingException(null, "competition.error.not-data"));
        TrainingJobs.JobRequest request = new TrainingJobs.JobRequest(userId, datasetId, template.modelId(),
                template.hyperparametersJson(), 0, null, null);
        if (template.trainingPoolId() != null) {
            return pools.submit(template.trainingPoolId(), request);
        }
        return jobs.submit(request);
    }

    /** A competition closed early closes its training pool then too. */
    void closed(Competition c, Instant at) {
        template(c).map(Template::trainingPoolId).ifPresent(pool -> pools.closeBy(pool, at));
    }

    /** The datasets {@code userId} could submit: their own. */
    List<TrainableDataset> choices(long userId) {
        return datasets.trainableBy(userId).stream().filter(d -> d.ownerId() == userId).toList();
    }

    /**
     * The data behind a team's place on the public leaderboard: the dataset of its best scored submission and who
     * contributed it (the earliest of equal scores, as the board ranks).
     */
    record BestData(long datasetId, String title, String contributor) {
    }

    /** {@link BestData} by team, for a data competition's leaderboard. */
    Map<Long, BestData> bestData(Competition c) {
        Map<Long, BestData> best = new LinkedHashMap<>();
        jdbc.sql("""
                        SELECT DISTINCT ON (s.team_id) s.team_id, s.dataset_id, s.file_name, u.display_name
                        FROM submissions s JOIN users u ON u.id = s.submitter_id
                        WHERE s.competition_id = ? AND s.team_id IS NOT NULL AND s.dataset_id IS NOT NULL AND s.status = 'SCORED'
                        ORDER BY s.team_id, s.public_score * ? DESC, s.created_at""")
                .params(c.id(), c.metric().higherIsBetter() ? 1 : -1)
                .query((rs, n) -> best.put(rs.getLong(1), new BestData(rs.getLong(2), rs.getString(3), rs.getString(4))))
                .list();
        return best;
    }

    /** {@link #advance} on one instance at a time. */
    @Scheduled(fixedDelayString = "${plaza.competition.training-poll:10s}", initialDelayString = "${plaza.competition.training-poll:10s}")
    @SchedulerLock(name = "competition-data-training", lockAtMostFor = "${plaza.competition.training-poll:10s}",
            lockAtLeastFor = "${plaza.competition.training-poll:10s}")
    void scheduledAdvance() {
        advance();
    }

    private record Training(long id, long submitterId, long jobId, Instant startedAt, int minutes) {
    }

    /**
     * Moves each training submission on: a trained model is queued for scoring as a code submission; a job that ended
     * without one, or that outran the competition's training time (it is cancelled), fails the submission, which then
     * no longer counts against the quota.
     */
    void advance() {
        List<Training> training = jdbc.sql("""
                        SELECT s.id, s.submitter_id, s.training_job_id, s.training_started_at, d.training_minutes
                        FROM submissions s JOIN data_competitions d ON d.competition_id = s.competition_id
                        WHERE s.status = 'TRAINING' ORDER BY s.id""")
                .query((rs, n) -> new Training(rs.getLong(1), rs.getLong(2), rs.getLong(3),
                        rs.getTimestamp(4).toInstant(), rs.getInt(5)))
                .list();
        Instant now = clock.instant();
        for (Training t : training) {
            Optional<TrainingJobs.JobOutcome> outcome = jobs.outcome(t.submitterId(), t.jobId());
            if (outcome.isPresent() && outcome.get().succeeded()) {
                long model = outcome.get().trainedModelId();
                transaction.executeWithoutResult(status -> {
                    if (jdbc.sql("UPDATE submissions SET status = 'QUEUED', model_id = ? WHERE id = ? AND status = 'TRAINING'")
                            .params(model, t.id()).update() == 1) {
                        events.publishEvent(new SubmissionService.Queued(t.id()));
                    }
                });
            } else if (outcome.isEmpty() || outcome.get().ended()) {
                log.info("Data submission {}: its training job {} ended without a model ({})", t.id(), t.jobId(),
                        outcome.map(TrainingJobs.JobOutcome::failureReason).orElse("gone"));
                fail(t.id(), FAILED_TRAINING);
            } else if (!now.isBefore(t.startedAt().plusSeconds(60L * t.minutes()))) {
                try {
                    jobs.cancel(t.submitterId(), t.jobId());
                } catch (UserFacingException e) {
                    // Already being verified: it may still yield a model, which stays the submitter's; the entry ends.
                }
                fail(t.id(), FAILED_TRAINING_TIME);
            }
        }
    }

    private void fail(long submissionId, String reason) {
        jdbc.sql("UPDATE submissions SET status = 'FAILED', failure = ?, scored_at = ? WHERE id = ? AND status = 'TRAINING'")
                .params(reason, Timestamp.from(clock.instant()), submissionId).update();
    }

    /**
     * The card's hyperparameters with the host's values (a JSON object; the card's defaults for the rest), each of the
     * card's and in its range, as the JSON object every submission's job trains with.
     */
    private String hyperparameters(ModelCard card, String given) {
        JsonNode values;
        try {
            values = given == null || given.isBlank() ? json.createObjectNode() : json.readTree(given);
        } catch (RuntimeException e) {
            throw new UserFacingException("hyperparameters", "competition.error.hp-json");
        }
        if (!values.isObject()) {
            throw new UserFacingException("hyperparameters", "competition.error.hp-json");
        }
        Map<String, HyperparameterSpec> specs = new LinkedHashMap<>();
        card.hyperparameters().forEach(spec -> specs.put(spec.name(), spec));
        for (String name : values.propertyNames()) {
            if (!specs.containsKey(name)) {
                throw new UserFacingException("hyperparameters", "competition.error.hp-unknown", name, names(new ArrayList<>(specs.keySet())));
            }
        }
        ObjectNode fixed = json.createObjectNode();
        for (HyperparameterSpec spec : specs.values()) {
            JsonNode value = values.get(spec.name());
            if (spec.type() == HyperparameterSpec.Type.CHOICE) {
                String choice = value == null ? String.valueOf(spec.defaultValue()) : value.asString();
                if (!spec.accepts(choice)) {
                    throw new UserFacingException("hyperparameters", "competition.error.hp-value", spec.name());
                }
                fixed.put(spec.name(), choice);
            } else {
                BigDecimal number = value == null ? new BigDecimal(String.valueOf(spec.defaultValue()))
                        : value.isNumber() ? value.decimalValue() : null;
                if (number == null || !spec.accepts(number)
                        || spec.type() == HyperparameterSpec.Type.INTEGER && number.stripTrailingZeros().scale() > 0) {
                    throw new UserFacingException("hyperparameters", "competition.error.hp-value", spec.name());
                }
                fixed.put(spec.name(), number);
            }
        }
        return fixed.toString();
    }

    /** At most the first ten names, comma-separated; a dash for none. */
    private static String names(List<String> names) {
        if (names.isEmpty()) {
            return "-";
        }
        return String.join(", ", names.subList(0, Math.min(LISTED_NAMES, names.size())))
                + (names.size() > LISTED_NAMES ? ", ..." : "");
    }
}
