package ai.aicrypto.plaza.compute.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
                        SELECT j.attempts, j.requester_id, j.dataset_id, j.model_id, r.weights_key, r.wrapped_data_key
                        FROM training_jobs j LEFT JOIN job_results r ON r.job_id = j.id AND r.attempt = j.attempts
                        WHERE j.id = ? AND j.worker_id = ? AND j.status = 'LEASED'""")
                .params(jobId, workerId)
                .query((rs, n) -> new Job(jobId, rs.getInt("attempts"), rs.getLong("requester_id"), rs.getLong("dataset_id"),
                        rs.getLong("model_id"), rs.getString("weights_key"), rs.getBytes("wrapped_data_key")))
                .optional().orElseThrow(() -> jobs.notLeased(workerId, jobId));
        if (job.weightsKey() == null) {
            throw new NoWeightsException();
        }
        ModelCard card = cards.parse(models.cardJson(job.modelId()));
        Path weights = decryptToWorkFile(job);
        try {
            Judgement judgement = judge(card, weights, splits.validation(job.datasetId()), claimed);
            return transaction.execute(status -> settle(workerId, job, card, claimed, judgement, weights));
        } finally {
            Files.deleteIfExists(weights);
        }
    }

    private record Job(long id, int attempt, long requesterId, long datasetId, long modelId, String weightsKey,
                       byte[] wrappedKey) {
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
            if (measured.accuracy() < claim - verification.accuracyTolerance()) {
                return new Judgement(measured, format("held-out accuracy %.4f is more than %.2f below the claimed %.4f",
                        measured.accuracy(), verification.accuracyTolerance(), claim));
            }
        } else {
            Double claim = number(claimed.get("loss"));
            if (claim == null) {
                return new Judgement(measured, "no loss was claimed");
            }
            if (measured.loss() > claim * (1 + verification.lossTolerance()) + 1e-9) {
                return new Judgement(measured, format("held-out loss %.5f is more than %.0f%% above the claimed %.5f",
                        measured.loss(), 100 * verification.lossTolerance(), claim));
            }
        }
        return new Judgement(measured, null);
    }

    private Verdict settle(long workerId, Job job, ModelCard card, Map<String, Object> claimed, Judgement judgement, Path weights) {
        if (jobs.currentAttempt(workerId, job.id()) != job.attempt()) {
            throw new LeaseLostException(job.id());
        }
        Double loss = judgement.evaluation() == null ? null : judgement.evaluation().loss();
        Double accuracy = judgement.evaluation() == null || Double.isNaN(judgement.evaluation().accuracy()) ? null
                : judgement.evaluation().accuracy();
        boolean verified = judgement.rejection() == null;
        jdbc.sql("""
                        UPDATE job_results SET claimed_metrics = CAST(? AS jsonb), verified_loss = ?, verified_accuracy = ?,
                                               verdict = ?, reason = ?
                        WHERE job_id = ? AND attempt = ?""")
                .params(json.writeValueAsString(claimed), loss, accuracy, verified ? "VERIFIED" : "REJECTED",
                        judgement.rejection(), job.id(), job.attempt()).update();
        jdbc.sql("""
                        UPDATE workers SET verified_jobs = verified_jobs + ?, rejected_jobs = rejected_jobs + ?,
                            reliability = CAST(verified_jobs + ? AS double precision) / (verified_jobs + rejected_jobs + 1)
                        WHERE id = ?""")
                .params(verified ? 1 : 0, verified ? 0 : 1, verified ? 1 : 0, workerId).update();
        if (!verified) {
            String reason = "Verification failed: " + judgement.rejection();
            jobs.finish(workerId, job.id(), false, json.writeValueAsString(claimed), reason);
            settlement.refundRequester(job.id(), job.requesterId(), reason);
            log.warn("Job {} attempt {} by worker {} rejected: {}", job.id(), job.attempt(), workerId, judgement.rejection());
            return new Verdict("FAILED", loss, accuracy, null, reason);
        }
        long trained = models.createPrivate(job.requesterId(), new ModelUpload(trainedCard(card, job, judgement),
                List.of("trained"), weights));
        jobs.finish(workerId, job.id(), true, json.writeValueAsString(claimed), null);
        Provider provider = jdbc.sql("""
                        SELECT o.id AS offer_id, o.provider_id,
                               o.price_per_hour_aic * CAST(EXTRACT(EPOCH FROM now() - a.leased_at) AS numeric) / 3600 AS amount
                        FROM job_attempts a JOIN workers w ON w.id = a.worker_id JOIN gpu_offers o ON o.id = w.offer_id
                        WHERE a.job_id = ? AND a.attempt = ?""")
                .params(job.id(), job.attempt())
                .query((rs, n) -> new Provider(rs.getLong("offer_id"), rs.getLong("provider_id"),
                        rs.getBigDecimal("amount").setScale(18, RoundingMode.DOWN)))
                .single();
        settlement.payProvider(job.id(), provider.providerId(), provider.amount(),
                "Verified result of attempt " + job.attempt());
        jdbc.sql("""
                        INSERT INTO training_records (job_id, worker_id, offer_id, base_model_id, dataset_id, trained_model_id,
                                                      verified_accuracy, verified_loss)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(job.id(), workerId, provider.offerId(), job.modelId(), job.datasetId(), trained, accuracy, loss).update();
        return new Verdict("SUCCEEDED", loss, accuracy, trained, null);
    }

    private record Provider(long offerId, long providerId, BigDecimal amount) {
    }

    /** The base model's card, renamed and priced at 0, describing where the weights came from. */
    private String trainedCard(ModelCard base, Job job, Judgement judgement) {
        ObjectNode card = (ObjectNode) base.json().deepCopy();
        String name = base.name() + " (trained, job " + job.id() + ")";
        card.put("name", name.length() > 140 ? name.substring(0, 140) : name);
        String accuracy = judgement.evaluation() == null || Double.isNaN(judgement.evaluation().accuracy()) ? ""
                : format(", accuracy %.4f", judgement.evaluation().accuracy());
        card.put("description", format("Trained by training job %d on dataset %d; verified on a held-out split of %d rows "
                + "(loss %.5f%s).", job.id(), job.datasetId(), judgement.evaluation().samples(), judgement.evaluation().loss(), accuracy));
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
