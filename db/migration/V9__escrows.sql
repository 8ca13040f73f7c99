-- Training jobs paid through the JobEscrow contract. With a chain, a job with a budget waits in
-- AWAITING_DEPOSIT (never leased) until a confirmed JobFunded log from the requester's wallet
-- covers the budget; without one it is cancelled when the deposit wait ends.
ALTER TABLE training_jobs
    DROP CONSTRAINT training_jobs_status_check,
    ADD CONSTRAINT training_jobs_status_check
        CHECK (status IN ('AWAITING_DEPOSIT', 'QUEUED', 'LEASED', 'VERIFYING', 'SUCCEEDED', 'FAILED', 'CANCELLED'));
CREATE INDEX training_jobs_awaiting_deposit ON training_jobs (created_at) WHERE status = 'AWAITING_DEPOSIT';

-- Deposit transactions the requester's browser sent (pending until the watcher confirms the log),
-- and the confirmed deposit itself (tx_hash and log_index of the JobFunded log).
CREATE TABLE job_deposits (
    id         BIGSERIAL PRIMARY KEY,
    job_id     BIGINT          NOT NULL REFERENCES training_jobs (id) ON DELETE CASCADE,
    wallet     CHAR(42)        NOT NULL,
    tx_hash    CHAR(66)        NOT NULL UNIQUE,
    status     VARCHAR(16)     NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'FAILED', 'EXPIRED')),
    reason     TEXT,
    amount_wei NUMERIC(78, 0),
    log_index  INT,
    created_at TIMESTAMPTZ     NOT NULL DEFAULT now(),
    settled_at TIMESTAMPTZ
);
CREATE INDEX job_deposits_by_job ON job_deposits (job_id, created_at DESC);
CREATE INDEX job_deposits_pending ON job_deposits (created_at) WHERE status = 'PENDING';
CREATE UNIQUE INDEX job_deposits_confirmed_once ON job_deposits (job_id) WHERE status = 'CONFIRMED';

-- A settlement is executed only from its confirmed JobSettled / JobRefunded log, kept here.
ALTER TABLE settlements
    ADD COLUMN tx_hash   CHAR(66),
    ADD COLUMN log_index INT,
    ADD CONSTRAINT settlements_executed_by_log CHECK ((executed_at IS NULL) = (tx_hash IS NULL));
CREATE INDEX settlements_unexecuted ON settlements (created_at) WHERE executed_at IS NULL;
