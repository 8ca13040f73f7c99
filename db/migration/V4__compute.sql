-- GPU capacity offered by providers, the workers that serve it, and the training job queue.
CREATE TABLE gpu_offers (
    id                 BIGSERIAL PRIMARY KEY,
    provider_id        BIGINT          NOT NULL REFERENCES users (id),
    title              VARCHAR(140)    NOT NULL,
    gpu_model          VARCHAR(80)     NOT NULL,
    gpu_memory_mb      INT             NOT NULL CHECK (gpu_memory_mb > 0),
    price_per_hour_aic NUMERIC(38, 18) NOT NULL CHECK (price_per_hour_aic >= 0),
    region             VARCHAR(40)     NOT NULL,
    created_at         TIMESTAMPTZ     NOT NULL DEFAULT now()
);

-- A worker authenticates with a bearer token; only its SHA-256 is stored.
CREATE TABLE workers (
    id              BIGSERIAL PRIMARY KEY,
    offer_id        BIGINT      NOT NULL REFERENCES gpu_offers (id) ON DELETE CASCADE,
    token_sha256    CHAR(64)    NOT NULL UNIQUE,
    engine          VARCHAR(16),
    gpu_memory_mb   INT,
    cached_datasets BIGINT[]    NOT NULL DEFAULT '{}',
    last_heartbeat  TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE training_jobs (
    id               BIGSERIAL PRIMARY KEY,
    requester_id     BIGINT      NOT NULL REFERENCES users (id),
    dataset_id       BIGINT      NOT NULL REFERENCES datasets (listing_id),
    model_id         BIGINT      NOT NULL REFERENCES models (listing_id),
    hyperparameters  JSONB       NOT NULL DEFAULT '{}',
    min_memory_mb    INT         NOT NULL DEFAULT 0,
    status           VARCHAR(16) NOT NULL CHECK (status IN ('QUEUED', 'LEASED', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    attempts         INT         NOT NULL DEFAULT 0,
    max_attempts     INT         NOT NULL DEFAULT 3,
    worker_id        BIGINT REFERENCES workers (id),
    lease_expires_at TIMESTAMPTZ,
    failure_reason   TEXT,
    metrics          JSONB,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((status = 'LEASED') = (worker_id IS NOT NULL AND lease_expires_at IS NOT NULL))
);
-- The queue: oldest first among queued jobs (SKIP LOCKED leases), and expired leases.
CREATE INDEX training_jobs_queued ON training_jobs (created_at, id) WHERE status = 'QUEUED';
CREATE INDEX training_jobs_queued_by_dataset ON training_jobs (dataset_id, created_at, id) WHERE status = 'QUEUED';
CREATE INDEX training_jobs_leased ON training_jobs (lease_expires_at) WHERE status = 'LEASED';

CREATE TABLE job_progress (
    job_id          BIGINT      NOT NULL REFERENCES training_jobs (id) ON DELETE CASCADE,
    seq             BIGSERIAL,
    attempt         INT         NOT NULL,
    epoch           INT         NOT NULL,
    loss            DOUBLE PRECISION,
    accuracy        DOUBLE PRECISION,
    samples_per_s   DOUBLE PRECISION,
    reported_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, seq)
);
