package ai.aicrypto.plaza.compute.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

import ai.aicrypto.plaza.compute.Settlement;
import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.platform.LiveUpdates;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Sweeps ("try several settings"): a sweep's trials are ordinary training jobs of one requester, dataset and model card,
 * each with its own hyperparameters and its share of the sweep's one budget. Once every trial has ended, the best
 * trial by the held-out metric the plaza measured (accuracy, or the loss for regression) is kept and the other trials'
 * weights are discarded, unless the member asked to keep them. This class is the only writer of a sweep's rows.
 */
@Service
public class Sweeps {

    private static final Logger log = LoggerFactory.getLogger(Sweeps.class);

    private final JdbcClient jdbc;
    private final TrainingJobs jobs;
    private final Models models;
    private final LiveUpdates live;
    private final Settlement settlement;

    Sweeps(JdbcClient jdbc, TrainingJobs jobs, Models models, LiveUpdates live, Settlement settlement) {
        this.settlement = settlement;
        this.jdbc = jdbc;
        this.jobs = jobs;
        this.models = models;
        this.live = live;
    }

    /**
     * Queues a sweep's trials in the caller's transaction, each capped at an equal share of the budget (rounded down, so
     * the shares never sum past it), trial i on {@code offerIds[i % size]}; the caller checked the requester's choices and
     * that the trials' estimates on their offers fit it. Paid on-chain, the trials wait for one deposit of the whole
     * budget, made under the first trial's id (see {@link JobDeposits}).
     *
     * @param offerIds                 the offers the trials go to, in turn; empty: any offer
     * @param trialHyperparametersJson each trial's hyperparameters as a JSON object
     * @return the sweep's id
     */
    @Transactional
    public long submit(long requesterId, long datasetId, long modelId, List<Long> offerIds, Long parentModelId,
                       SweepPlan.Search search, BigDecimal budgetAic, boolean keepAll, List<String> trialHyperparametersJson) {
        long sweep = jdbc.sql("""
                        INSERT INTO training_sweeps (requester_id, dataset_id, model_id, search, budget_aic, keep_all)
                        VALUES (?, ?, ?, ?, ?, ?) RETURNING id""")
                .params(requesterId, datasetId, modelId, search.name(), budgetAic, keepAll).query(Long.class).single();
        BigDecimal share = share(budgetAic, trialHyperparametersJson.size());
        for (int i = 0; i < trialHyperparametersJson.size(); i++) {
            long job = jobs.submit(new TrainingJobs.JobRequest(requesterId, datasetId, modelId, trialHyperparametersJson.get(i), 0,
                    offerIds.isEmpty() ? null : offerIds.get(i % offerIds.size()), share, parentModelId));
            jdbc.sql("UPDATE training_jobs SET sweep_id = ? WHERE id = ?").params(sweep, job).update();
        }
        jdbc.sql("""
                        UPDATE training_jobs SET escrow_job_id = (SELECT min(id) FROM training_jobs WHERE sweep_id = :sweep)
                        WHERE sweep_id = :sweep AND status = 'AWAITING_DEPOSIT'""")
                .param("sweep", sweep).update();
        return sweep;
    }

    /** A trial's budget: the sweep's divided by the number of trials, rounded down to the token's 18 decimals. */
    public static BigDecimal share(BigDecimal budgetAic, int trials) {
        return budgetAic.divide(BigDecimal.valueOf(trials), 18, RoundingMode.DOWN);
    }

    /**
     * Cancels the requester's trials that have not ended (each refunded as a cancelled job is); the sweep is then decided
     * on what the ended ones delivered.
     *
     * @throws NotFoundException when the sweep is not the requester's
     * @throws UserFacingException when every trial has ended already
     */
    @Transactional
    public void cancel(long requesterId, long sweepId) {
        requesterOf(sweepId).filter(r -> r == requesterId).orElseThrow(NotFoundException::new);
        List<Long> open = jdbc.sql("""
                        SELECT id FROM training_jobs WHERE sweep_id = ? AND status IN ('AWAITING_DEPOSIT', 'QUEUED', 'LEASED')
                        ORDER BY id""")
                .param(sweepId).query(Long.class).list();
        if (open.isEmpty()) {
            throw new UserFacingException(null, "sweep.error.nothing-to-cancel");
        }
        open.forEach(job -> jobs.cancel(requesterId, job));
    }

    /** The sweep's requester, or empty when there is no such sweep. */
    public java.util.Optional<Long> requesterOf(long sweepId) {
        return jdbc.sql("SELECT requester_id FROM training_sweeps WHERE id = ?").param(sweepId).query(Long.class).optional();
    }

    /**
     * Decides the sweeps whose trials have all ended: the best verified trial is kept (none when no trial delivered),
     * the others' weights discarded unless kept. Each sweep is decided once, by one instance (its row locked).
     */
    @Scheduled(fixedDelayString = "${plaza.compute.sweep-decide-interval:PT5S}")
    @SchedulerLock(name = "sweeps-decide", lockAtMostFor = "PT1M")
    @Transactional
    public void decideEnded() {
        record Ended(long id, long requesterId, boolean keepAll) {
        }
        List<Ended> ended = jdbc.sql("""
                        SELECT s.id, s.requester_id, s.keep_all FROM training_sweeps s
                        WHERE s.decided_at IS NULL
                          AND NOT EXISTS (SELECT 1 FROM training_jobs j
                                          WHERE j.sweep_id = s.id AND j.status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED'))
                        ORDER BY s.id LIMIT 20 FOR UPDATE SKIP LOCKED""")
                .query((rs, n) -> new Ended(rs.getLong("id"), rs.getLong("requester_id"), rs.getBoolean("keep_all"))).list();
        for (Ended sweep : ended) {
            record Delivered(long jobId, long modelId) {
            }
            // SUCCEEDED once the weights are handed over; the record holds the metric measured on the held-out split.
            List<Delivered> delivered = jdbc.sql("""
                            SELECT j.id, r.trained_model_id FROM training_jobs j JOIN training_records r ON r.job_id = j.id
                            WHERE j.sweep_id = ? AND j.status = 'SUCCEEDED'
                            ORDER BY r.verified_accuracy DESC NULLS LAST, r.verified_loss ASC NULLS LAST, j.id""")
                    .param(sweep.id()).query((rs, n) -> new Delivered(rs.getLong(1), rs.getLong(2))).list();
            Long best = delivered.isEmpty() ? null : delivered.get(0).jobId();
            jdbc.sql("UPDATE training_sweeps SET best_job_id = ?, decided_at = now() WHERE id = ?").params(best, sweep.id()).update();
            // Every trial's payment is settled (a paid trial succeeds only then): what is left of one deposit goes back.
            jdbc.sql("SELECT DISTINCT escrow_job_id FROM training_jobs WHERE sweep_id = ? AND escrow_job_id IS NOT NULL")
                    .param(sweep.id()).query(Long.class).list().forEach(escrowJob -> settlement.refundRequester(escrowJob, sweep.requesterId(),
                            "the rest of the sweep's budget, its trials ended"));
            if (!sweep.keepAll()) {
                delivered.stream().skip(1).forEach(d -> models.discardWeights(d.modelId()));
            }
            live.publish("sweep:" + sweep.id(), "status", "decided");
            log.info("Sweep {} decided: best job {} of {} delivered", sweep.id(), best, delivered.size());
        }
    }
}
