-- Training pools (issues 15 and 17): a data competition's host funds its submissions' training with ONE JobEscrow deposit
-- of (budget per submission x submissions covered), made from the host's wallet under the pool's id. The pool's id is
-- drawn from the training jobs' sequence, so a pool and a job never share an escrow id. Each data submission's job is
-- paid from that deposit as a sweep's trial is from its first trial's: escrow_job_id names the pool, the job's cost is
-- released to its provider (JobEscrow.release, the job's id as the part), and what is left goes back to the host once
-- the competition has ended and every job it paid has ended and been settled (compute.internal.TrainingPoolService).
CREATE TABLE training_pools (
    id             BIGINT PRIMARY KEY DEFAULT nextval('training_jobs_id_seq'),
    owner_id       BIGINT          NOT NULL REFERENCES users (id),
    job_budget_aic NUMERIC(38, 18) NOT NULL CHECK (job_budget_aic > 0),
    jobs           INT             NOT NULL CHECK (jobs BETWEEN 1 AND 10000),
    closes_at      TIMESTAMPTZ     NOT NULL,
    status         VARCHAR(16)     NOT NULL DEFAULT 'AWAITING_DEPOSIT'
        CHECK (status IN ('AWAITING_DEPOSIT', 'FUNDED', 'REFUNDED', 'RECLAIMED')),
    refund_tx_hash CHAR(66),
    created_at     TIMESTAMPTZ     NOT NULL DEFAULT now()
);
CREATE INDEX training_pools_funded ON training_pools (closes_at) WHERE status = 'FUNDED';

-- A deposit, and the job naming whose deposit pays it, now name an escrow id: a training job's or a pool's.
ALTER TABLE job_deposits DROP CONSTRAINT job_deposits_job_id_fkey;
ALTER TABLE training_jobs DROP CONSTRAINT training_jobs_escrow_job_id_fkey;

ALTER TABLE data_competitions ADD COLUMN training_pool_id BIGINT UNIQUE REFERENCES training_pools (id);
