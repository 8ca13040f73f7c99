package ai.aicrypto.plaza.compute.internal;

import java.time.Duration;
import java.util.Optional;

import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.platform.LiveUpdates;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The training job queue, all in PostgreSQL. A lease takes the oldest queued job a worker can run
 * with FOR UPDATE SKIP LOCKED, so concurrent workers never get the same job; a lease that is not
 * renewed expires and the job goes back to the queue, until its attempts are used up and it fails
 * with the reason. No job stays leased forever.
 */
@Service
class JobQueue implements TrainingJobs {

    static final Duration LEASE = Duration.ofMinutes(2);
    private static final Logger log = LoggerFactory.getLogger(JobQueue.class);

    private final JdbcClient jdbc;
    private final LiveUpdates live;

    JobQueue(JdbcClient jdbc, LiveUpdates live) {
        this.jdbc = jdbc;
        this.live = live;
    }

    @Override
    @Transactional
    public long submit(JobRequest job) {
        return jdbc.sql("""
                        INSERT INTO training_jobs (requester_id, dataset_id, model_id, hyperparameters, min_memory_mb,
                                                   offer_id, budget_aic, status)
                        VALUES (?, ?, ?, CAST(? AS jsonb), ?, ?, ?, 'QUEUED') RETURNING id""")
                .params(job.requesterId(), job.datasetId(), job.modelId(), job.hyperparametersJson(), job.minMemoryMb(),
                        job.offerId(), job.budgetAic())
                .query(Long.class).single();
    }

    @Override
    @Transactional
    public void cancel(long requesterId, long jobId) {
        String status = jdbc.sql("SELECT status FROM training_jobs WHERE id = ? AND requester_id = ? FOR UPDATE")
                .params(jobId, requesterId).query(String.class).optional().orElseThrow(NotFoundException::new);
        if (!status.equals("QUEUED") && !status.equals("LEASED")) {
            throw new UserFacingException(null, "job.error.already-ended");
        }
        jdbc.sql("""
                        UPDATE training_jobs SET status = 'CANCELLED', worker_id = NULL, lease_expires_at = NULL,
                                                 updated_at = now()
                        WHERE id = ?""")
                .param(jobId).update();
    }

    /**
     * The next job this worker can run, leased to it: the oldest that fits its memory, and first
     * among the jobs whose dataset the worker already caches (the whitepaper's data locality).
     * Each step is an index walk in queue order that stops at the first row not locked by another
     * lease, so a lease costs the same with 10 or 100,000 jobs waiting.
     */
    @Transactional
    Optional<LeasedJob> lease(WorkerIdentity.Worker worker) {
        Optional<LeasedJob> local = worker.cachedDatasets().length == 0 ? Optional.empty()
                : leaseWhere(worker, "AND dataset_id = ANY (CAST(:cached AS bigint[]))");
        return local.isPresent() ? local : leaseWhere(worker, "");
    }

    private Optional<LeasedJob> leaseWhere(WorkerIdentity.Worker worker, String condition) {
        return jdbc.sql("""
                        UPDATE training_jobs
                        SET status = 'LEASED', worker_id = :worker, attempts = attempts + 1,
                            lease_expires_at = now() + CAST(:lease AS interval), updated_at = now()
                        WHERE id = (SELECT id FROM training_jobs
                                    WHERE status = 'QUEUED' AND min_memory_mb <= :memory %s
                                      AND (offer_id IS NULL OR offer_id = (SELECT offer_id FROM workers WHERE id = :worker))
                                    ORDER BY created_at, id
                                    LIMIT 1
                                    FOR UPDATE SKIP LOCKED)
                        RETURNING id, dataset_id, model_id, hyperparameters::text AS hyperparameters, attempts,
                                  lease_expires_at""".formatted(condition))
                .param("worker", worker.id()).param("lease", LEASE.toSeconds() + " seconds")
                .param("memory", worker.memoryMb()).param("cached", worker.cachedDatasets())
                .query((rs, n) -> new LeasedJob(rs.getLong("id"), rs.getLong("dataset_id"), rs.getLong("model_id"),
                        rs.getString("hyperparameters"), rs.getInt("attempts"),
                        rs.getTimestamp("lease_expires_at").toInstant()))
                .optional();
    }

