package ai.aicrypto.plaza.compute.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.compute.ComputeProperties;
import ai.aicrypto.plaza.compute.Settlement;
import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.platform.LiveUpdates;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The training job queue, all in PostgreSQL. A lease takes the oldest queued job a worker can run
 * with FOR UPDATE SKIP LOCKED, so concurrent workers never get the same job; a lease that is not
 * renewed expires and the job goes back to the queue, until its attempts are used up and it fails
 * with the reason. No job stays leased forever.
 * <p>
 * This class is the only writer of a job's {@link JobStatus}: each transition is one of its methods,
 * with the refund that goes with it where the job ends without being delivered.
 */
@Service
class JobQueue implements TrainingJobs {

    static final Duration LEASE = Duration.ofMinutes(2);
    private static final Logger log = LoggerFactory.getLogger(JobQueue.class);

    private final java.util.Random random = new java.security.SecureRandom();
    private final JdbcClient jdbc;
    private final LiveUpdates live;
    private final Settlement settlement;
    private final ComputeProperties properties;

    private final Chain chain;

    JobQueue(JdbcClient jdbc, LiveUpdates live, Settlement settlement, ComputeProperties properties, Chain chain) {
        this.chain = chain;
        this.jdbc = jdbc;
        this.live = live;
        this.settlement = settlement;
        this.properties = properties;
    }

    /** With a JobEscrow, a job with a budget is queued only once its deposit is confirmed (see JobDeposits). */
    @Override
    @Transactional
    public long submit(JobRequest job) {
        boolean paidOnChain = job.budgetAic() != null && chain.enabled() && chain.contracts().jobsPaidOnChain();
        return jdbc.sql("""
                        INSERT INTO training_jobs (requester_id, dataset_id, model_id, hyperparameters, min_memory_mb,
                                                   offer_id, budget_aic, status, audit_draw, parent_model_id)
                        VALUES (?, ?, ?, CAST(? AS jsonb), ?, ?, ?, ?, ?, ?) RETURNING id""")
                .params(job.requesterId(), job.datasetId(), job.modelId(), job.hyperparametersJson(), job.minMemoryMb(),
                        job.offerId(), job.budgetAic(), paidOnChain ? "AWAITING_DEPOSIT" : "QUEUED",
                        random.nextDouble(), // compared with the audit share once the epochs are committed
                        job.parentModelId())
                .query(Long.class).single();
    }

    @Override
    @Transactional
    public void cancel(long requesterId, long jobId) {
        JobStatus status = jdbc.sql("SELECT status FROM training_jobs WHERE id = ? AND requester_id = ? FOR UPDATE")
                .params(jobId, requesterId).query((rs, n) -> JobStatus.valueOf(rs.getString(1))).optional()
                .orElseThrow(NotFoundException::new);
        if (!JobStatus.CANCELLABLE.contains(status)) {
            throw new UserFacingException(null, "job.error.already-ended");
        }
        jdbc.sql("""
                        UPDATE training_jobs SET status = 'CANCELLED', worker_id = NULL, lease_expires_at = NULL,
                                                 updated_at = now()
                        WHERE id = ?""")
                .param(jobId).update();
        // Nothing was delivered: the provider is not paid for work abandoned mid-way.
        settlement.refundRequester(jobId, requesterId, "cancelled by the requester");
    }

    @Override
    public Optional<JobOutcome> outcome(long requesterId, long jobId) {
        return jdbc.sql("""
                        SELECT j.status, j.failure_reason, r.trained_model_id
                        FROM training_jobs j LEFT JOIN training_records r ON r.job_id = j.id
                        WHERE j.id = ? AND j.requester_id = ?""")
                .params(jobId, requesterId)
                .query((rs, n) -> {
                    JobStatus status = JobStatus.valueOf(rs.getString("status"));
                    // SUCCEEDED only once the weights are handed over (a job paid through JobEscrow settles first).
                    Long trained = status == JobStatus.SUCCEEDED ? (Long) rs.getObject("trained_model_id") : null;
                    String reason = status == JobStatus.FAILED || status == JobStatus.CANCELLED
                            ? Objects.requireNonNullElse(rs.getString("failure_reason"), status.name().toLowerCase(Locale.ROOT))
                            : null;
                    return new JobOutcome(status.ended(), trained, reason);
                })
                .optional();
    }

