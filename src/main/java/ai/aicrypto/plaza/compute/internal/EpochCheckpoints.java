package ai.aicrypto.plaza.compute.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import ai.aicrypto.plaza.compute.ComputeProperties;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.SafetensorsInspector;
import ai.aicrypto.plaza.platform.NotFoundException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A worker's per-epoch checkpoints: the commitment it makes with its result (the SHA-256 of its
 * checkpoint after every epoch, 0 being the seeded initial state), the epoch drawn for an audit once
 * the commitment is made (so the worker cannot know which epochs it may skip), and the two checkpoint
 * files of that epoch, checked against the commitment and stored encrypted until the audit is decided.
 * An audit job's worker reads the original's checkpoint before the epoch from here.
 * <p>
 * A checkpoint is the gpu-worker's safetensors file: a cnn's {@code conv.i.*} and {@code bn.i.*}, {@code layers.i.weight/bias}, then the optimizer's
 * moments ({@code optimizer.m.*}, {@code optimizer.v.*}), with metadata {@code format} =
 * {@value #FORMAT}, {@code epoch} and {@code step}.
 */
@Service
class EpochCheckpoints {

    static final String FORMAT = "aiplaza-checkpoint-v1";
    private static final String CONTEXT = "compute:job-checkpoint";
    /** More epochs than any card allows; bounds the commitment a worker may send. */
    static final int MAX_EPOCHS = 100_000;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Random random = new SecureRandom();
    private final JobQueue jobs;
    private final WorkFiles workFiles;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final ComputeProperties properties;

    EpochCheckpoints(JobQueue jobs, WorkFiles workFiles, JdbcClient jdbc, TransactionTemplate transaction,
                     ComputeProperties properties) {
        this.jobs = jobs;
        this.workFiles = workFiles;
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.properties = properties;
    }

    /** The worker's request breaks the protocol; the message says what to send instead (HTTP 409 or 422). */
    static final class CheckpointRefusedException extends RuntimeException {
        final boolean conflict;

        CheckpointRefusedException(boolean conflict, String message) {
            super(message);
            this.conflict = conflict;
        }
    }

    /**
     * The epochs a job trains (a tree model's rounds, which it reports like epochs): the requester's choice, else the
     * card's default.
     */
    static int epochs(String hyperparametersJson, ModelCard card, JsonMapper json) {
        return chosenInteger(hyperparametersJson, card, card.passesHyperparameter(), json);
    }

    /** A whole-number hyperparameter of a job (at least 1): the requester's choice, else the card's default. */
    static int chosenInteger(String hyperparametersJson, ModelCard card, String name, JsonMapper json) {
        JsonNode chosen = hyperparametersJson == null ? null : json.readTree(hyperparametersJson).get(name);
        if (chosen != null && chosen.canConvertToInt() && chosen.asInt() >= 1) {
            return chosen.asInt();
        }
        return card.hyperparameter(name).map(h -> ((java.math.BigDecimal) h.defaultValue()).intValue()).orElse(1);
    }

    /**
     * Records the commitment of this worker's current attempt (after its weights) and answers which
     * checkpoints to upload: none, or those before and after the epoch drawn for the audit. Sending the
     * same commitment again gets the same answer; another one is refused.
     *
     * @param belowBaseline asked (once, when not drawn anyway) whether the uploaded weights are no better than a
     *                      trivial model: such a result is always audited
     */
    List<Integer> commit(long workerId, long jobId, List<String> sha256, int epochs, java.util.function.BooleanSupplier belowBaseline) {
        if (sha256 == null || sha256.size() < 2 || sha256.size() > MAX_EPOCHS + 1
                || !sha256.stream().allMatch(h -> h != null && SHA256.matcher(h).matches())) {
            throw new CheckpointRefusedException(false, "Send \"sha256\": the lower-case hex SHA-256 of the checkpoint after "
                    + "every epoch, from 0 (the initial state) to the last");
        }
        if (sha256.size() != epochs + 1) {
            throw new CheckpointRefusedException(false, "This job trains " + epochs + " epochs: send " + (epochs + 1)
                    + " checkpoint hashes (epoch 0 to " + epochs + "), not " + sha256.size());
        }
        return transaction.execute(status -> {
            int attempt = jobs.currentAttempt(workerId, jobId);
            record Committed(List<String> hashes, Integer auditEpoch, double draw) {
            }
            Committed committed = jdbc.sql("""
                            SELECT r.checkpoint_sha256, r.audit_epoch, j.audit_draw
                            FROM job_results r JOIN training_jobs j ON j.id = r.job_id
                            WHERE r.job_id = ? AND r.attempt = ?""")
                    .params(jobId, attempt)
                    .query((rs, n) -> new Committed(rs.getArray(1) == null ? null : List.of((String[]) rs.getArray(1).getArray()),
                            (Integer) rs.getObject(2), rs.getDouble(3)))
                    .optional().orElseThrow(JobResults.NoWeightsException::new);
            if (committed.hashes() != null) {
                if (!committed.hashes().equals(sha256)) {
                    throw new CheckpointRefusedException(true, "The checkpoints of this attempt are committed already");
                }
                return requested(committed.auditEpoch());
            }
            boolean audited = committed.draw() < Math.min(1, properties.verification().auditComputeShare() * epochs)
                    || belowBaseline.getAsBoolean();
            Integer auditEpoch = audited ? 1 + random.nextInt(epochs) : null;
            jdbc.sql("UPDATE job_results SET checkpoint_sha256 = ?, audit_epoch = ? WHERE job_id = ? AND attempt = ?")
                    .params(sha256.toArray(String[]::new), auditEpoch, jobId, attempt).update();
            return requested(auditEpoch);
        });
    }

    private static List<Integer> requested(Integer auditEpoch) {
        return auditEpoch == null ? List.of() : List.of(auditEpoch - 1, auditEpoch);
    }

    /**
     * Stores a checkpoint the plaza asked this worker for, after checking it against the commitment and
     * that it is a checkpoint of that epoch.
     *
     * @throws ai.aicrypto.plaza.model.card.InvalidModelCardException when the file is not valid safetensors
     */
    void upload(long workerId, long jobId, int epoch, InputStream body) throws IOException {
        committedHash(jobId, jobs.currentAttempt(workerId, jobId), epoch); // refused before anything is read
        long limit = 3 * properties.maxWeightsSize().toBytes(); // weights and up to two optimizer moments
        workFiles.store(body, limit, CONTEXT, upload -> checkFormat(upload.file(), epoch),
                (stored, upload) -> {
                    int attempt = jobs.currentAttempt(workerId, jobId);
                    if (!committedHash(jobId, attempt, epoch).equals(upload.sha256())) {
                        throw new CheckpointRefusedException(false, "Checkpoint " + epoch + " does not match its committed SHA-256");
                    }
                    String previous = jdbc.sql("SELECT blob_key FROM job_checkpoints WHERE job_id = ? AND attempt = ? AND epoch = ?")
                            .params(jobId, attempt, epoch).query(String.class).optional().orElse(null);
                    jdbc.sql("""
                                    INSERT INTO job_checkpoints (job_id, attempt, epoch, blob_key, bytes, wrapped_data_key)
                                    VALUES (?, ?, ?, ?, ?, ?)
                                    ON CONFLICT (job_id, attempt, epoch) DO UPDATE SET blob_key = excluded.blob_key,
                                        bytes = excluded.bytes, wrapped_data_key = excluded.wrapped_data_key, uploaded_at = now()""")
                            .params(jobId, attempt, epoch, stored.blob().key(), stored.blob().bytes(), stored.wrappedKey()).update();
                    return previous;
                });
    }

    /** The committed SHA-256 of a checkpoint the plaza asked this attempt for; refuses any other. */
    private String committedHash(long jobId, int attempt, int epoch) {
        record Committed(String[] hashes, Integer auditEpoch) {
        }
        Committed committed = jdbc.sql("SELECT checkpoint_sha256, audit_epoch FROM job_results WHERE job_id = ? AND attempt = ?")
                .params(jobId, attempt)
                .query((rs, n) -> new Committed(rs.getArray(1) == null ? null : (String[]) rs.getArray(1).getArray(),
                        (Integer) rs.getObject(2)))
                .optional().orElse(new Committed(null, null));
        if (committed.hashes() == null) {
            throw new CheckpointRefusedException(true, "Commit the checkpoint hashes first (POST .../checkpoints)");
        }
        if (!requested(committed.auditEpoch()).contains(epoch)) {
            throw new CheckpointRefusedException(true, "The plaza did not ask for checkpoint " + epoch);
        }
        return committed.hashes()[epoch];
    }

    /** Refuses a file that is not a checkpoint of this epoch (its tensors are checked when it is compared). */
    static void checkFormat(Path file, int epoch) {
        var metadata = SafetensorsInspector.inspect(file).metadata();
        if (!FORMAT.equals(metadata.get("format")) || !String.valueOf(epoch).equals(metadata.get("epoch"))) {
            throw new CheckpointRefusedException(false, "Not a checkpoint of epoch " + epoch + " (metadata format \""
                    + FORMAT + "\", epoch \"" + epoch + "\" expected)");
        }
    }

    /**
     * Throws unless the attempt's commitment is made and the checkpoints it was asked for are uploaded.
     *
     * @return the epoch drawn for the audit, or null when the job is not audited
     */
    Integer checkComplete(long jobId, int attempt) {
        record State(boolean committed, Integer auditEpoch, long uploaded) {
        }
        State state = jdbc.sql("""
                        SELECT r.checkpoint_sha256 IS NOT NULL, r.audit_epoch,
                               (SELECT count(*) FROM job_checkpoints c WHERE c.job_id = r.job_id AND c.attempt = r.attempt
                                                                         AND c.epoch IN (r.audit_epoch - 1, r.audit_epoch))
                        FROM job_results r WHERE r.job_id = ? AND r.attempt = ?""")
                .params(jobId, attempt)
                .query((rs, n) -> new State(rs.getBoolean(1), (Integer) rs.getObject(2), rs.getLong(3)))
                .single();
        if (!state.committed()) {
            throw new CheckpointRefusedException(true, "Commit the checkpoint hashes (POST .../checkpoints) before completing the job");
        }
        if (state.auditEpoch() != null && state.uploaded() < 2) {
            throw new CheckpointRefusedException(true, "Upload checkpoints " + (state.auditEpoch() - 1) + " and "
                    + state.auditEpoch() + " (PUT .../checkpoints/{epoch}) before completing the job");
        }
        return state.auditEpoch();
    }

    /**
     * The original's checkpoint before the audited epoch, for the worker that holds the audit now.
     *
     * @throws NotFoundException when the job is not an audit
     */
    InputStream openStart(long workerId, long auditJobId) throws IOException {
        record Audit(Long original, Integer epoch) {
        }
        jobs.checkLeased(workerId, auditJobId);
        Audit audit = jdbc.sql("SELECT audit_of, audit_epoch FROM training_jobs WHERE id = ?").param(auditJobId)
                .query((rs, n) -> new Audit((Long) rs.getObject(1), (Integer) rs.getObject(2))).single();
        if (audit.original() == null || audit.epoch() == null) {
            throw new NotFoundException();
        }
        Stored start = stored(audit.original(), verifiedAttempt(audit.original()), audit.epoch() - 1);
        return workFiles.open(start.wrappedKey(), start.blobKey(), CONTEXT, "A checkpoint of job " + audit.original());
    }

    private record Stored(String blobKey, byte[] wrappedKey) {
    }

    /** The attempt whose result was verified on the held-out split (the one an audit checks). */
    int verifiedAttempt(long jobId) {
        return jdbc.sql("SELECT attempt FROM job_results WHERE job_id = ? AND verdict = 'VERIFIED'").param(jobId)
                .query(Integer.class).single();
    }

    private Stored stored(long jobId, int attempt, int epoch) {
        return jdbc.sql("SELECT blob_key, wrapped_data_key FROM job_checkpoints WHERE job_id = ? AND attempt = ? AND epoch = ?")
                .params(jobId, attempt, epoch)
                .query((rs, n) -> new Stored(rs.getString(1), rs.getBytes(2)))
                .optional().orElseThrow(() -> new IllegalStateException("job " + jobId + " has no checkpoint " + epoch));
    }

    /** A stored checkpoint of the attempt, decrypted to a work file the caller deletes. */
    Path decrypt(long jobId, int attempt, int epoch) throws IOException {
        Stored checkpoint = stored(jobId, attempt, epoch);
        return workFiles.decrypt(checkpoint.wrappedKey(), checkpoint.blobKey(), CONTEXT, "A checkpoint of job " + jobId);
    }

    /**
     * Deletes a job's stored checkpoints once its audit is decided: the rows in the caller's transaction, the
     * blobs at once (only this job's audit reads them, and it is decided).
     */
    void discard(long jobId) {
        List<String> keys = jdbc.sql("DELETE FROM job_checkpoints WHERE job_id = ? RETURNING blob_key").param(jobId)
                .query(String.class).list();
        keys.forEach(workFiles::delete);
    }
}
