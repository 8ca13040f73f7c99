-- An audit re-runs a job on another provider's GPU: never on any offer of the provider whose worker
-- trained the original (another offer of the same account could confirm its own fraud).
ALTER TABLE training_jobs ADD COLUMN excluded_provider_id BIGINT REFERENCES users (id);