    /**
     * The requester's deposit is confirmed and covers the budget: the job joins the queue, with the jobs the same deposit
     * pays (a sweep's trials; this method and the two below act on them all).
     */
    void depositConfirmed(long jobId) {
        jdbc.sql("""
                        UPDATE training_jobs SET status = 'QUEUED', updated_at = now()
                        WHERE (id = ? OR escrow_job_id = ?) AND status = 'AWAITING_DEPOSIT'""")
                .params(jobId, jobId).update();
    }

    /** A reorganisation dropped the confirmed deposit: a job not yet leased waits for it again. */
    void depositDropped(long jobId) {
        jdbc.sql("""
                        UPDATE training_jobs SET status = 'AWAITING_DEPOSIT', updated_at = now()
                        WHERE (id = ? OR escrow_job_id = ?) AND status = 'QUEUED'""")
                .params(jobId, jobId).update();
    }

    /** No acceptable deposit came (too late, too small, too short a deadline): the job never runs. */
    void cancelUnfunded(long jobId, String reason) {
        jdbc.sql("""
                        UPDATE training_jobs SET status = 'CANCELLED', failure_reason = ?, updated_at = now()
                        WHERE (id = ? OR escrow_job_id = ?) AND status = 'AWAITING_DEPOSIT'""")
                .params(reason, jobId, jobId).update();
    }

    /**
     * The requester took the escrowed budget back (JobReclaimed): whatever the job was doing ends now,
     * its lease revoked (the worker's next call is answered 409), and nothing is delivered or paid (a
     * verified result still SETTLING stays withheld); so do the other jobs the same deposit pays (a sweep's trials).
     *
     * @return whether a job was still running or waiting (false when they had all ended already)
     */
    boolean escrowReclaimed(long jobId, String reason) {
        return jdbc.sql("""
                        UPDATE training_jobs SET status = 'CANCELLED', failure_reason = ?, worker_id = NULL,
                                                 lease_expires_at = NULL, updated_at = now()
                        WHERE (id = ? OR escrow_job_id = ?) AND status IN ('AWAITING_DEPOSIT', 'QUEUED', 'LEASED', 'VERIFYING', 'SETTLING')""")
                .params(reason, jobId, jobId).update() > 0;
    }

    /** A queued job that can no longer run (see JobDeposits); @return whether it was still queued */
    boolean cancelQueued(long jobId, String reason) {
        return jdbc.sql("""
                        UPDATE training_jobs SET status = 'CANCELLED', failure_reason = ?, updated_at = now()
                        WHERE id = ? AND status = 'QUEUED'""")
                .params(reason, jobId).update() == 1;
    }

    /** Audits no other worker took within {@code wait} are given up (their originals' verification stands). */
    void cancelUntakenAudits(Duration wait) {
        jdbc.sql("""
                        UPDATE training_jobs SET status = 'CANCELLED', updated_at = now(),
                            failure_reason = 'No other worker took the audit in time'
                        WHERE audit_of IS NOT NULL AND status = 'QUEUED' AND created_at < now() - CAST(? AS interval)""")
                .param(wait.toSeconds() + " seconds").update();
    }

