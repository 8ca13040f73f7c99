-- A lazy worker is caught by checking one epoch, not by training the whole job again (the
-- Truebit/Gensyn idea): with its result a worker commits the SHA-256 of its checkpoint after every
-- epoch (0 = the seeded initial state); an audited job uploads checkpoints k-1 and k of one epoch k
-- drawn after the commitment, and a worker of another provider trains epoch k from checkpoint k-1.
-- Its checkpoint must land within a tolerance of the original's. An auditor who disagrees is checked by
-- a second audit on a third provider, so a lazy or hostile auditor cannot fail an honest worker.

-- Whether a job is audited is drawn when it is submitted (the worker never sees it) and compared, once
-- the worker has committed its epochs E, with min(1, audit compute share x E): audits cost about that
-- share of the plaza's training compute whatever the jobs' lengths.
ALTER TABLE training_jobs ADD COLUMN audit_draw DOUBLE PRECISION NOT NULL DEFAULT random()
    CHECK (audit_draw >= 0 AND audit_draw < 1);
UPDATE training_jobs SET audit_draw = 0 WHERE audit;
ALTER TABLE training_jobs DROP COLUMN audit;

-- An audit job re-runs this epoch of its original (NULL for ordinary jobs).
ALTER TABLE training_jobs ADD COLUMN audit_epoch INT CHECK (audit_epoch >= 1);

-- A second audit excludes the providers of the original and of the first auditor.
ALTER TABLE training_jobs ADD COLUMN excluded_provider_ids BIGINT[];
UPDATE training_jobs SET excluded_provider_ids = ARRAY[excluded_provider_id] WHERE excluded_provider_id IS NOT NULL;
ALTER TABLE training_jobs DROP COLUMN excluded_provider_id;

-- The attempt's commitment (index = epoch) and the epoch drawn for its audit, if any; for an audit's own
-- result, how far its checkpoint landed from the original's (a share of the original's step over the epoch).
ALTER TABLE job_results
    ADD COLUMN checkpoint_sha256 TEXT[],
    ADD COLUMN audit_epoch INT,
    ADD COLUMN audit_distance DOUBLE PRECISION;

-- The checkpoints an audit needs, stored encrypted like weights; deleted once the audit is decided.
CREATE TABLE job_checkpoints (
    job_id           BIGINT      NOT NULL,
    attempt          INT         NOT NULL,
    epoch            INT         NOT NULL CHECK (epoch >= 0),
    blob_key         VARCHAR(64) NOT NULL,
    bytes            BIGINT      NOT NULL,
    wrapped_data_key BYTEA       NOT NULL,
    uploaded_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, attempt, epoch),
    FOREIGN KEY (job_id, attempt) REFERENCES job_results (job_id, attempt) ON DELETE CASCADE
);
