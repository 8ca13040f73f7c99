-- Code submissions: a participant submits a model they own instead of a predictions file. The plaza runs it on the
-- hidden test inputs when it scores the submission and stores the predictions it made (encrypted, like an uploaded
-- file), so that rescoring and the host's download of final submissions read them as they read a file.
ALTER TABLE submissions ADD COLUMN model_id BIGINT REFERENCES listings (id);
ALTER TABLE submissions ALTER COLUMN blob_key DROP NOT NULL;
ALTER TABLE submissions ALTER COLUMN wrapped_data_key DROP NOT NULL;
ALTER TABLE submissions ADD CONSTRAINT submissions_file_or_model
    CHECK ((blob_key IS NOT NULL AND wrapped_data_key IS NOT NULL) OR (model_id IS NOT NULL AND status IN ('QUEUED', 'SCORING', 'FAILED')));