    /**
     * Queues an audit of a verified job: one epoch of it trained again from the original's checkpoint, by a
     * worker of none of the providers whose workers are named (the original's, and for a second audit the
     * first auditor's), leasing from none of the networks those workers ran this job or its audits from:
     * another offer of the same account, or a second account on the same machines, could confirm its own result.
     */
    long submitAudit(long originalId, int epoch, long... excludedWorkerIds) {
        Long[] excluded = java.util.Arrays.stream(excludedWorkerIds).boxed().toArray(Long[]::new);
        return jdbc.sql("""
                        INSERT INTO training_jobs (requester_id, dataset_id, model_id, hyperparameters, min_memory_mb, status,
                                                   audit_of, audit_epoch, excluded_worker_id, excluded_provider_ids,
                                                   excluded_networks)
                        SELECT j.requester_id, j.dataset_id, j.model_id, j.hyperparameters, j.min_memory_mb, 'QUEUED', j.id,
                               :epoch, :firstExcluded,
                               ARRAY(SELECT o.provider_id FROM workers w JOIN gpu_offers o ON o.id = w.offer_id
                                     WHERE w.id = ANY (:excluded)),
                               ARRAY(SELECT DISTINCT network(set_masklen(a.worker_address,
                                                                         CASE family(a.worker_address) WHEN 4 THEN 32 ELSE 64 END))
                                     FROM job_attempts a
                                     WHERE a.worker_id = ANY (:excluded) AND a.worker_address IS NOT NULL
                                       AND a.job_id IN (SELECT id FROM training_jobs WHERE id = j.id OR audit_of = j.id))
                        FROM training_jobs j WHERE j.id = :original RETURNING id""")
                .param("epoch", epoch).param("firstExcluded", excludedWorkerIds[0]).param("excluded", excluded)
                .param("original", originalId)
                .query(Long.class).single();
    }

    /**
     * The next job this worker can run, leased to it: the oldest of a model family it trains ({@link ModelFamilies})
     * that fits its memory, of its offer or of
     * none (those only while it is {@link Reliability trusted}), never an audit of its own provider's job,
     * never a job on someone else's paid dataset unless its offer is {@link Reliability#vetted vetted} or the
     * dataset's owner allows offers without a record, and
     * first among the jobs whose dataset the worker already caches (the whitepaper's data locality).
     * Each step is an index walk in queue order that stops at the first row not locked by another
     * lease, so a lease costs the same with 10 or 100,000 jobs waiting. Each step is a single
     * statement (the lease and its attempt row together), so no enclosing transaction is needed.
     */
    Optional<LeasedJob> lease(WorkerIdentity.Worker worker, WorkerAddress address) {
        Optional<LeasedJob> local = worker.cachedDatasets().length == 0 ? Optional.empty()
                : leaseWhere(worker, address, "AND dataset_id = ANY (CAST(:cached AS bigint[]))");
        return local.isPresent() ? local : leaseWhere(worker, address, "");
    }

    private Optional<LeasedJob> leaseWhere(WorkerIdentity.Worker worker, WorkerAddress address, String condition) {
        return jdbc.sql("""
                        WITH me AS (SELECT w.offer_id, o.provider_id, %s AS trusted, %s AS vetted
                                    FROM (SELECT offer_id, sum(verified_jobs) AS verified_jobs, sum(rejected_jobs) AS rejected_jobs
                                          FROM workers WHERE offer_id = (SELECT offer_id FROM workers WHERE id = :worker)
                                          GROUP BY offer_id) w JOIN gpu_offers o ON o.id = w.offer_id),
                        leased AS (
                            UPDATE training_jobs
                            SET status = 'LEASED', worker_id = :worker, attempts = attempts + 1,
                                lease_expires_at = now() + CAST(:lease AS interval), updated_at = now()
                            WHERE id = (SELECT id FROM training_jobs
                                        WHERE status = 'QUEUED' AND min_memory_mb <= :memory
                                          AND %s = ANY (CAST(:families AS text[]))
                                          AND (excluded_worker_id IS NULL OR excluded_worker_id <> :worker)
                                          AND (excluded_provider_ids IS NULL OR (SELECT provider_id FROM me) <> ALL (excluded_provider_ids))
                                          AND (excluded_networks IS NULL OR CAST(:address AS inet) IS NULL
                                               OR NOT CAST(:address AS inet) <<= ANY (excluded_networks))
                                          AND ((SELECT vetted FROM me) OR NOT EXISTS (
                                                  SELECT 1 FROM listings l JOIN datasets d ON d.listing_id = l.id
                                                  WHERE l.id = training_jobs.dataset_id AND NOT d.unvetted_compute_allowed
                                                    AND l.price_aic > 0 AND l.owner_id <> training_jobs.requester_id))
                                          AND NOT EXISTS (SELECT 1 FROM job_deposits d
                                                          WHERE d.job_id = coalesce(training_jobs.escrow_job_id, training_jobs.id)
                                                            AND d.status = 'CONFIRMED'
                                                            AND d.reclaimable_at < now() + CAST(:margin AS interval))
                                          AND (offer_id = (SELECT offer_id FROM me)
                                               OR (offer_id IS NULL AND (SELECT trusted FROM me))) %s
                                        ORDER BY created_at, id
                                        LIMIT 1
                                        FOR UPDATE SKIP LOCKED)
                            RETURNING id, dataset_id, model_id, hyperparameters::text AS hyperparameters, attempts,
                                      lease_expires_at, audit_epoch, parent_model_id),
                        attempt AS (
                            INSERT INTO job_attempts (job_id, attempt, worker_id, price_per_hour_aic, rate_samples_per_s,
                                                      worker_address)
                            SELECT l.id, l.attempts, :worker, o.price_per_hour_aic, o.measured_score, CAST(:address AS inet)
                            FROM leased l, workers w JOIN gpu_offers o ON o.id = w.offer_id WHERE w.id = :worker)
                        SELECT * FROM leased""".formatted(Reliability.trustedSql("w"), Reliability.vettedSql("w"),
                        ModelFamilies.jobFamilySql("training_jobs"), condition))
                .param("worker", worker.id()).param("address", address.distinct()).param("lease", LEASE.toSeconds() + " seconds")
                .param("margin", properties.escrow().leaseMargin().toSeconds() + " seconds")
                .param("memory", worker.memoryMb()).param("cached", worker.cachedDatasets())
                .param("families", worker.families())
                .query((rs, n) -> new LeasedJob(rs.getLong("id"), rs.getLong("dataset_id"), rs.getLong("model_id"),
                        rs.getString("hyperparameters"), rs.getInt("attempts"),
                        rs.getTimestamp("lease_expires_at").toInstant(), (Integer) rs.getObject("audit_epoch"),
                        (Long) rs.getObject("parent_model_id")))
                .optional();
    }

