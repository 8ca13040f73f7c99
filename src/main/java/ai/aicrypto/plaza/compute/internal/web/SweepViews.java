package ai.aicrypto.plaza.compute.internal.web;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.platform.NotFoundException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Sweeps as their requesters see them: the trials, their live loss curves in one chart, and the best kept. */
@Service
class SweepViews {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    SweepViews(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** The sweep for its requester or an admin (as its trials' jobs); anyone else is told it does not exist. */
    Sweep sweep(long id, AccountPrincipal viewer) {
        Sweep sweep = jdbc.sql("""
                        SELECT s.id, s.requester_id, s.search, s.budget_aic, s.keep_all, s.best_job_id, s.decided_at, s.created_at,
                               d.title AS dataset, d.id AS dataset_id, m.title AS model, m.id AS model_id
                        FROM training_sweeps s JOIN listings d ON d.id = s.dataset_id JOIN listings m ON m.id = s.model_id
                        WHERE s.id = ?""")
                .param(id)
                .query((rs, n) -> new Sweep(rs.getLong("id"), rs.getLong("requester_id"), rs.getString("search").toLowerCase(Locale.ROOT),
                        rs.getBigDecimal("budget_aic"), rs.getBoolean("keep_all"), (Long) rs.getObject("best_job_id"),
                        rs.getTimestamp("decided_at") != null, rs.getTimestamp("created_at").toInstant(), rs.getLong("dataset_id"),
                        rs.getString("dataset"), rs.getLong("model_id"), rs.getString("model"), List.of(), null, null))
                .optional().orElseThrow(NotFoundException::new);
        if (viewer == null || (sweep.requesterId() != viewer.id() && !viewer.isAdmin())) {
            throw new NotFoundException();
        }
        List<Trial> trials = jdbc.sql("""
                        SELECT j.id, j.status, j.hyperparameters::text AS hyperparameters, j.attempts,
                               r.verified_accuracy, r.verified_loss, r.trained_model_id,
                               (SELECT m.weights_key IS NOT NULL FROM models m WHERE m.listing_id = r.trained_model_id) AS has_weights
                        FROM training_jobs j LEFT JOIN training_records r ON r.job_id = j.id
                        WHERE j.sweep_id = ? ORDER BY j.id""")
                .param(id)
                .query((rs, n) -> new Trial(n + 1, rs.getLong("id"), rs.getString("status"), hyperparameters(rs.getString("hyperparameters")),
                        (Double) rs.getObject("verified_accuracy"), (Double) rs.getObject("verified_loss"),
                        (Long) rs.getObject("trained_model_id"), Boolean.TRUE.equals(rs.getObject("has_weights")),
                        losses(rs.getLong("id"), rs.getInt("attempts"))))
                .list();
        Long depositJobId = jdbc.sql("""
                        SELECT id FROM training_jobs WHERE sweep_id = ? AND id = escrow_job_id AND status = 'AWAITING_DEPOSIT'""")
                .param(id).query(Long.class).optional().orElse(null);
        return new Sweep(sweep.id(), sweep.requesterId(), sweep.search(), sweep.budgetAic(), sweep.keepAll(), sweep.bestJobId(),
                sweep.decided(), sweep.createdAt(), sweep.datasetId(), sweep.dataset(), sweep.modelId(), sweep.model(), trials,
                SweepChart.of(trials.stream().map(Trial::losses).toList()), depositJobId);
    }

    /** The training loss the worker reported after each epoch of the job's current attempt (a tree job reports some rounds). */
    private List<EpochLoss> losses(long jobId, int attempt) {
        return jdbc.sql("SELECT epoch, loss FROM job_progress WHERE job_id = ? AND attempt = ? AND loss IS NOT NULL ORDER BY epoch, seq")
                .params(jobId, attempt).query((rs, n) -> new EpochLoss(rs.getInt("epoch"), rs.getDouble("loss"))).list();
    }

    record EpochLoss(int epoch, double loss) {
    }

    private Map<String, String> hyperparameters(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        json.readValue(text, new TypeReference<Map<String, Object>>() {
        }).forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    /**
     * @param bestJobId the trial kept, once decided (null: undecided, or no trial delivered)
     * @param decided   whether every trial has ended and the best was chosen
     * @param depositJobId while the trials wait for the one deposit that pays them all, the job it is made under; else null
     */
    record Sweep(long id, long requesterId, String search, BigDecimal budgetAic, boolean keepAll, Long bestJobId, boolean decided,
                 Instant createdAt, long datasetId, String dataset, long modelId, String model, List<Trial> trials, SweepChart chart,
                 Long depositJobId) {

        /** The trial kept, or null (undecided, or no trial delivered). */
        public Trial best() {
            return trials.stream().filter(t -> bestJobId != null && t.jobId() == bestJobId).findFirst().orElse(null);
        }

        /** Whether a trial may still change (the page follows it live and offers to cancel). */
        public boolean active() {
            return !decided;
        }
    }

    /**
     * @param number          the trial's number in the sweep (1, 2, ...), also its colour in the chart
     * @param trainedModelId  the model the trial delivered, or null
     * @param hasWeights      whether that model still has its weights (discarded for trials not kept)
     */
    record Trial(int number, long jobId, String status, Map<String, String> hyperparameters, Double verifiedAccuracy,
                 Double verifiedLoss, Long trainedModelId, boolean hasWeights, List<EpochLoss> losses) {

        /** The trial's line colour in the chart, also shown on its number in the table. */
        public String colour() {
            return SweepChart.COLOURS.get((number - 1) % SweepChart.COLOURS.size());
        }
    }

    /**
     * Every trial's reported loss per epoch as one inline SVG (polylines in a fixed 600 x 160 view box, drawn on the server as
     * the competitions' score chart is, so the page needs no script); null until a trial reported a loss.
     */
    record SweepChart(List<Line> lines, String maxLoss, int epochs) {

        static final int WIDTH = 600, HEIGHT = 160, PAD = 8;
        static final List<String> COLOURS = List.of("#4f46e5", "#dc2626", "#059669", "#d97706", "#0891b2", "#9333ea", "#db2777", "#65a30d");

        record Line(int trial, String points) {

            public String colour() {
                return COLOURS.get((trial - 1) % COLOURS.size());
            }
        }

        /** Each loss at its epoch: epochs 1 to the last any trial reported across the width. */
        static SweepChart of(List<List<EpochLoss>> losses) {
            double max = losses.stream().flatMap(List::stream).mapToDouble(EpochLoss::loss).filter(Double::isFinite).max().orElse(Double.NaN);
            int epochs = losses.stream().flatMap(List::stream).mapToInt(EpochLoss::epoch).max().orElse(0);
            if (Double.isNaN(max) || epochs == 0) {
                return null;
            }
            List<Line> lines = new ArrayList<>();
            for (int t = 0; t < losses.size(); t++) {
                StringBuilder points = new StringBuilder();
                for (EpochLoss reported : losses.get(t)) {
                    double loss = Double.isFinite(reported.loss()) ? Math.min(reported.loss(), max) : max;
                    double x = PAD + (WIDTH - 2 * PAD) * (epochs == 1 ? 0.5 : (reported.epoch() - 1.0) / (epochs - 1));
                    double y = max <= 0 ? HEIGHT / 2.0 : HEIGHT - PAD - (HEIGHT - 2 * PAD) * loss / max;
                    points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                }
                lines.add(new Line(t + 1, points.toString().strip()));
            }
            return new SweepChart(lines, String.format(Locale.ROOT, "%.4g", max), epochs);
        }
    }
}
