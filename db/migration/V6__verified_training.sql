-- Worker side of training jobs: the held-out split, uploaded results and their verification,
-- provider reliability, settlement instructions and training records.

-- Each dataset is split once, the first time a job on it is leased: about 10% of its rows (by a
-- fixed hash of the row index) form a validation split that only the app reads; workers download
-- the remaining rows as shards encrypted with AES-256-GCM under the split key. The split key is
-- sealed by the master key; the lease hands it to the worker holding a job on the dataset, so a
-- worker that caches the shards (by their SHA-256, the blob key) reuses them for later jobs.
CREATE TABLE training_splits (
    dataset_id        BIGINT PRIMARY KEY REFERENCES datasets (listing_id) ON DELETE CASCADE,
    sealed_key        BYTEA       NOT NULL,
    training_rows     BIGINT      NOT NULL,
    validation_rows   BIGINT      NOT NULL,
    validation_blob   VARCHAR(64) NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE training_split_shards (
    dataset_id BIGINT      NOT NULL REFERENCES training_splits (dataset_id) ON DELETE CASCADE,
    seq        INT         NOT NULL,
    blob_key   VARCHAR(64) NOT NULL,
    bytes      BIGINT      NOT NULL,
    rows       BIGINT      NOT NULL,
    PRIMARY KEY (dataset_id, seq)
);

-- What the worker measured at start-up, and how far the plaza trusts it: reliability is the share
-- of its results that passed verification (1 until it has delivered any).
ALTER TABLE workers
    ADD COLUMN measured_score  DOUBLE PRECISION,
    ADD COLUMN benchmark       TEXT,
    ADD COLUMN verified_jobs   INT NOT NULL DEFAULT 0,
    ADD COLUMN rejected_jobs   INT NOT NULL DEFAULT 0,
    ADD COLUMN reliability     DOUBLE PRECISION NOT NULL DEFAULT 1 CHECK (reliability BETWEEN 0 AND 1);

-- Every lease of a job: who held which attempt since when. A worker asking about a job it held
-- once but holds no longer is told so (409) instead of 404, and stops working on it.
CREATE TABLE job_attempts (
    job_id    BIGINT      NOT NULL REFERENCES training_jobs (id) ON DELETE CASCADE,
    attempt   INT         NOT NULL,
    worker_id BIGINT      NOT NULL REFERENCES workers (id),
    leased_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, attempt)
);
CREATE INDEX job_attempts_worker ON job_attempts (worker_id, job_id);

-- Weights a worker uploaded for an attempt (encrypted like every stored item), what it claimed and
-- what the app measured on the validation split.
CREATE TABLE job_results (
    job_id             BIGINT      NOT NULL REFERENCES training_jobs (id) ON DELETE CASCADE,
    attempt            INT         NOT NULL,
    worker_id          BIGINT      NOT NULL REFERENCES workers (id),
    weights_key        VARCHAR(64) NOT NULL,
    weights_bytes      BIGINT      NOT NULL,
    wrapped_data_key   BYTEA       NOT NULL,
    claimed_metrics    JSONB,
    verified_loss      DOUBLE PRECISION,
    verified_accuracy  DOUBLE PRECISION,
    verdict            VARCHAR(16) CHECK (verdict IN ('VERIFIED', 'REJECTED')),
    reason             TEXT,
    uploaded_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, attempt)
);

-- Instructions for the settlement of a job: the chain integration (JobEscrow) executes them later.
-- A payment names its amount (the rest of the escrow returns to the requester); a refund returns
-- the whole escrow, so it has no amount.
CREATE TABLE settlements (
    id          BIGSERIAL PRIMARY KEY,
    job_id      BIGINT          NOT NULL REFERENCES training_jobs (id),
    kind        VARCHAR(24)     NOT NULL CHECK (kind IN ('PAY_PROVIDER', 'REFUND_REQUESTER')),
    user_id     BIGINT          NOT NULL REFERENCES users (id),
    amount_aic  NUMERIC(38, 18) CHECK (amount_aic >= 0),
    reason      TEXT            NOT NULL,
    created_at  TIMESTAMPTZ     NOT NULL DEFAULT now(),
    executed_at TIMESTAMPTZ,
    UNIQUE (job_id, kind),
    CHECK ((kind = 'PAY_PROVIDER') = (amount_aic IS NOT NULL))
);

-- The whitepaper's training record: which node trained which model on which dataset, in which job.
CREATE TABLE training_records (
    job_id           BIGINT PRIMARY KEY REFERENCES training_jobs (id),
    worker_id        BIGINT      NOT NULL REFERENCES workers (id),
    offer_id         BIGINT      NOT NULL REFERENCES gpu_offers (id),
    base_model_id    BIGINT      NOT NULL REFERENCES models (listing_id),
    dataset_id       BIGINT      NOT NULL REFERENCES datasets (listing_id),
    trained_model_id BIGINT      NOT NULL REFERENCES models (listing_id),
    verified_accuracy DOUBLE PRECISION,
    verified_loss    DOUBLE PRECISION,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Audits: a configurable fraction of jobs (drawn at submission) is trained again by another worker
-- before anyone is paid. The original waits in VERIFYING until the audit's held-out result is
-- compared with its own; an audit job never runs on the original's worker.
ALTER TABLE training_jobs
    ADD COLUMN audit              BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN audit_of           BIGINT REFERENCES training_jobs (id),
    ADD COLUMN excluded_worker_id BIGINT REFERENCES workers (id),
    DROP CONSTRAINT training_jobs_status_check,
    ADD CONSTRAINT training_jobs_status_check
        CHECK (status IN ('QUEUED', 'LEASED', 'VERIFYING', 'SUCCEEDED', 'FAILED', 'CANCELLED'));
CREATE INDEX training_jobs_verifying ON training_jobs (id) WHERE status = 'VERIFYING';
CREATE INDEX training_jobs_audits ON training_jobs (audit_of) WHERE audit_of IS NOT NULL;