    /** Extends this worker's lease. */
    @Transactional
    java.time.Instant renew(long workerId, long jobId) {
        return jdbc.sql("""
                        UPDATE training_jobs SET lease_expires_at = now() + CAST(? AS interval), updated_at = now()
                        WHERE id = ? AND worker_id = ? AND status = 'LEASED' RETURNING lease_expires_at""")
                .params(LEASE.toSeconds() + " seconds", jobId, workerId)
                .query(java.sql.Timestamp.class).optional().orElseThrow(() -> notLeased(workerId, jobId)).toInstant();
    }

    @Transactional
    void progress(long workerId, long jobId, int epoch, Double loss, Double accuracy, Double samplesPerSecond) {
        int attempt = currentAttempt(workerId, jobId);
        jdbc.sql("""
                        INSERT INTO job_progress (job_id, attempt, epoch, loss, accuracy, samples_per_s)
                        VALUES (?, ?, ?, ?, ?, ?)""")
                .params(jobId, attempt, epoch, loss, accuracy, samplesPerSecond).update();
        live.publish("job:" + jobId, "progress", String.valueOf(epoch));
    }

    /**
     * The attempt of a job this worker holds now, its row locked until the transaction ends.
     *
     * @throws LeaseLostException when the worker held it once but no longer does
     * @throws NotFoundException  when it never held it
     */
    int currentAttempt(long workerId, long jobId) {
        return jdbc.sql("SELECT attempts FROM training_jobs WHERE id = ? AND worker_id = ? AND status = 'LEASED' FOR UPDATE")
                .params(jobId, workerId).query(Integer.class).optional().orElseThrow(() -> notLeased(workerId, jobId));
    }

    /**
     * Ends this worker's lease with a verdict (SUCCEEDED, FAILED, or VERIFYING while an audit runs): the job is
     * never queued again. A job that succeeds while its provider's escrowed payment is still to be settled is
     * SETTLING instead (see {@link #paidThroughEscrow}).
     */
    void finish(long workerId, long jobId, JobStatus status, String metricsJson, String failureReason) {
        if (status != JobStatus.SUCCEEDED && status != JobStatus.FAILED && status != JobStatus.VERIFYING) {
            throw new IllegalArgumentException("a lease ends SUCCEEDED, FAILED or VERIFYING, not " + status);
        }
        int updated = jdbc.sql("""
                        UPDATE training_jobs SET status = ?, metrics = CAST(? AS jsonb), failure_reason = ?,
                                                 worker_id = NULL, lease_expires_at = NULL, updated_at = now()
                        WHERE id = ? AND worker_id = ? AND status = 'LEASED'""")
                .params(delivered(jobId, status).name(), metricsJson, failureReason, jobId, workerId).update();
        if (updated == 0) {
            throw notLeased(workerId, jobId);
        }
    }

