-- Data competitions (the whitepaper's "best data"): the host fixes a model card and its hyperparameters and a training
-- time per submission; a participant submits a dataset of theirs, the plaza trains the fixed model on it (a training
-- job of the submitter's on the fleet) and scores the trained model on the hidden test inputs as a code submission.
-- A competition is a data competition when it has a row here.
CREATE TABLE data_competitions (
    competition_id    BIGINT PRIMARY KEY REFERENCES competitions (id) ON DELETE CASCADE,
    template_model_id BIGINT NOT NULL REFERENCES listings (id),
    hyperparameters   JSONB  NOT NULL,
    training_minutes  INT    NOT NULL CHECK (training_minutes BETWEEN 1 AND 1440)
);

-- A data submission is TRAINING while its job runs, then QUEUED with the trained model (model_id) and scored as a code
-- submission; it keeps the dataset it was trained on, which the leaderboard names.
ALTER TABLE submissions ADD COLUMN dataset_id BIGINT REFERENCES listings (id);
ALTER TABLE submissions ADD COLUMN training_job_id BIGINT REFERENCES training_jobs (id);
ALTER TABLE submissions ADD COLUMN training_started_at TIMESTAMPTZ;
ALTER TABLE submissions DROP CONSTRAINT submissions_file_or_model;
ALTER TABLE submissions ADD CONSTRAINT submissions_file_model_or_data
    CHECK ((blob_key IS NOT NULL AND wrapped_data_key IS NOT NULL)
        OR (model_id IS NOT NULL AND status IN ('QUEUED', 'SCORING', 'FAILED'))
        OR (dataset_id IS NOT NULL AND training_job_id IS NOT NULL AND status IN ('TRAINING', 'FAILED')));
CREATE INDEX submissions_training ON submissions (training_started_at) WHERE status = 'TRAINING';
