package ai.aicrypto.plaza.compute.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;

import ai.aicrypto.plaza.model.inference.BoostedTrees;
import ai.aicrypto.plaza.model.inference.F32Tensors;
import ai.aicrypto.plaza.compute.ComputeProperties;
import ai.aicrypto.plaza.compute.Settlement;
import ai.aicrypto.plaza.compute.internal.web.PriceEstimate;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.TrainedCards;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import ai.aicrypto.plaza.model.card.SafetensorsInspector;
import ai.aicrypto.plaza.serving.ServingWorkerRejected;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.modulith.events.ApplicationModuleListener;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A worker's result and the plaza's verdict on it. The worker uploads its weights (checked as
 * safetensors, stored encrypted), then completes the job with the metrics it claims. Before anyone
 * is paid the app measures the weights on the held-out split the worker never saw: a result
 * whose held-out accuracy falls more than the tolerance below the claim, or is not clearly above
 * chance, fails the job, lowers the provider's reliability and refunds the requester. A verified
 * result pays the provider (offer price times the attempt's time), becomes a private model listing
 * of the requester and a training record.
 */
@Service
class JobResults {

    private static final Logger log = LoggerFactory.getLogger(JobResults.class);
    private static final String WEIGHTS_CONTEXT = "compute:job-weights";
    private final JobQueue jobs;
    private final EpochCheckpoints checkpoints;
    private final TrainingSplits splits;
    private final HeldOutEvaluator evaluator;
    private final Models models;
    private final Datasets datasets;
    private final Settlement settlement;
    private final WorkFiles workFiles;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final JsonMapper json;
    private final ComputeProperties properties;
    private final ModelCardValidator cards = new ModelCardValidator();
    /** Two measurements at once per instance: each may hold up to max-weights-size of weights and a held-out set. */
    private final Semaphore evaluations = new Semaphore(2);

    JobResults(JobQueue jobs, EpochCheckpoints checkpoints, TrainingSplits splits, HeldOutEvaluator evaluator, Models models,
               Datasets datasets, Settlement settlement, WorkFiles workFiles, JdbcClient jdbc, TransactionTemplate transaction, JsonMapper json,
               ComputeProperties properties) {
        this.jobs = jobs;
        this.checkpoints = checkpoints;
        this.splits = splits;
        this.evaluator = evaluator;
        this.models = models;
        this.datasets = datasets;
        this.settlement = settlement;
        this.workFiles = workFiles;
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.json = json;
        this.properties = properties;
    }

    /** The weights are too large for {@code plaza.compute.max-weights-size}. */
    static final class WeightsTooLargeException extends RuntimeException {
        WeightsTooLargeException(long limit) {
            super("The weights exceed the limit of " + limit + " bytes");
        }
    }

    /** The worker completed without uploading weights first. */
    static final class NoWeightsException extends RuntimeException {
        NoWeightsException() {
            super("Upload the weights (PUT .../weights) before completing the job");
        }
    }

    /** As many completions as the instance measures at once; a worker is told to come back (503, Retry-After). */
    static final class EvaluationsBusyException extends RuntimeException {
        EvaluationsBusyException() {
            super("The plaza is measuring other results; complete again after the Retry-After");
        }
    }

    record Verdict(String status, Double verifiedLoss, Double verifiedAccuracy, Long trainedModelId, String reason) {
    }

    /**
     * Stores the weights of this worker's current attempt (replacing an earlier upload of it).
     *
     * @throws ai.aicrypto.plaza.model.card.InvalidModelCardException when the file is not valid safetensors (a
     *         network), or not an XGBoost JSON model of the card's inputs and outputs within the job's rounds and
     *         depth (trees)
     */
    void uploadWeights(long workerId, long jobId, InputStream body) throws IOException {
        JobQueue.LeasedTraining training = jobs.leasedTraining(workerId, jobId);
        ModelCard card = cards.parse(models.cardJson(training.modelId()));
        workFiles.store(body, properties.maxWeightsSize().toBytes(), WEIGHTS_CONTEXT,
                upload -> checkWeights(card, training.hyperparametersJson(), upload.file()),
                (stored, upload) -> {
                    int attempt = jobs.currentAttempt(workerId, jobId);
                    String previous = jdbc.sql("SELECT weights_key FROM job_results WHERE job_id = ? AND attempt = ?")
                            .params(jobId, attempt).query(String.class).optional().orElse(null);
                    jdbc.sql("""
                                    INSERT INTO job_results (job_id, attempt, worker_id, weights_key, weights_bytes, wrapped_data_key)
                                    VALUES (?, ?, ?, ?, ?, ?)
                                    ON CONFLICT (job_id, attempt) DO UPDATE SET weights_key = excluded.weights_key,
                                        weights_bytes = excluded.weights_bytes, wrapped_data_key = excluded.wrapped_data_key,
                                        uploaded_at = now()""")
                            .params(jobId, attempt, workerId, stored.blob().key(), stored.blob().bytes(), stored.wrappedKey())
                            .update();
                    return previous;
                });
    }

    /** Refuses a weights file that cannot be the card's model as this job trains it. */
    private void checkWeights(ModelCard card, String hyperparametersJson, Path file) {
        if (card.isTrees()) {
            BoostedTrees.read(file, BoostedTrees.Limits.of(card, EpochCheckpoints.epochs(hyperparametersJson, card, json),
                    EpochCheckpoints.chosenInteger(hyperparametersJson, card, "maxDepth", json))).requireFits(card);
        } else {
            SafetensorsInspector.inspect(file);
        }
    }

    /**
     * Judges this worker's uploaded result against what it claims, and settles the job; an audit's result (the
     * checkpoint after its epoch) is compared with the original's instead.
     */
    Verdict complete(long workerId, long jobId, Map<String, Object> claimed) throws IOException {
        // Each measurement holds the decrypted weights and the held-out rows in memory (review M12).
        if (!evaluations.tryAcquire()) {
            throw new EvaluationsBusyException();
        }
        try {
            return measureAndSettle(workerId, jobId, claimed);
        } finally {
            evaluations.release();
        }
    }

    private Verdict measureAndSettle(long workerId, long jobId, Map<String, Object> claimed) throws IOException {
        Job job = leased(workerId, jobId);
        if (job.weightsKey() == null) {
            throw new NoWeightsException();
        }
        ModelCard card = cards.parse(models.cardJson(job.modelId()));
        if (job.auditOf() != null) {
            return completeAudit(job, card, claimed);
        }
        // A tree model's rounds are not audited: its held-out verification alone decides.
        Integer auditEpoch = card.isTrees() ? null : checkpoints.checkComplete(job.id(), job.attempt());
        Path weights = decryptToWorkFile(job);
        try {
            Judgement judgement = judge(card, weights, splits.validation(job.datasetId()), claimed);
            if (judgement.rejection() == null && auditEpoch != null) {
                judgement = judgement.rejectedFor(checkpointMismatch(job, auditEpoch, epochs(job, card), weights));
            } else if (judgement.rejection() == null && judgement.shortfall() != null) {
                judgement = judgement.rejectedFor(judgement.shortfall()); // not audited: nothing shows the work was done
            }
            Judgement judged = judgement;
            return transaction.execute(status -> settle(job, card, claimed, judged, weights, auditEpoch));
        } finally {
            Files.deleteIfExists(weights);
        }
    }

    /** This worker's current attempt of a job it holds, with its uploaded weights (null before the upload). */
    private Job leased(long workerId, long jobId) {
        return jdbc.sql("""
                        SELECT j.attempts, j.requester_id, j.dataset_id, j.model_id, j.audit_of, j.audit_epoch,
                               j.hyperparameters::text AS hyperparameters, r.weights_key, r.wrapped_data_key
                        FROM training_jobs j LEFT JOIN job_results r ON r.job_id = j.id AND r.attempt = j.attempts
                        WHERE j.id = ? AND j.worker_id = ? AND j.status = 'LEASED'""")
                .params(jobId, workerId)
                .query((rs, n) -> new Job(jobId, rs.getInt("attempts"), workerId, rs.getLong("requester_id"),
                        rs.getLong("dataset_id"), rs.getLong("model_id"), (Long) rs.getObject("audit_of"),
                        (Integer) rs.getObject("audit_epoch"), rs.getString("hyperparameters"), rs.getString("weights_key"),
                        rs.getBytes("wrapped_data_key")))
                .optional().orElseThrow(() -> jobs.notLeased(workerId, jobId));
    }

    /**
     * Originals whose audit failed, was cancelled, or found no other worker within the audit wait: their own
     * held-out verification stands (see {@link #stand}), and they are settled (checked as often as leases expire), so no
     * job waits in VERIFYING forever. An auditor who disagreed and whom no other audit confirmed is not paid.
     */
    public void settleAbandonedAudits() {
        jobs.cancelUntakenAudits(properties.verification().auditWait());
        List<Long> originals = jdbc.sql("""
                        SELECT o.id FROM training_jobs o
                        WHERE o.status = 'VERIFYING' AND o.audit_of IS NULL
                          AND EXISTS (SELECT 1 FROM training_jobs a WHERE a.audit_of = o.id AND a.status IN ('FAILED', 'CANCELLED'))
                          AND NOT EXISTS (SELECT 1 FROM training_jobs a WHERE a.audit_of = o.id AND a.status IN ('QUEUED', 'LEASED'))""")
                .query(Long.class).list();
        for (long original : originals) {
            transaction.executeWithoutResult(status -> verifiedOriginal(original).ifPresent(verified -> {
                undecidedAudits(original).forEach(other -> lost(other, "no other audit confirmed it in time"));
                stand(verified, "its audit did not finish");
            }));
        }
    }

    /**
     * @param auditOf    the job this one audits, or null
     * @param auditEpoch for an audit, the epoch it trained again
     */
    private record Job(long id, int attempt, long workerId, long requesterId, long datasetId, long modelId, Long auditOf,
                       Integer auditEpoch, String hyperparametersJson, String weightsKey, byte[] wrappedKey) {
    }

    /**
     * @param rejection why the result is refused (unfit weights, or a claim the measurement does not hold), or null
     * @param shortfall why the model is no better than a trivial one on the held-out split, or null: an honest worker
     *                  may train a weak configuration, so such a result is always audited (see
     *                  {@link #belowBaseline}) and paid only if the audit confirms the training; without an
     *                  audit it is refused like a rejection
     */
    private record Judgement(HeldOutEvaluator.Evaluation evaluation, String rejection, String shortfall) {

        Judgement rejectedFor(String reason) {
            return new Judgement(evaluation, reason, shortfall);
        }
    }

    private Judgement judge(ModelCard card, Path weights, ShardTensors heldOut, Map<String, Object> claimed) throws IOException {
        HeldOutEvaluator.Evaluation measured;
        try {
            measured = evaluator.evaluate(card, weights, heldOut);
        } catch (F32Tensors.UnfitTensorsException e) {
            return new Judgement(null, e.getMessage(), null);
        }
        if (!Double.isFinite(measured.loss())) {
            return new Judgement(measured, "the held-out loss is not a finite number", null);
        }
        var verification = properties.verification();
        String shortfall = shortfall(card, measured, heldOut);
        String metric = card.isClassification() ? "accuracy" : "loss";
        Double claim = number(claimed.get(metric));
        if (claim == null) {
            return new Judgement(measured, "no " + metric + " was claimed", shortfall);
        }
        if (card.isClassification() && measured.accuracy() < claim - verification.accuracyTolerance()) {
            return new Judgement(measured, format("held-out accuracy %.4f is more than %.2f below the claimed %.4f",
                    measured.accuracy(), verification.accuracyTolerance(), claim), shortfall);
        }
        if (!card.isClassification() && measured.loss() > claim * (1 + verification.lossTolerance()) + 1e-9) {
            return new Judgement(measured, format("held-out loss %.5f is more than %.0f%% above the claimed %.5f",
                    measured.loss(), 100 * verification.lossTolerance(), claim), shortfall);
        }
        return new Judgement(measured, null, shortfall);
    }

    /**
     * Why the measured model is no better than a trivial one (classification: chance, or the most frequent class by
     * a margin scaled to the held-out rows; regression: always predicting the mean), or null.
     */
    private String shortfall(ModelCard card, HeldOutEvaluator.Evaluation measured, ShardTensors heldOut) {
        if (card.isClassification()) {
            double chance = 1.0 / card.outputSize();
            if (measured.accuracy() < chance + properties.verification().minAccuracyOverChance()) {
                return format("held-out accuracy %.4f is no better than chance (%.4f)", measured.accuracy(), chance);
            }
            double majority = HeldOutBaseline.majorityShare(heldOut.labels());
            double margin = HeldOutBaseline.margin(majority, heldOut.rows());
            if (measured.accuracy() < majority + margin) {
                return format("held-out accuracy %.4f does not beat always predicting the most frequent class (%.4f) by %.4f",
                        measured.accuracy(), majority, margin);
            }
            return null;
        }
        double constant = HeldOutBaseline.constantPredictionMse(heldOut.targets(), heldOut.rows());
        return measured.loss() >= constant ? format("held-out loss %.5f is no better than always predicting the mean (%.5f)",
                measured.loss(), constant) : null;
    }

    /**
     * Whether the weights this worker uploaded for its current attempt are no better than a trivial model on the
     * held-out split: asked when it commits its checkpoints, so that such a result is audited whatever the draw.
     */
    boolean belowBaseline(long workerId, long jobId) {
        Job job = leased(workerId, jobId);
        if (job.weightsKey() == null) {
            throw new NoWeightsException();
        }
        ModelCard card = cards.parse(models.cardJson(job.modelId()));
        Path weights = null;
        try {
            weights = decryptToWorkFile(job);
            ShardTensors heldOut = splits.validation(job.datasetId());
            HeldOutEvaluator.Evaluation measured = evaluator.evaluate(card, weights, heldOut);
            return Double.isFinite(measured.loss()) && shortfall(card, measured, heldOut) != null;
        } catch (F32Tensors.UnfitTensorsException e) {
            return false; // refused at completion whatever the audit
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(weights);
        }
    }

    private Verdict settle(Job job, ModelCard card, Map<String, Object> claimed, Judgement judgement, Path weights,
                           Integer auditEpoch) {
        if (jobs.currentAttempt(job.workerId(), job.id()) != job.attempt()) {
            throw new LeaseLostException(job.id());
        }
        Double loss = judgement.evaluation() == null ? null : judgement.evaluation().loss();
        Double accuracy = judgement.evaluation() == null || Double.isNaN(judgement.evaluation().accuracy()) ? null
                : judgement.evaluation().accuracy();
        boolean verified = judgement.rejection() == null;
        String claimedJson = json.writeValueAsString(claimed);
        jdbc.sql("""
                        UPDATE job_results SET claimed_metrics = CAST(? AS jsonb), verified_loss = ?, verified_accuracy = ?,
                                               verdict = ?, reason = ?
                        WHERE job_id = ? AND attempt = ?""")
                .params(claimedJson, loss, accuracy, verified ? "VERIFIED" : "REJECTED",
                        verified ? judgement.shortfall() : judgement.rejection(), job.id(), job.attempt()).update();
        countResult(job.workerId(), verified ? 1 : 0, verified ? 0 : 1);
        if (!verified) {
            String reason = "Verification failed: " + judgement.rejection();
            jobs.finish(job.workerId(), job.id(), JobStatus.FAILED, claimedJson, reason);
            checkpoints.discard(job.id());
            settlement.refundRequester(job.id(), job.requesterId(), reason);
            log.warn("Job {} attempt {} by worker {} rejected: {}", job.id(), job.attempt(), job.workerId(), judgement.rejection());
            return new Verdict("FAILED", loss, accuracy, null, reason);
        }
        if (auditEpoch != null) {
            jobs.finish(job.workerId(), job.id(), JobStatus.VERIFYING, claimedJson, null);
            long audit = jobs.submitAudit(job.id(), auditEpoch, job.workerId());
            log.info("Job {} verified on the held-out split; audit job {} trains its epoch {} again on another provider's worker",
                    job.id(), audit, auditEpoch);
            return new Verdict("VERIFYING", loss, accuracy, null, null);
        }
        jobs.finish(job.workerId(), job.id(), JobStatus.SUCCEEDED, claimedJson, null);
        return new Verdict("SUCCEEDED", loss, accuracy, accept(job, card, judgement.evaluation(), weights), null);
    }

    /**
     * Why the audited epoch's checkpoints cannot be the run that made these weights (other parameter names or
     * shapes; for the last epoch, other values), or null.
     */
    private String checkpointMismatch(Job job, int auditEpoch, int epochs, Path weights) throws IOException {
        for (int epoch : List.of(auditEpoch - 1, auditEpoch)) {
            Path checkpoint = checkpoints.decrypt(job.id(), job.attempt(), epoch);
            try {
                String mismatch = CheckpointDistance.mismatch(weights, checkpoint, epoch == epochs);
                if (mismatch != null) {
                    return "checkpoint " + epoch + " is not of the run that made the weights: " + mismatch;
                }
            } finally {
                Files.deleteIfExists(checkpoint);
            }
        }
        return null;
    }

    /**
     * An audit's result: its checkpoint after the epoch, compared with the original's and with the results of the
     * audits of the same original that disagreed with it and wait (VERIFYING). Audits vote: an audit that agrees
     * with the original accepts it; two audits that agree with each other and not with the original reject it
     * (its requester is refunded); an auditor is paid when its side wins and rejected when it loses. A vote
     * against the original that no other audit confirms yet queues another audit on a provider not involved so
     * far, up to {@value #MAX_AUDITS} audits; after that the original's held-out verification stands. An audit
     * that did not train (its parameters never left the start checkpoint) or is no checkpoint has no vote and
     * is rejected. So one lazy or hostile auditor can neither fail an honest job nor pass a lazy one.
     */
    private Verdict completeAudit(Job audit, ModelCard card, Map<String, Object> claimed) throws IOException {
        long original = audit.auditOf();
        int epoch = audit.auditEpoch();
        int originalAttempt = checkpoints.verifiedAttempt(original);
        List<Job> undecided = undecidedAudits(original);
        Map<Long, CheckpointDistance.Result> vsUndecided = new java.util.HashMap<>();
        Path result = decryptToWorkFile(audit);
        Path start = null, after = null;
        try {
            start = checkpoints.decrypt(original, originalAttempt, epoch - 1);
            after = checkpoints.decrypt(original, originalAttempt, epoch);
            CheckpointDistance.Result vsOriginal = CheckpointDistance.between(result, start, after, epoch);
            for (Job other : undecided) {
                Path otherResult = decryptToWorkFile(other);
                try {
                    vsUndecided.put(other.id(), CheckpointDistance.between(result, start, otherResult, epoch));
                } finally {
                    deleteQuietly(otherResult);
                }
            }
            return transaction.execute(status -> decideAudit(audit, card, claimed, vsOriginal, undecided, vsUndecided));
        } finally {
            for (Path file : new Path[]{result, start, after}) {
                deleteQuietly(file);
            }
        }
    }

    /** Audits of one original at most: a vote against it that no other audit confirms by then leaves it standing. */
    static final int MAX_AUDITS = 3;

    private Verdict decideAudit(Job audit, ModelCard card, Map<String, Object> claimed, CheckpointDistance.Result vsOriginal,
                                List<Job> undecided, Map<Long, CheckpointDistance.Result> vsUndecided) {
        if (jobs.currentAttempt(audit.workerId(), audit.id()) != audit.attempt()) {
            throw new LeaseLostException(audit.id());
        }
        double tolerance = properties.verification().auditTolerance();
        String claimedJson = json.writeValueAsString(claimed);
        jdbc.sql("UPDATE job_results SET claimed_metrics = CAST(? AS jsonb), audit_distance = ? WHERE job_id = ? AND attempt = ?")
                .params(claimedJson, Double.isFinite(vsOriginal.distance()) ? vsOriginal.distance() : null, audit.id(),
                        audit.attempt()).update();
        Optional<VerifiedJob> verified = verifiedOriginal(audit.auditOf());
        if (vsOriginal.unfit() != null) {
            String reason = "Audit rejected: " + vsOriginal.unfit();
            recordAuditVerdict(audit, false, vsOriginal.unfit());
            jobs.finish(audit.workerId(), audit.id(), JobStatus.FAILED, claimedJson, reason);
            verified.ifPresent(original -> auditAgainOrStand(original, audit.auditEpoch(), undecided));
            log.warn("Audit {} of job {}: {}", audit.id(), audit.auditOf(), vsOriginal.unfit());
            return new Verdict("FAILED", null, null, null, reason);
        }
        if (verified.isEmpty() || vsOriginal.agrees(tolerance)) { // (an original no longer waiting: the work was asked for)
            won(audit, card, claimedJson, true);
            String reason = verified.isEmpty() ? "the original ended before the audits agreed"
                    : "it disagreed with the original, which another audit confirmed";
            undecided.forEach(other -> lost(other, reason));
            verified.ifPresent(this::accept);
            return new Verdict("SUCCEEDED", null, null, null, null);
        }
        Optional<Job> partner = undecided.stream().filter(other -> vsUndecided.get(other.id()).agrees(tolerance)).findFirst();
        if (partner.isPresent()) {
            won(audit, card, claimedJson, true);
            won(partner.get(), card, null, false);
            undecided.stream().filter(other -> other != partner.get())
                    .forEach(other -> lost(other, "two other audits agreed with each other, not with it"));
            rejectAfterAudit(verified.get(), "two audits on other providers re-ran epoch " + audit.auditEpoch()
                    + " from the original's checkpoint and agree with each other, " + vsOriginal.describe()
                    + " away from the original's (tolerance " + tolerance + ")");
            return new Verdict("SUCCEEDED", null, null, null, null);
        }
        jobs.finish(audit.workerId(), audit.id(), JobStatus.VERIFYING, claimedJson, null);
        log.warn("Audit {} of job {} disagrees with it ({})", audit.id(), audit.auditOf(), vsOriginal.describe());
        List<Job> votes = new java.util.ArrayList<>(undecided);
        votes.add(audit);
        auditAgainOrStand(verified.get(), audit.auditEpoch(), votes);
        return new Verdict("VERIFYING", null, null, null, null);
    }

    /**
     * No audit has confirmed or rejected the original yet: another audit of the epoch on a provider none of the
     * workers involved belongs to, or, after {@link #MAX_AUDITS}, the original's held-out verification stands.
     */
    private void auditAgainOrStand(VerifiedJob original, int epoch, List<Job> undecided) {
        long id = original.job().id();
        List<Long> auditors = jdbc.sql("""
                        SELECT DISTINCT a.worker_id FROM job_attempts a JOIN training_jobs j ON j.id = a.job_id
                        WHERE j.audit_of = ?""")
                .param(id).query(Long.class).list();
        if (count("training_jobs WHERE audit_of = ?", id) < MAX_AUDITS) {
            long[] excluded = java.util.stream.LongStream.concat(java.util.stream.LongStream.of(original.job().workerId()),
                    auditors.stream().mapToLong(Long::longValue)).toArray();
            long next = jobs.submitAudit(id, epoch, excluded);
            log.info("Job {}: audit {} on another provider decides between the original and {} disagreeing audit(s)", id, next,
                    undecided.size());
            return;
        }
        undecided.forEach(other -> lost(other, "no other audit agreed with it"));
        stand(original, MAX_AUDITS + " audits found no agreement");
    }

    /** An audit on the winning side: verified, its job succeeded, its worker paid (by the plaza: {@link AuditPayments}). */
    private void won(Job audit, ModelCard card, String claimedJson, boolean leased) {
        recordAuditVerdict(audit, true, null);
        if (leased) {
            jobs.finish(audit.workerId(), audit.id(), JobStatus.SUCCEEDED, claimedJson, null);
        } else {
            jobs.endVerification(audit.id(), true, null);
        }
        pay(audit, card, "Audit of epoch " + audit.auditEpoch() + " of job " + audit.auditOf() + ", paid by the plaza");
    }

    /** A waiting audit on the losing side: rejected, not paid. */
    private void lost(Job audit, String reason) {
        recordAuditVerdict(audit, false, reason);
        jobs.endVerification(audit.id(), false, "Audit rejected: " + reason);
    }

    private long count(String fromWhere, long id) {
        return jdbc.sql("SELECT count(*) FROM " + fromWhere).param(id).query(Long.class).single();
    }

    /** Counts an audit's outcome for its worker (a rejected audit lowers its reliability like a rejected job). */
    private void recordAuditVerdict(Job audit, boolean verified, String reason) {
        jdbc.sql("UPDATE job_results SET verdict = ?, reason = ? WHERE job_id = ? AND attempt = ?")
                .params(verified ? "VERIFIED" : "REJECTED", reason, audit.id(), audit.attempt()).update();
        countResult(audit.workerId(), verified ? 1 : 0, verified ? 0 : 1);
    }

    /** The audits of a job that disagreed with it and wait for another audit to confirm them. */
    private List<Job> undecidedAudits(long original) {
        return jdbc.sql("""
                        SELECT j.id, r.attempt, r.worker_id, j.requester_id, j.dataset_id, j.model_id, j.audit_epoch,
                               j.hyperparameters::text AS hyperparameters, r.weights_key, r.wrapped_data_key
                        FROM training_jobs j JOIN job_results r ON r.job_id = j.id AND r.attempt = j.attempts
                        WHERE j.audit_of = ? AND j.status = 'VERIFYING' ORDER BY j.id""")
                .param(original)
                .query((rs, n) -> new Job(rs.getLong("id"), rs.getInt("attempt"), rs.getLong("worker_id"),
                        rs.getLong("requester_id"), rs.getLong("dataset_id"), rs.getLong("model_id"), original,
                        rs.getInt("audit_epoch"), rs.getString("hyperparameters"), rs.getString("weights_key"),
                        rs.getBytes("wrapped_data_key")))
                .list();
    }

    /** The original of an audit, waiting in VERIFYING, with its verified result (locked). */
    private Optional<VerifiedJob> verifiedOriginal(long jobId) {
        return jdbc.sql("""
                        SELECT j.requester_id, j.dataset_id, j.model_id, j.hyperparameters::text AS hyperparameters, r.attempt,
                               r.worker_id, r.weights_key, r.wrapped_data_key, r.verified_loss, r.verified_accuracy, r.reason
                        FROM training_jobs j JOIN job_results r ON r.job_id = j.id AND r.verdict = 'VERIFIED'
                        WHERE j.id = ? AND j.status = 'VERIFYING'
                        FOR UPDATE OF j""")
                .param(jobId)
                .query((rs, n) -> new VerifiedJob(new Job(jobId, rs.getInt("attempt"), rs.getLong("worker_id"),
                        rs.getLong("requester_id"), rs.getLong("dataset_id"), rs.getLong("model_id"), null, null,
                        rs.getString("hyperparameters"), rs.getString("weights_key"), rs.getBytes("wrapped_data_key")),
                        rs.getDouble("verified_loss"), (Double) rs.getObject("verified_accuracy"), rs.getString("reason")))
                .optional();
    }

    /** @param shortfall why the model is no better than a trivial one (see {@link Judgement}), or null */
    private record VerifiedJob(Job job, double loss, Double accuracy, String shortfall) {
    }

    /**
     * No audit decided: the original's held-out verification stands. A model no better than a trivial one was
     * paid only on an audit's word, so without one it is refused.
     */
    private void stand(VerifiedJob original, String why) {
        if (original.shortfall() == null) {
            log.info("Job {}: {}; its held-out verification stands", original.job().id(), why);
            accept(original);
        } else {
            rejectAfterAudit(original, original.shortfall() + ", and no audit confirmed the training (" + why + ")");
        }
    }

    /** The audit showed the original's epoch was not trained as committed: rejected after all, the requester refunded. */
    private void rejectAfterAudit(VerifiedJob original, String disagreement) {
        Job job = original.job();
        jobs.endVerification(job.id(), false, "Verification failed: " + disagreement);
        jdbc.sql("UPDATE job_results SET verdict = 'REJECTED', reason = ? WHERE job_id = ? AND attempt = ?")
                .params(disagreement, job.id(), job.attempt()).update();
        countResult(job.workerId(), -1, 1);
        checkpoints.discard(job.id());
        settlement.refundRequester(job.id(), job.requesterId(), "Verification failed: " + disagreement);
        log.warn("Job {} rejected: {}", job.id(), disagreement);
    }

    /** A verified original, settled after its audit: its stored weights become the trained model. */
    private void accept(VerifiedJob verified) {
        Job job = verified.job();
        ModelCard card = cards.parse(models.cardJson(job.modelId()));
        Path weights = null;
        try {
            weights = decryptToWorkFile(job);
            jobs.endVerification(job.id(), true, null);
            checkpoints.discard(job.id());
            accept(job, card, new HeldOutEvaluator.Evaluation(verified.loss(),
                    verified.accuracy() == null ? Double.NaN : verified.accuracy(), heldOutRows(job.datasetId())), weights);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(weights);
        }
    }

    /**
     * Pays the provider and makes the weights a private model of the requester, with its training record.
     * A job paid through JobEscrow hands the weights over only once the provider's payment is settled
     * on-chain ({@link EscrowSettlements}): a requester cannot take the model and reclaim the budget.
     */
    private long accept(Job job, ModelCard card, HeldOutEvaluator.Evaluation evaluation, Path weights) {
        Long parent = jdbc.sql("SELECT parent_model_id FROM training_jobs WHERE id = ?").param(job.id())
                .query((rs, n) -> Optional.ofNullable((Long) rs.getObject(1))).single().orElse(null);
        ModelUpload upload = new ModelUpload(trainedCard(card, job, evaluation), List.of("trained"), weights, 0, parent);
        long trained = jobs.paidThroughEscrow(job.id()) ? models.createWithheld(job.requesterId(), upload) : models.createPrivate(job.requesterId(), upload);
        long offer = pay(job, card, "Verified result of attempt " + job.attempt());
        jdbc.sql("""
                        INSERT INTO training_records (job_id, worker_id, offer_id, base_model_id, dataset_id, trained_model_id,
                                                      verified_accuracy, verified_loss)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(job.id(), job.workerId(), offer, job.modelId(), job.datasetId(), trained,
                        Double.isNaN(evaluation.accuracy()) ? null : evaluation.accuracy(), evaluation.loss()).update();
        return trained;
    }

    /**
     * Pays the provider of the attempt's worker for the work the job needed: the offer's price when the
     * attempt was leased, for the time from lease to upload, but at most the training time the offer's
     * benchmarked rate (fixed at lease) gives for the job's rows, epochs (an audit: one) and model, which is
     * what the requester was quoted; a worker that sleeps or renews its lease earns nothing more. Without a
     * benchmark the time is billed as it is (and the escrow caps it at the budget).
     *
     * @return the offer
     */
    private long pay(Job job, ModelCard card, String reason) {
        record Attempt(long offerId, long providerId, BigDecimal price, Double rate, double seconds, long rows) {
        }
        Attempt a = jdbc.sql("""
                        SELECT o.id AS offer_id, o.provider_id, coalesce(a.price_per_hour_aic, o.price_per_hour_aic) AS price,
                               a.rate_samples_per_s AS rate, EXTRACT(EPOCH FROM r.uploaded_at - a.leased_at) AS seconds,
                               d.row_count
                        FROM job_attempts a JOIN job_results r ON r.job_id = a.job_id AND r.attempt = a.attempt
                             JOIN workers w ON w.id = a.worker_id JOIN gpu_offers o ON o.id = w.offer_id
                             JOIN training_jobs j ON j.id = a.job_id JOIN datasets d ON d.listing_id = j.dataset_id
                        WHERE a.job_id = ? AND a.attempt = ?""")
                .params(job.id(), job.attempt())
                .query((rs, n) -> new Attempt(rs.getLong("offer_id"), rs.getLong("provider_id"), rs.getBigDecimal("price"),
                        (Double) rs.getObject("rate"), Math.max(0, rs.getDouble("seconds")), rs.getLong("row_count")))
                .single();
        double billed = a.seconds();
        if (a.rate() != null && a.rate() > 0) {
            int epochs = job.auditEpoch() != null ? 1 : epochs(job, card);
            billed = Math.min(billed, PriceEstimate.seconds(a.rows(), epochs, card, a.rate()));
        }
        BigDecimal amount = a.price().multiply(BigDecimal.valueOf(billed)).divide(BigDecimal.valueOf(3600), 18, RoundingMode.DOWN);
        settlement.payProvider(job.id(), a.providerId(), amount, reason);
        return a.offerId();
    }

    private int epochs(Job job, ModelCard card) {
        return EpochCheckpoints.epochs(job.hyperparametersJson(), card, json);
    }

    /**
     * A serving worker's wrong answer counts as a rejected result, as a training result that failed verification does,
     * and marks the worker so that no instance hands it calls again (see ServingApiController).
     */
    @ApplicationModuleListener
    void on(ServingWorkerRejected rejected) {
        countResult(rejected.workerId(), 0, 1);
        jdbc.sql("UPDATE workers SET serving_rejected_at = now(), serving_rejected_reason = ? WHERE id = ? AND serving_rejected_at IS NULL")
                .params(rejected.reason(), rejected.workerId()).update();
    }

    /**
     * Adds to a worker's verified and rejected counts; reliability is the verified share. A rejection also marks
     * for rotation the training splits whose keys the worker's provider received.
     */
    private void countResult(long workerId, int verified, int rejected) {
        if (rejected > 0) {
            splits.distrustProviderOf(workerId);
        }
        jdbc.sql("""
                        UPDATE workers SET verified_jobs = verified_jobs + :v, rejected_jobs = rejected_jobs + :r,
                            reliability = CAST(verified_jobs + :v AS double precision) / (verified_jobs + :v + rejected_jobs + :r)
                        WHERE id = :worker""")
                .param("v", verified).param("r", rejected).param("worker", workerId).update();
    }

    private long heldOutRows(long datasetId) {
        return jdbc.sql("SELECT validation_rows FROM training_splits WHERE dataset_id = ?").param(datasetId)
                .query(Long.class).single();
    }

    private static void deleteQuietly(Path file) {
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // a decrypted copy left under data/work is as safe as the data directory itself
        }
    }


    /**
     * The base model's card, renamed and priced at 0, describing where the weights came from, with the
     * dataset's preprocessing so the trained model takes raw records.
     */
    private String trainedCard(ModelCard base, Job job, HeldOutEvaluator.Evaluation evaluation) {
        ObjectNode card = (ObjectNode) base.json().deepCopy();
        String name = base.name() + " (trained, job " + job.id() + ")";
        card.put("name", name.length() > 120 ? name.substring(0, 120) : name);
        TrainedCards.describeInput(card, datasets.preprocessing(job.datasetId()));
        String accuracy = Double.isNaN(evaluation.accuracy()) ? "" : format(", accuracy %.4f", evaluation.accuracy());
        card.put("description", format("Trained by training job %d on dataset %d; verified on a held-out split of %d rows "
                + "(loss %.5f%s).", job.id(), job.datasetId(), evaluation.samples(), evaluation.loss(), accuracy));
        card.put("priceAic", "0");
        card.putObject("weights").put("format", base.weightsFormat());
        return card.toString();
    }

    private Path decryptToWorkFile(Job job) throws IOException {
        return workFiles.decrypt(job.wrappedKey(), job.weightsKey(), WEIGHTS_CONTEXT, "The weights of job " + job.id());
    }

    private static Double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : null;
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
