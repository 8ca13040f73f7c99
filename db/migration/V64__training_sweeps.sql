-- Sweeps: "try several settings" runs a sweep's trials as separate training jobs within one budget (each trial's job
-- budget is its share, so the trials' maximum costs sum to at most the sweep's). Once every trial has ended the best
-- by the held-out (verified) metric is kept and, unless the member asked to keep them all, the others' weights are
-- discarded (compute.internal.Sweeps).
CREATE TABLE training_sweeps (
    id           BIGSERIAL PRIMARY KEY,
    requester_id BIGINT          NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    dataset_id   BIGINT          NOT NULL REFERENCES datasets (listing_id),
    model_id     BIGINT          NOT NULL REFERENCES models (listing_id),
    search       TEXT            NOT NULL CHECK (search IN ('GRID', 'RANDOM')),
    budget_aic   NUMERIC(38, 18) NOT NULL CHECK (budget_aic > 0),
    keep_all     BOOLEAN         NOT NULL DEFAULT false,
    best_job_id  BIGINT REFERENCES training_jobs (id),
    decided_at   TIMESTAMPTZ,
    created_at   TIMESTAMPTZ     NOT NULL DEFAULT now()
);
CREATE INDEX training_sweeps_undecided ON training_sweeps (id) WHERE decided_at IS NULL;
ALTER TABLE training_jobs ADD COLUMN sweep_id BIGINT REFERENCES training_sweeps (id);
CREATE INDEX training_jobs_sweep ON training_jobs (sweep_id) WHERE sweep_id IS NOT NULL;

-- A sweep's page follows its trials live: a trial's status change and progress are announced on the sweep's topic too
-- (platform.LiveUpdates' format, as V7's job announcements).
CREATE OR REPLACE FUNCTION training_jobs_announce_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('plaza_live', 'job:' || NEW.id || E'\nstatus\n' || NEW.status);
    IF NEW.sweep_id IS NOT NULL THEN
        PERFORM pg_notify('plaza_live', 'sweep:' || NEW.sweep_id || E'\nstatus\n' || NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION job_progress_announce_sweep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sweep BIGINT;
BEGIN
    SELECT sweep_id INTO sweep FROM training_jobs WHERE id = NEW.job_id;
    IF sweep IS NOT NULL THEN
        PERFORM pg_notify('plaza_live', 'sweep:' || sweep || E'\nprogress\n' || NEW.job_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER job_progress_sweep AFTER INSERT ON job_progress FOR EACH ROW EXECUTE FUNCTION job_progress_announce_sweep();
