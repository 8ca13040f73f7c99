package ai.aicrypto.plaza.compute.internal.web;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.compute.JobWatchers;
import ai.aicrypto.plaza.compute.internal.JobStatus;
import ai.aicrypto.plaza.compute.internal.ModelFamilies;
import ai.aicrypto.plaza.platform.NotFoundException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/** Training jobs as their requesters (and admins, and the {@link JobWatchers} other modules name) see them. */
@Service
public class JobViews {

    private static final int JOBS_LISTED = 200;

    private final JdbcClient jdbc;
    private final Clock clock;
    private final OfferDirectory offers;
    private final List<JobWatchers> watchers;

    JobViews(JdbcClient jdbc, Clock clock, OfferDirectory offers, List<JobWatchers> watchers) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.offers = offers;
        this.watchers = watchers;
    }

    List<JobSummary> of(long requesterId) {
        return jdbc.sql("""
                        SELECT j.id, j.status, j.created_at, d.title AS dataset, m.title AS model
                        FROM training_jobs j JOIN listings d ON d.id = j.dataset_id JOIN listings m ON m.id = j.model_id
                        WHERE j.requester_id = ? ORDER BY j.created_at DESC, j.id DESC LIMIT ?""")
                .params(requesterId, JOBS_LISTED)
                .query((rs, n) -> new JobSummary(rs.getLong("id"), rs.getString("status"), rs.getString("dataset"),
                        rs.getString("model"), rs.getTimestamp("created_at").toInstant()))
                .list();
    }

    /**
     * The job with its progress, for its requester, an admin or a watcher another module names; anyone else is told
     * it does not exist.
     */
    Job job(long id, AccountPrincipal viewer) {
        Job job = jdbc.sql("""
                        SELECT j.id, j.requester_id, j.status, j.attempts, j.max_attempts, j.failure_reason,
                               j.hyperparameters::text AS hyperparameters, coalesce(j.hyperparameters ->> 'epochs', j.hyperparameters ->> 'rounds') AS epochs,
                               j.budget_aic, j.created_at, j.sweep_id,
                               (SELECT s.amount_aic FROM settlements s WHERE s.job_id = j.id AND s.kind = 'PAY_PROVIDER') AS charged_aic,
                               j.updated_at, j.metrics::text AS metrics,
                               r.verified_loss, r.verified_accuracy, r.reason AS shortfall, t.trained_model_id,
                               (SELECT s.state FROM settlements s WHERE s.job_id = j.id AND s.kind = 'PAY_PROVIDER') AS payment_state,
                               d.title AS dataset, d.id AS dataset_id, m.title AS model, m.id AS model_id,
                               o.title AS offer, o.price_per_hour_aic,
                               (SELECT count(*) + 1 FROM training_jobs q
                                WHERE q.status = 'QUEUED' AND (q.created_at, q.id) < (j.created_at, j.id)
                                  AND (q.offer_id IS NULL OR j.offer_id IS NULL OR q.offer_id = j.offer_id)) AS queue_position,
                               %2$s AS family, fleet.workers_online, fleet.workers_unfit
                        FROM training_jobs j JOIN listings d ON d.id = j.dataset_id JOIN listings m ON m.id = j.model_id
                             LEFT JOIN gpu_offers o ON o.id = j.offer_id
                             LEFT JOIN job_results r ON r.job_id = j.id AND r.attempt = j.attempts AND r.verdict = 'VERIFIED'
                             LEFT JOIN training_records t ON t.job_id = j.id
                             -- the online workers that could lease it now, and those that could but for its model's family
                             CROSS JOIN LATERAL (
                                 SELECT count(*) FILTER (WHERE fits) AS workers_online, count(*) FILTER (WHERE NOT fits) AS workers_unfit
                                 FROM (SELECT jsonb_exists(%1$s, %2$s) AS fits FROM workers w
                                       WHERE w.last_heartbeat >= :onlineSince AND coalesce(w.gpu_memory_mb, 0) >= j.min_memory_mb
                                         AND (j.offer_id IS NULL OR w.offer_id = j.offer_id)
                                         AND (j.excluded_worker_id IS NULL OR w.id <> j.excluded_worker_id)) able) fleet
                        WHERE j.id = :id""".formatted(ModelFamilies.sql("w"), ModelFamilies.jobFamilySql("j")))
                .param("id", id).param("onlineSince", java.sql.Timestamp.from(clock.instant().minus(offers.onlineWithin())))
                .query((rs, n) -> new Job(rs.getLong("id"), rs.getLong("requester_id"), rs.getString("status"),
                        rs.getInt("attempts"), rs.getInt("max_attempts"), rs.getString("failure_reason"),
                        rs.getString("hyperparameters"), parseEpochs(rs.getString("epochs")), rs.getBigDecimal("budget_aic"),
                        rs.getBigDecimal("charged_aic"), rs.getTimestamp("created_at").toInstant(),
                        rs.getTimestamp("updated_at").toInstant(), rs.getString("metrics"), rs.getLong("dataset_id"),
                        rs.getString("dataset"), rs.getLong("model_id"), rs.getString("model"), rs.getString("offer"),
                        rs.getBigDecimal("price_per_hour_aic"), rs.getLong("queue_position"), rs.getLong("workers_online"),
                        rs.getString("family"), rs.getLong("workers_unfit"), result(rs), List.of(), (Long) rs.getObject("sweep_id")))
                .optional().orElseThrow(NotFoundException::new);
        if (viewer == null || job.requesterId() != viewer.id() && !viewer.isAdmin()
                && watchers.stream().noneMatch(w -> w.mayWatch(id, viewer.id()))) {
            throw new NotFoundException();
        }
        List<Progress> progress = jdbc.sql("""
                        SELECT attempt, epoch, loss, accuracy, samples_per_s, reported_at FROM job_progress
                        WHERE job_id = ? ORDER BY seq""")
                .param(id)
                .query((rs, n) -> new Progress(rs.getInt("attempt"), rs.getInt("epoch"), (Double) rs.getObject("loss"),
                        (Double) rs.getObject("accuracy"), (Double) rs.getObject("samples_per_s"),
                        rs.getTimestamp("reported_at").toInstant()))
                .list();
        return job.withProgress(progress);
    }

    private static Result result(java.sql.ResultSet rs) throws java.sql.SQLException {
        Double loss = (Double) rs.getObject("verified_loss");
        return loss == null ? null : new Result(loss, (Double) rs.getObject("verified_accuracy"),
                (Long) rs.getObject("trained_model_id"), rs.getString("payment_state"), rs.getString("shortfall"));
    }

    private static Integer parseEpochs(String text) {
        try {
            return text == null ? null : new BigDecimal(text).intValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            return null;
        }
    }

    public record JobSummary(long id, String status, String dataset, String model, Instant createdAt) {
    }

    /**
     * @param epochs        the epochs asked for, when the hyperparameters name them
     * @param queuePosition 1 for the next job to be leased; meaningful while queued. Jobs ahead that are bound to
     *                      another offer's GPUs do not count: they never take the GPUs this job waits for.
     * @param workersOnline the online workers that could lease this job now (its offer, enough memory, its family)
     * @param family        its model's family (its card's architecture template)
     * @param workersUnfit  the online workers that could lease it but for its family: they do not train that
     * @param progress      every report, in order, all attempts
     */
    public record Job(long id, long requesterId, String status, int attempts, int maxAttempts, String failureReason,
                      String hyperparametersJson, Integer epochs, BigDecimal budgetAic, BigDecimal chargedAic,
                      Instant createdAt, Instant updatedAt, String metricsJson, long datasetId, String dataset, long modelId,
                      String model, String offer, BigDecimal offerPricePerHourAic, long queuePosition,
                      long workersOnline, String family, long workersUnfit, Result result, List<Progress> progress,
                      Long sweepId) {

        /** A tree job boosts rounds where a network trains epochs: the page names what it counts. */
        public boolean trees() {
            return ModelCard.TEMPLATE_GBDT.equals(family);
        }

        Job withProgress(List<Progress> progress) {
            return new Job(id, requesterId, status, attempts, maxAttempts, failureReason, hyperparametersJson, epochs,
                    budgetAic, chargedAic, createdAt, updatedAt, metricsJson, datasetId, dataset, modelId, model, offer,
                    offerPricePerHourAic, queuePosition, workersOnline, family, workersUnfit, result, List.copyOf(progress), sweepId);
        }

        /** Verified, and waiting for the provider's payment to be confirmed on-chain before the weights are handed over. */
        public boolean settling() {
            return "SETTLING".equals(status);
        }

        public boolean queued() {
            return "QUEUED".equals(status);
        }

        /** Whether the job may still change: awaiting its deposit, queued, leased, being audited or settled. */
        public boolean active() {
            return awaitingDeposit() || List.of("QUEUED", "LEASED", "VERIFYING", "SETTLING").contains(status);
        }

        /** Nothing delivered or judged yet: the requester may still cancel. */
        public boolean cancellable() {
            return JobStatus.CANCELLABLE.contains(JobStatus.valueOf(status));
        }

        public boolean awaitingDeposit() {
            return "AWAITING_DEPOSIT".equals(status);
        }

        /** The reports of the current (latest) attempt: what the charts and ETA use. */
        public List<Progress> currentAttempt() {
            int attempt = progress.isEmpty() ? 0 : progress.get(progress.size() - 1).attempt();
            return progress.stream().filter(p -> p.attempt() == attempt).toList();
        }

        /** The current attempt's curves for the charts: {"epoch":[..],"loss":[..],"accuracy":[..]}, null where not reported. */
        public String seriesJson() {
            List<Progress> current = currentAttempt();
            return "{\"epoch\":" + numbers(current.stream().map(p -> (double) p.epoch()).toList())
                    + ",\"loss\":" + numbers(current.stream().map(Progress::loss).toList())
                    + ",\"accuracy\":" + numbers(current.stream().map(Progress::accuracy).toList()) + "}";
        }

        private static String numbers(List<Double> values) {
            return values.stream().map(v -> v == null || !Double.isFinite(v) ? "null" : String.valueOf(v))
                    .collect(java.util.stream.Collectors.joining(",", "[", "]"));
        }

        public Progress latest() {
            return progress.isEmpty() ? null : progress.get(progress.size() - 1);
        }

        /**
         * Time left while running: the epochs still to go at the pace of the epochs reported so
         * far in this attempt; null before two reports, or when the epochs are unknown.
         */
        public Duration eta() {
            List<Progress> current = currentAttempt();
            if (!"LEASED".equals(status) || epochs == null || current.size() < 2) {
                return null;
            }
            Progress first = current.get(0);
            Progress last = current.get(current.size() - 1);
            int epochsDone = last.epoch() - first.epoch();
            if (epochsDone <= 0) {
                return null;
            }
            Duration perEpoch = Duration.between(first.reportedAt(), last.reportedAt()).dividedBy(epochsDone);
            return perEpoch.multipliedBy(Math.max(0, epochs - last.epoch()));
        }
    }

    /**
     * What the plaza measured on the held-out split for the verified attempt, and the model it became (null
     * while the job is being audited) with the state of the provider's payment (null without one), and why the
     * model is no better than a trivial one (null when it is).
     */
    public record Result(double verifiedLoss, Double verifiedAccuracy, Long trainedModelId, String paymentState,
                         String shortfall) {
    }

    public record Progress(int attempt, int epoch, Double loss, Double accuracy, Double samplesPerSecond,
                           Instant reportedAt) {
    }
}