    /** Settles a job that waited in VERIFYING for its audit (SETTLING rather than SUCCEEDED as in {@link #finish}). */
    void endVerification(long jobId, boolean succeeded, String failureReason) {
        JobStatus status = succeeded ? delivered(jobId, JobStatus.SUCCEEDED) : JobStatus.FAILED;
        jdbc.sql("UPDATE training_jobs SET status = ?, failure_reason = ?, updated_at = now() WHERE id = ? AND status = 'VERIFYING'")
                .params(status.name(), failureReason, jobId).update();
    }

    /**
     * Whether the job's provider is paid from the requester's deposit in JobEscrow: its result is then handed
     * over only once that payment is confirmed on-chain, so a requester cannot take the model and reclaim the
     * budget. Audits and jobs without a deposit are paid otherwise and delivered at once.
     */
    boolean paidThroughEscrow(long jobId) {
        return jdbc.sql("""
                        SELECT EXISTS (SELECT 1 FROM training_jobs j JOIN job_deposits d ON d.job_id = coalesce(j.escrow_job_id, j.id)
                                       WHERE j.id = ? AND d.status = 'CONFIRMED')""")
                .param(jobId).query(Boolean.class).single();
    }

    private JobStatus delivered(long jobId, JobStatus verdict) {
        return verdict == JobStatus.SUCCEEDED && paidThroughEscrow(jobId) ? JobStatus.SETTLING : verdict;
    }

    /** The provider's payment is confirmed on-chain: the job succeeded, its result is delivered. */
    boolean paymentSettled(long jobId) {
        return jdbc.sql("UPDATE training_jobs SET status = 'SUCCEEDED', updated_at = now() WHERE id = ? AND status = 'SETTLING'")
                .param(jobId).update() == 1;
    }

    /** A reorganisation dropped the provider's confirmed payment: the job waits for it again. */
    boolean paymentDropped(long jobId) {
        return jdbc.sql("UPDATE training_jobs SET status = 'SETTLING', updated_at = now() WHERE id = ? AND status = 'SUCCEEDED'")
                .param(jobId).update() == 1;
    }

    /**
     * The worker gives up: the job is queued again, or fails once its attempts are used up (and the
     * requester is refunded).
     */
    @Transactional
    void fail(long workerId, long jobId, String reason) {
        jdbc.sql("""
                        UPDATE training_jobs
                        SET status = CASE WHEN attempts >= max_attempts THEN 'FAILED' ELSE 'QUEUED' END,
                            failure_reason = ?, worker_id = NULL, lease_expires_at = NULL, updated_at = now()
                        WHERE id = ? AND worker_id = ? AND status = 'LEASED'
                        RETURNING status, requester_id, audit_of""")
                .params(reason, jobId, workerId)
                .query((rs, n) -> {
                    // An audit is the plaza's own expense: its failure refunds nobody.
                    if (rs.getString("status").equals("FAILED") && rs.getObject("audit_of") == null) {
                        settlement.refundRequester(jobId, rs.getLong("requester_id"), reason);
                    }
                    return true;
                })
                .optional().orElseThrow(() -> notLeased(workerId, jobId));
    }

    /** Records the generation of the dataset's training split whose worker key the attempt's lease carries. */
    void leasedOnGeneration(long jobId, int attempt, int splitGeneration) {
        jdbc.sql("UPDATE job_attempts SET split_generation = ? WHERE job_id = ? AND attempt = ?")
                .params(splitGeneration, jobId, attempt).update();
    }

    /** @param splitGeneration the split generation the lease's key is of; 0 when none was recorded (leased before V22) */
    record LeasedSplit(long datasetId, int splitGeneration) {
    }