    /** Extends this worker's lease; a job it no longer holds is not found. */
    @Transactional
    java.time.Instant renew(long workerId, long jobId) {
        return jdbc.sql("""
                        UPDATE training_jobs SET lease_expires_at = now() + CAST(? AS interval), updated_at = now()
                        WHERE id = ? AND worker_id = ? AND status = 'LEASED' RETURNING lease_expires_at""")
                .params(LEASE.toSeconds() + " seconds", jobId, workerId)
                .query(java.sql.Timestamp.class).optional().orElseThrow(NotFoundException::new).toInstant();
    }

    @Transactional
    void progress(long workerId, long jobId, int epoch, Double loss, Double accuracy, Double samplesPerSecond) {
        int attempt = jdbc.sql("SELECT attempts FROM training_jobs WHERE id = ? AND worker_id = ? AND status = 'LEASED'")
                .params(jobId, workerId).query(Integer.class).optional().orElseThrow(NotFoundException::new);
        jdbc.sql("""
                        INSERT INTO job_progress (job_id, attempt, epoch, loss, accuracy, samples_per_s)
                        VALUES (?, ?, ?, ?, ?, ?)""")
                .params(jobId, attempt, epoch, loss, accuracy, samplesPerSecond).update();
        live.publish("job:" + jobId, "progress", String.valueOf(epoch));
    }

    @Transactional
    void complete(long workerId, long jobId, String metricsJson) {
        int updated = jdbc.sql("""
                        UPDATE training_jobs SET status = 'SUCCEEDED', metrics = CAST(? AS jsonb), worker_id = NULL,
                                                 lease_expires_at = NULL, updated_at = now()
                        WHERE id = ? AND worker_id = ? AND status = 'LEASED'""")
                .params(metricsJson, jobId, workerId).update();
        if (updated == 0) {
            throw new NotFoundException();
        }
    }

    /** The worker gives up: the job is queued again, or fails once its attempts are used up. */
    @Transactional
    void fail(long workerId, long jobId, String reason) {
        int updated = jdbc.sql("""
                        UPDATE training_jobs
                        SET status = CASE WHEN attempts >= max_attempts THEN 'FAILED' ELSE 'QUEUED' END,
                            failure_reason = ?, worker_id = NULL, lease_expires_at = NULL, updated_at = now()
                        WHERE id = ? AND worker_id = ? AND status = 'LEASED'""")
                .params(reason, jobId, workerId).update();
        if (updated == 0) {
            throw new NotFoundException();
        }
    }

    /** Leases that ran out go back to the queue; a job out of attempts fails, saying why. */
    @Scheduled(fixedDelayString = "${plaza.compute.expiry-check:10s}")
    @Transactional
    public int expireLeases() {
        int expired = jdbc.sql("""
                        UPDATE training_jobs
                        SET status = CASE WHEN attempts >= max_attempts THEN 'FAILED' ELSE 'QUEUED' END,
                            failure_reason = CASE WHEN attempts >= max_attempts
                                THEN 'The lease expired ' || attempts || ' times: no worker finished the job'
                                ELSE 'The lease of attempt ' || attempts || ' expired' END,
                            worker_id = NULL, lease_expires_at = NULL, updated_at = now()
                        WHERE status = 'LEASED' AND lease_expires_at < now()""")
                .update();
        if (expired > 0) {
            log.info("{} expired job lease(s) requeued or failed", expired);
        }
        return expired;
    }

    record LeasedJob(long id, long datasetId, long modelId, String hyperparametersJson, int attempt,
                     java.time.Instant leaseExpiresAt) {
    }
}
