package ai.aicrypto.plaza.compute.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.aicrypto.plaza.compute.ComputeProperties;
import ai.aicrypto.plaza.compute.Settlement;
import ai.aicrypto.plaza.compute.internal.web.PriceEstimate;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import ai.aicrypto.plaza.model.card.SafetensorsInspector;
import ai.aicrypto.plaza.model.card.SafetensorsSummary;
import ai.aicrypto.plaza.platform.IntegrityException;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
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
    /**
     * How many times the benchmarked training time a provider is paid for at most: room for data loading,
     * start-up and a slower epoch, not for sleeping. (The CPU worker's start-up benchmark is pessimistic:
     * honest runs in WorkerProcessTest held their lease for 0.01-0.02x the time it gives.)
     */
    static final double BILLED_TIME_SLACK = 2.0;

    private final JobQueue jobs;
    private final TrainingSplits splits;
    private final HeldOutEvaluator evaluator;
    private final Models models;
    private final Settlement settlement;
    private final BlobStore blobs;
    private final DataKeys dataKeys;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final JsonMapper json;
    private final ComputeProperties properties;
    private final Path workDir;
    private final ModelCardValidator cards = new ModelCardValidator();

    JobResults(JobQueue jobs, TrainingSplits splits, HeldOutEvaluator evaluator, Models models, Settlement settlement,
               BlobStore blobs, DataKeys dataKeys, JdbcClient jdbc, TransactionTemplate transaction, JsonMapper json,
               ComputeProperties properties, PlazaProperties plaza) {
        this.jobs = jobs;
        this.splits = splits;
        this.evaluator = evaluator;
        this.models = models;
        this.settlement = settlement;
        this.blobs = blobs;
        this.dataKeys = dataKeys;
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.json = json;
        this.properties = properties;
        this.workDir = plaza.dataDir().resolve("work");
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

    record Verdict(String status, Double verifiedLoss, Double verifiedAccuracy, Long trainedModelId, String reason) {
    }

    /**
     * Stores the weights of this worker's current attempt (replacing an earlier upload of it).
     *
     * @throws ai.aicrypto.plaza.model.card.InvalidModelCardException when the file is not valid safetensors
     */
    void uploadWeights(long workerId, long jobId, InputStream body) throws IOException {
        jobs.checkLeased(workerId, jobId);
        Path file = spool(body);
        BlobStore.StoredBlob stored = null;
        try {
            SafetensorsInspector.inspect(file);
            DataKeys.DataKey key = dataKeys.generate();
            try (InputStream in = Files.newInputStream(file)) {
                stored = key.encryptTo(blobs, in, WEIGHTS_CONTEXT);
            }
            BlobStore.StoredBlob blob = stored;
            String replaced = transaction.execute(status -> {
                int attempt = jobs.currentAttempt(workerId, jobId);
                String previous = jdbc.sql("SELECT weights_key FROM job_results WHERE job_id = ? AND attempt = ?")
                        .params(jobId, attempt).query(String.class).optional().orElse(null);
                jdbc.sql("""
                                INSERT INTO job_results (job_id, attempt, worker_id, weights_key, weights_bytes, wrapped_data_key)
                                VALUES (?, ?, ?, ?, ?, ?)
                                ON CONFLICT (job_id, attempt) DO UPDATE SET weights_key = excluded.weights_key,
                                    weights_bytes = excluded.weights_bytes, wrapped_data_key = excluded.wrapped_data_key,
                                    uploaded_at = now()""")
                        .params(jobId, attempt, workerId, blob.key(), blob.bytes(), key.wrapped()).update();
                return previous;
            });
            if (replaced != null && !replaced.equals(blob.key())) {
                blobs.delete(replaced);
            }
        } catch (RuntimeException | IOException e) {
            if (stored != null) {
                blobs.delete(stored.key());
            }
            throw e;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Judges this worker's uploaded result against what it claims, and settles the job. */
    Verdict complete(long workerId, long jobId, Map<String, Object> claimed) throws IOException {
        Job job = jdbc.sql("""
                        SELECT j.attempts, j.requester_id, j.dataset_id, j.model_id, j.audit, j.audit_of,
                               r.weights_key, r.wrapped_data_key
                        FROM training_jobs j LEFT JOIN job_results r ON r.job_id = j.id AND r.attempt = j.attempts
                        WHERE j.id = ? AND j.worker_id = ? AND j.status = 'LEASED'""")
                .params(jobId, workerId)
                .query((rs, n) -> new Job(jobId, rs.getInt("attempts"), workerId, rs.getLong("requester_id"),
                        rs.getLong("dataset_id"), rs.getLong("model_id"), rs.getBoolean("audit"),
                        (Long) rs.getObject("audit_of"), rs.getString("weights_key"), rs.getBytes("wrapped_data_key")))
                .optional().orElseThrow(() -> jobs.notLeased(workerId, jobId));
        if (job.weightsKey() == null) {
            throw new NoWeightsException();
        }
        ModelCard card = cards.parse(models.cardJson(job.modelId()));
        Path weights = decryptToWorkFile(job);
        try {
            Judgement judgement = judge(card, weights, splits.validation(job.datasetId()), claimed);
            return transaction.execute(status -> settle(job, card, claimed, judgement, weights));
        } finally {
            Files.deleteIfExists(weights);
        }
    }

    /**
     * Originals whose audit failed, was cancelled, or found no other worker within the audit wait: their own
     * held-out verification stands, and they are settled as verified (checked as often as leases expire), so no
     * job waits in VERIFYING forever.
     */
    @Scheduled(fixedDelayString = "${plaza.compute.expiry-check:10s}")
    public void settleAbandonedAudits() {
        jobs.cancelUntakenAudits(properties.verification().auditWait());
        List<Long> originals = jdbc.sql("""
                        SELECT o.id FROM training_jobs o JOIN training_jobs a ON a.audit_of = o.id
                        WHERE o.status = 'VERIFYING' AND a.status IN ('FAILED', 'CANCELLED')""")
                .query(Long.class).list();
        for (long original : originals) {
            transaction.executeWithoutResult(status -> verifiedOriginal(original).ifPresent(verified -> {
                log.info("The audit of job {} did not finish; its held-out verification stands", original);
                accept(verified);
            }));
        }
    }

    /**
     * @param audit   whether this job is to be audited once verified
     * @param auditOf the job this one audits, or null
     */
    private record Job(long id, int attempt, long workerId, long requesterId, long datasetId, long modelId, boolean audit,
                       Long auditOf, String weightsKey, byte[] wrappedKey) {
    }

    private record Judgement(HeldOutEvaluator.Evaluation evaluation, String rejection) {
    }

    private Judgement judge(ModelCard card, Path weights, ShardTensors heldOut, Map<String, Object> claimed) throws IOException {
        HeldOutEvaluator.Evaluation measured;
        try {
            SafetensorsSummary summary = SafetensorsInspector.inspect(weights);
            measured = evaluator.evaluate(card, weights, summary, heldOut);
        } catch (HeldOutEvaluator.UnfitWeightsException e) {
            return new Judgement(null, e.getMessage());
        }
        var verification = properties.verification();
        if (!Double.isFinite(measured.loss())) {
            return new Judgement(measured, "the held-out loss is not a finite number");
        }
        if (card.isClassification()) {
            Double claim = number(claimed.get("accuracy"));
            if (claim == null) {
                return new Judgement(measured, "no accuracy was claimed");
            }
            double chance = 1.0 / card.outputSize();
            if (measured.accuracy() < chance + verification.minAccuracyOverChance()) {
                return new Judgement(measured, format("held-out accuracy %.4f is no better than chance (%.4f)",
                        measured.accuracy(), chance));
            }
            double majority = HeldOutBaseline.majorityShare(heldOut.labels());
            double margin = HeldOutBaseline.margin(majority, heldOut.rows());
            if (measured.accuracy() < majority + margin) {
                return new Judgement(measured, format("held-out accuracy %.4f does not beat always predicting the most "
                        + "frequent class (%.4f) by %.4f", measured.accuracy(), majority, margin));
            }
            if (measured.accuracy() < claim - verification.accuracyTolerance()) {
                return new Judgement(measured, format("held-out accuracy %.4f is more than %.2f below the claimed %.4f",
                        measured.accuracy(), verification.accuracyTolerance(), claim));
            }
        } else {
            Double claim = number(claimed.get("loss"));
            if (claim == null) {
                return new Judgement(measured, "no loss was claimed");
            }
            double constant = HeldOutBaseline.constantPredictionMse(heldOut.targets(), heldOut.rows());
            if (measured.loss() >= constant) {
                return new Judgement(measured, format("held-out loss %.5f is no better than always predicting the mean "
                        + "(%.5f)", measured.loss(), constant));
            }
            if (measured.loss() > claim * (1 + verification.lossTolerance()) + 1e-9) {
                return new Judgement(measured, format("held-out loss %.5f is more than %.0f%% above the claimed %.5f",
                        measured.loss(), 100 * verification.lossTolerance(), claim));
            }
        }
        return new Judgement(measured, null);
    }

    private Verdict settle(Job job, ModelCard card, Map<String, Object> claimed, Judgement judgement, Path weights) {
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
                .params(claimedJson, loss, accuracy, verified ? "VERIFIED" : "REJECTED", judgement.rejection(), job.id(),
                        job.attempt()).update();
        countResult(job.workerId(), verified ? 1 : 0, verified ? 0 : 1);
        if (!verified) {
            String reason = "Verification failed: " + judgement.rejection();
            jobs.finish(job.workerId(), job.id(), JobStatus.FAILED, claimedJson, reason);
            if (job.auditOf() == null) {
                settlement.refundRequester(job.id(), job.requesterId(), reason);
            } // a failed audit leaves its original to settleAbandonedAudits: the original's verification stands
            log.warn("Job {} attempt {} by worker {} rejected: {}", job.id(), job.attempt(), job.workerId(), judgement.rejection());
            return new Verdict("FAILED", loss, accuracy, null, reason);
        }
        if (job.auditOf() != null) {
            jobs.finish(job.workerId(), job.id(), JobStatus.SUCCEEDED, claimedJson, null);
            pay(job, card, "Audit re-run of job " + job.auditOf() + ", paid by the plaza");
            verifiedOriginal(job.auditOf()).ifPresent(original -> compareWithAudit(original, card, judgement.evaluation()));
            return new Verdict("SUCCEEDED", loss, accuracy, null, null);
        }
        if (job.audit()) {
            jobs.finish(job.workerId(), job.id(), JobStatus.VERIFYING, claimedJson, null);
            long audit = jobs.submitAudit(job.id(), job.workerId());
            log.info("Job {} verified on the held-out split; audit job {} trains it again on another worker", job.id(), audit);
            return new Verdict("VERIFYING", loss, accuracy, null, null);
        }
        jobs.finish(job.workerId(), job.id(), JobStatus.SUCCEEDED, claimedJson, null);
        return new Verdict("SUCCEEDED", loss, accuracy, accept(job, card, judgement.evaluation(), weights), null);
    }

    /** The original of an audit, waiting in VERIFYING, with its verified result (locked). */
    private java.util.Optional<VerifiedJob> verifiedOriginal(long jobId) {
        return jdbc.sql("""
                        SELECT j.requester_id, j.dataset_id, j.model_id, r.attempt, r.worker_id, r.weights_key, r.wrapped_data_key,
                               r.verified_loss, r.verified_accuracy
                        FROM training_jobs j JOIN job_results r ON r.job_id = j.id AND r.verdict = 'VERIFIED'
                        WHERE j.id = ? AND j.status = 'VERIFYING'
                        FOR UPDATE OF j""")
                .param(jobId)
                .query((rs, n) -> new VerifiedJob(new Job(jobId, rs.getInt("attempt"), rs.getLong("worker_id"),
                        rs.getLong("requester_id"), rs.getLong("dataset_id"), rs.getLong("model_id"), true, null,
                        rs.getString("weights_key"), rs.getBytes("wrapped_data_key")),
                        rs.getDouble("verified_loss"), (Double) rs.getObject("verified_accuracy")))
                .optional();
    }

    private record VerifiedJob(Job job, double loss, Double accuracy) {
    }

    /** The audit agrees (within the tolerance) or the original is rejected after all. */
    private void compareWithAudit(VerifiedJob original, ModelCard card, HeldOutEvaluator.Evaluation audit) {
        double tolerance = properties.verification().auditTolerance();
        String disagreement = null;
        if (card.isClassification() && Math.abs(audit.accuracy() - original.accuracy()) > tolerance) {
            disagreement = format("an audit on another worker reached held-out accuracy %.4f, the original %.4f",
                    audit.accuracy(), original.accuracy());
        } else if (!card.isClassification() && Math.abs(audit.loss() - original.loss()) > tolerance * Math.max(original.loss(), 1e-9)) {
            disagreement = format("an audit on another worker reached held-out loss %.5f, the original %.5f",
                    audit.loss(), original.loss());
        }
        if (disagreement == null) {
            accept(original);
            return;
        }
        Job job = original.job();
        jobs.endVerification(job.id(), false, "Verification failed: " + disagreement);
        jdbc.sql("UPDATE job_results SET verdict = 'REJECTED', reason = ? WHERE job_id = ? AND attempt = ?")
                .params(disagreement, job.id(), job.attempt()).update();
        countResult(job.workerId(), -1, 1);
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
        ModelUpload upload = new ModelUpload(trainedCard(card, job, evaluation), List.of("trained"), weights);
        boolean escrowed = jdbc.sql("SELECT EXISTS (SELECT 1 FROM job_deposits WHERE job_id = ? AND status = 'CONFIRMED')")
                .param(job.id()).query(Boolean.class).single();
        long trained = escrowed ? models.createWithheld(job.requesterId(), upload) : models.createPrivate(job.requesterId(), upload);
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
     * attempt was leased, for the time from lease to upload, but at most {@link #BILLED_TIME_SLACK} times
     * the training time the worker's benchmarked rate (fixed at lease) gives for the job's rows, epochs and
     * model; a worker that sleeps or renews its lease earns nothing more. Without a benchmark the time is
     * billed as it is (and the escrow caps it at the budget).
     *
     * @return the offer
     */
    private long pay(Job job, ModelCard card, String reason) {
        record Attempt(long offerId, long providerId, BigDecimal price, Double rate, double seconds, long rows, int epochs) {
        }
        Attempt a = jdbc.sql("""
                        SELECT o.id AS offer_id, o.provider_id, coalesce(a.price_per_hour_aic, o.price_per_hour_aic) AS price,
                               a.rate_samples_per_s AS rate, EXTRACT(EPOCH FROM r.uploaded_at - a.leased_at) AS seconds,
                               d.row_count, j.hyperparameters ->> 'epochs' AS epochs
                        FROM job_attempts a JOIN job_results r ON r.job_id = a.job_id AND r.attempt = a.attempt
                             JOIN workers w ON w.id = a.worker_id JOIN gpu_offers o ON o.id = w.offer_id
                             JOIN training_jobs j ON j.id = a.job_id JOIN datasets d ON d.listing_id = j.dataset_id
                        WHERE a.job_id = ? AND a.attempt = ?""")
                .params(job.id(), job.attempt())
                .query((rs, n) -> new Attempt(rs.getLong("offer_id"), rs.getLong("provider_id"), rs.getBigDecimal("price"),
                        (Double) rs.getObject("rate"), Math.max(0, rs.getDouble("seconds")), rs.getLong("row_count"),
                        epochs(rs.getString("epochs"))))
                .single();
        double billed = a.seconds();
        if (a.rate() != null && a.rate() > 0) {
            billed = Math.min(billed, BILLED_TIME_SLACK * PriceEstimate.seconds(a.rows(), a.epochs(), card, a.rate()));
        }
        BigDecimal amount = a.price().multiply(BigDecimal.valueOf(billed)).divide(BigDecimal.valueOf(3600), 18, RoundingMode.DOWN);
        settlement.payProvider(job.id(), a.providerId(), amount, reason);
        return a.offerId();
    }

    private static int epochs(String value) {
        return value != null && value.matches("\\d{1,6}") ? Math.max(1, Integer.parseInt(value)) : 1;
    }

    /** Adds to a worker's verified and rejected counts; reliability is the verified share. */
    private void countResult(long workerId, int verified, int rejected) {
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


    /** The base model's card, renamed and priced at 0, describing where the weights came from. */
    private String trainedCard(ModelCard base, Job job, HeldOutEvaluator.Evaluation evaluation) {
        ObjectNode card = (ObjectNode) base.json().deepCopy();
        String name = base.name() + " (trained, job " + job.id() + ")";
        card.put("name", name.length() > 140 ? name.substring(0, 140) : name);
        String accuracy = Double.isNaN(evaluation.accuracy()) ? "" : format(", accuracy %.4f", evaluation.accuracy());
        card.put("description", format("Trained by training job %d on dataset %d; verified on a held-out split of %d rows "
                + "(loss %.5f%s).", job.id(), job.datasetId(), evaluation.samples(), evaluation.loss(), accuracy));
        card.put("priceAic", "0");
        card.putObject("weights").put("format", "safetensors");
        return card.toString();
    }

    private Path decryptToWorkFile(Job job) throws IOException {
        Path file = Files.createTempFile(Files.createDirectories(workDir), "result-", ".safetensors");
        try (InputStream in = dataKeys.unwrap(job.wrappedKey()).decryptFrom(blobs, job.weightsKey(), WEIGHTS_CONTEXT);
             OutputStream out = Files.newOutputStream(file)) {
            in.transferTo(out);
            return file;
        } catch (GeneralSecurityException e) {
            Files.deleteIfExists(file);
            throw new IntegrityException("The weights of job " + job.id() + " cannot be decrypted", e);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** Copies the request body to a work file, stopping at the size limit. */
    private Path spool(InputStream body) throws IOException {
        long limit = properties.maxWeightsSize().toBytes();
        Path file = Files.createTempFile(Files.createDirectories(workDir), "upload-", ".safetensors");
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            for (int n; (n = body.read(buffer)) > 0; ) {
                total += n;
                if (total > limit) {
                    throw new WeightsTooLargeException(limit);
                }
                out.write(buffer, 0, n);
            }
            return file;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    private static Double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : null;
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