    /** The dataset of a job leased to this worker now, and its split generation (see {@link #currentAttempt} for the exceptions). */
    LeasedSplit leasedSplit(long workerId, long jobId) {
        return jdbc.sql("""
                        SELECT j.dataset_id, coalesce(a.split_generation, 0) AS generation
                        FROM training_jobs j JOIN job_attempts a ON a.job_id = j.id AND a.attempt = j.attempts
                        WHERE j.id = ? AND j.worker_id = ? AND j.status = 'LEASED'""")
                .params(jobId, workerId).query((rs, n) -> new LeasedSplit(rs.getLong("dataset_id"), rs.getInt("generation")))
                .optional().orElseThrow(() -> notLeased(workerId, jobId));
    }

    /** The parent model of a fine-tuning job leased to this worker now (see {@link #currentAttempt} for the exceptions). */
    Optional<Long> leasedParent(long workerId, long jobId) {
        return jdbc.sql("SELECT parent_model_id FROM training_jobs WHERE id = ? AND worker_id = ? AND status = 'LEASED'")
                .params(jobId, workerId).query((rs, n) -> Optional.ofNullable((Long) rs.getObject(1)))
                .optional().orElseThrow(() -> notLeased(workerId, jobId));
    }

    record LeasedTraining(long modelId, String hyperparametersJson) {
    }

    /** The model and hyperparameters of a job leased to this worker now (see {@link #currentAttempt} for the exceptions). */
    LeasedTraining leasedTraining(long workerId, long jobId) {
        return jdbc.sql("SELECT model_id, hyperparameters::text FROM training_jobs WHERE id = ? AND worker_id = ? AND status = 'LEASED'")
                .params(jobId, workerId).query((rs, n) -> new LeasedTraining(rs.getLong(1), rs.getString(2)))
                .optional().orElseThrow(() -> notLeased(workerId, jobId));
    }

    /** Throws unless the job is leased to this worker now (see {@link #currentAttempt}). */
    void checkLeased(long workerId, long jobId) {
        boolean leased = jdbc.sql("SELECT EXISTS (SELECT 1 FROM training_jobs WHERE id = ? AND worker_id = ? AND status = 'LEASED')")
                .params(jobId, workerId).query(Boolean.class).single();
        if (!leased) {
            throw notLeased(workerId, jobId);
        }
    }

    RuntimeException notLeased(long workerId, long jobId) {
        boolean heldOnce = jdbc.sql("SELECT EXISTS (SELECT 1 FROM job_attempts WHERE job_id = ? AND worker_id = ?)")
                .params(jobId, workerId).query(Boolean.class).single();
        return heldOnce ? new LeaseLostException(jobId) : new NotFoundException();
    }

    /** Leases that ran out go back to the queue; a job out of attempts fails, saying why. */
    @Transactional
    public int expireLeases() {
        int expired = jdbc.sql("""
                        UPDATE training_jobs
                        SET status = CASE WHEN attempts >= max_attempts THEN 'FAILED' ELSE 'QUEUED' END,
                            failure_reason = CASE WHEN attempts >= max_attempts
                                THEN 'The lease expired ' || attempts || ' times: no worker finished the job'
                                ELSE 'The lease of attempt ' || attempts || ' expired' END,
                            worker_id = NULL, lease_expires_at = NULL, updated_at = now()
                        WHERE status = 'LEASED' AND lease_expires_at < now()
                        RETURNING id, status, requester_id, failure_reason, audit_of""")
                .query((rs, n) -> {
                    if (rs.getString("status").equals("FAILED") && rs.getObject("audit_of") == null) {
                        settlement.refundRequester(rs.getLong("id"), rs.getLong("requester_id"), rs.getString("failure_reason"));
                    }
                    return 1;
                })
                .list().size();
        if (expired > 0) {
            log.info("{} expired job lease(s) requeued or failed", expired);
        }
        return expired;
    }

    /** @param auditEpoch for an audit, the epoch to train again from the original's checkpoint; else null */
    /** @param parentModelId the model a fine-tuning job starts from, or null */
    record LeasedJob(long id, long datasetId, long modelId, String hyperparametersJson, int attempt,
                     java.time.Instant leaseExpiresAt, Integer auditEpoch, Long parentModelId) {
    }
}
