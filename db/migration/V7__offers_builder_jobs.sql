-- GPU offers page, provider dashboard, Easy AI Builder and the live job page.

-- The benchmark figure a worker reports in its heartbeat (training samples per second on the
-- reference model, see GpuOfferQueries.REFERENCE_WEIGHTS); null until a worker has reported one.
ALTER TABLE gpu_offers ADD COLUMN measured_score DOUBLE PRECISION CHECK (measured_score > 0);

-- Heartbeat history, one row per worker per minute at most (an upsert per heartbeat): uptime over
-- 30 days is the share of minutes with a row. Rows older than that are pruned.
CREATE TABLE worker_heartbeats (
    worker_id BIGINT      NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    minute    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (worker_id, minute)
);

-- The multitasking switch: the worker's idle command suspended (a job was leased) or resumed.
CREATE TABLE worker_switches (
    id          BIGSERIAL PRIMARY KEY,
    worker_id   BIGINT       NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    state       VARCHAR(16)  NOT NULL CHECK (state IN ('SUSPENDED', 'RESUMED')),
    command     VARCHAR(500) NOT NULL,
    switched_at TIMESTAMPTZ  NOT NULL
);
CREATE INDEX worker_switches_by_worker ON worker_switches (worker_id, switched_at DESC);

-- A job chosen for one offer is leased only by that offer's workers; budget_aic caps what the
-- requester accepts to pay (null: no cap). served_by keeps the last worker that held the lease
-- after the lease ends (worker_id is cleared then), so providers see the jobs they served (what
-- they earned is in settlements).
ALTER TABLE training_jobs
    ADD COLUMN offer_id    BIGINT REFERENCES gpu_offers (id),
    ADD COLUMN budget_aic  NUMERIC(38, 18) CHECK (budget_aic > 0),
    ADD COLUMN served_by   BIGINT REFERENCES workers (id);
CREATE INDEX training_jobs_by_requester ON training_jobs (requester_id, created_at DESC);
CREATE INDEX training_jobs_served_by ON training_jobs (served_by) WHERE served_by IS NOT NULL;

-- Kept in the database rather than in each UPDATE that leases a job, so that no lease path can forget it.
CREATE FUNCTION training_jobs_remember_worker() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.served_by := NEW.worker_id;
    RETURN NEW;
END $$;
CREATE TRIGGER training_jobs_served_by BEFORE UPDATE OF worker_id ON training_jobs
    FOR EACH ROW WHEN (NEW.worker_id IS NOT NULL) EXECUTE FUNCTION training_jobs_remember_worker();

-- Job pages follow status changes live. A status changes in many places (lease, expiry, complete,
-- fail, cancel, verification): a trigger announces every one of them, on commit, in the format of
-- platform.LiveUpdates (channel plaza_live, payload "topic\nevent\ndata").
CREATE FUNCTION training_jobs_announce_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('plaza_live', 'job:' || NEW.id || E'\nstatus\n' || NEW.status);
    RETURN NULL;
END $$;
CREATE TRIGGER training_jobs_status AFTER UPDATE OF status ON training_jobs
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION training_jobs_announce_status();
